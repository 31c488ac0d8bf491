"""Flask route guards::

    from memberkit.guards.flask import Guard

    guard = Guard(hub, tenant=academy.id, member=lambda request: session.get("member"))

    @app.get("/courses/<course>")
    @guard.require_access(lambda request: request.view_args["course"])
    def course(course): ...

    @app.get("/pricing")
    @guard.require_permission("pricing")
    def pricing(): ...

``401`` with nobody signed in, ``403`` without access (through ``flask.abort``, so your error
handlers apply), the view otherwise.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, TypeVar, cast

import flask

from .._native import Hub
from . import MemberSource, Needs, Rule, TenantSource, access, permission

__all__ = ["Guard"]

View = TypeVar("View", bound=Callable[..., Any])


class Guard:
    """Decorators for Flask views; ``tenant`` and ``member`` are given the current request."""

    def __init__(self, hub: Hub, *, tenant: TenantSource, member: MemberSource) -> None:
        self._rule = Rule(hub, tenant, member)

    def require_access(self, product: Needs) -> Callable[[View], View]:
        """Lets the view run only for a member with access to ``product``."""
        return self._guard(access(product))

    def require_permission(self, name: Needs, workspace: Optional[Needs] = None) -> Callable[[View], View]:
        """Lets the view run only for a member who holds the permission ``name``."""
        return self._guard(permission(name, workspace))

    def _guard(self, question: Callable[[Any], Callable[[Any, str], bool]]) -> Callable[[View], View]:
        def decorate(view: View) -> View:
            @functools.wraps(view)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                request = flask.request._get_current_object()  # type: ignore[attr-defined]
                status = self._rule.status(request, question(request))
                if status is not None:
                    flask.abort(status)
                return view(*args, **kwargs)

            return cast(View, guarded)

        return decorate
