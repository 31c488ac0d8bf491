"""Route guards: "may the signed-in member see this product?" in one line, for Flask
(:mod:`memberkit.guards.flask`), Django (:mod:`memberkit.guards.django`) and FastAPI
(:mod:`memberkit.guards.fastapi`).

Each guard takes, from your app, who is signed in (``member``: a function of the request that
returns a member id, or ``None``) and which tenant the request is for (``tenant``: a
:class:`~memberkit.Tenant`, a tenant id, or a function of the request returning either). A
guarded route answers ``401`` when nobody is signed in, ``403`` when the member may not (memberkit
answers, from the database, on every request: a revoke applies at once; a member or product
that is not the tenant's is a ``403`` too), and runs otherwise. An unknown tenant is your app's
bug: its ``NotFoundError`` is raised.
The frameworks are optional: ``pip install memberkit[flask]`` (or ``[django]``, ``[fastapi]``).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from .._errors import NotFoundError
from .._native import Hub, Tenant

__all__ = ["Rule", "TenantSource", "MemberSource", "Needs", "access", "permission"]

#: Where the tenant comes from: a tenant, a tenant id, or a function of the request.
TenantSource = Union[Tenant, str, Callable[[Any], Union[Tenant, str]]]
#: Who is signed in: a function of the request returning a member id, or ``None``.
MemberSource = Callable[[Any], Optional[str]]
#: A product id or permission name, or a function of the request returning one.
Needs = Union[str, Callable[[Any], str]]

#: Nobody is signed in.
UNAUTHORIZED = 401
#: The member is signed in but may not.
FORBIDDEN = 403


class Rule:
    """What a guard asks memberkit for one request; frameworks turn its answer into theirs."""

    def __init__(self, hub: Hub, tenant: TenantSource, member: MemberSource) -> None:
        self._hub = hub
        self._tenant = tenant
        self._member = member

    def tenant(self, request: Any) -> Tenant:
        """The request's tenant."""
        source = self._tenant
        found = source(request) if callable(source) else source
        return found if isinstance(found, Tenant) else self._hub.tenant(found)

    def member(self, request: Any) -> Optional[str]:
        """The signed-in member's id, or ``None``."""
        return self._member(request)

    def status(self, request: Any, ask: Callable[[Tenant, str], bool]) -> Optional[int]:
        """``None`` to let the request through, else the HTTP status to answer with."""
        member = self.member(request)
        if member is None:
            return UNAUTHORIZED
        tenant = self.tenant(request)
        try:
            allowed = ask(tenant, member)
        except NotFoundError:
            # The signed-in id or the product is not this tenant's (a stale session, another
            # tenant's member, a made-up URL): that member may not.
            allowed = False
        return None if allowed else FORBIDDEN


def _value(needs: Needs, request: Any) -> str:
    return needs(request) if callable(needs) else needs


def access(product: Needs) -> Callable[[Any], Callable[[Tenant, str], bool]]:
    """The question "has this member access to ``product``?" for a request."""
    return lambda request: lambda tenant, member: tenant.has_access(member, _value(product, request))


def permission(name: Needs, workspace: Optional[Needs] = None) -> Callable[[Any], Callable[[Tenant, str], bool]]:
    """The question "may this member do ``name`` (in ``workspace``)?" for a request."""

    def ask(request: Any) -> Callable[[Tenant, str], bool]:
        where = None if workspace is None else _value(workspace, request)
        return lambda tenant, member: tenant.can(member, _value(name, request), where)

    return ask
