"""Django view guards and a template filter::

    from memberkit.guards.django import Guard

    guard = Guard(hub, tenant=academy.id, member=lambda request: request.session.get("member"))

    @guard.require_access(lambda request: request.resolver_match.kwargs["course"])
    def course(request, course): ...

    @guard.require_permission("pricing")
    def pricing(request): ...

``401`` with nobody signed in, ``403`` without access, the view otherwise. In templates, with
``"memberkit.guards.django"`` in ``INSTALLED_APPS``::

    {% load memberkit %}
    {% if request|has_access:course.id %}<a href="…">Open</a>{% endif %}
    {% if request|can:"pricing" %}…{% endif %}

The filters ask the last ``Guard`` made (one per site).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, TypeVar, cast

from django.http import HttpRequest, HttpResponse  # type: ignore[import-untyped,import-not-found,unused-ignore]

from ..._native import Hub
from .. import MemberSource, Needs, Rule, TenantSource, access, permission

__all__ = ["Guard", "default_guard"]

View = TypeVar("View", bound=Callable[..., Any])

_default: Optional["Guard"] = None


def default_guard() -> "Guard":
    """The last :class:`Guard` made: the one the template filters ask."""
    if _default is None:
        raise LookupError("no memberkit Guard was made: make one before rendering templates that use it")
    return _default


class Guard:
    """Decorators for Django views; ``tenant`` and ``member`` are given the ``HttpRequest``."""

    def __init__(self, hub: Hub, *, tenant: TenantSource, member: MemberSource) -> None:
        global _default
        self._rule = Rule(hub, tenant, member)
        _default = self

    def require_access(self, product: Needs) -> Callable[[View], View]:
        """Lets the view run only for a member with access to ``product``."""
        return self._guard(access(product))

    def require_permission(self, name: Needs, workspace: Optional[Needs] = None) -> Callable[[View], View]:
        """Lets the view run only for a member who holds the permission ``name``."""
        return self._guard(permission(name, workspace))

    def allows(self, request: Any, question: Callable[[Any], Callable[[Any, str], bool]]) -> bool:
        """Whether ``question`` lets the request through (for the template filters)."""
        return self._rule.status(request, question(request)) is None

    def _guard(self, question: Callable[[Any], Callable[[Any, str], bool]]) -> Callable[[View], View]:
        def decorate(view: View) -> View:
            @functools.wraps(view)
            def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                status = self._rule.status(request, question(request))
                if status is not None:
                    return HttpResponse(status=status)
                return view(request, *args, **kwargs)

            return cast(View, guarded)

        return decorate
