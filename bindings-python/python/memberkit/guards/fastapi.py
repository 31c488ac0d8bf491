"""FastAPI route guards, as dependencies::

    from fastapi import Depends
    from memberkit.guards.fastapi import Guard

    guard = Guard(hub, tenant=academy.id, member=lambda request: request.session.get("member"))

    @app.get("/courses/{course}", dependencies=[Depends(guard.require_access(
        lambda request: request.path_params["course"]))])
    def course(course: str): ...

    @app.get("/pricing")
    def pricing(member: str = Depends(guard.require_permission("pricing"))): ...

``401`` with nobody signed in, ``403`` without access (as ``HTTPException``); the dependency's
value is the member's id. memberkit is called on FastAPI's thread pool (a sync dependency), so
the event loop never waits for the database.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from fastapi import HTTPException, Request

from .._native import Hub
from . import MemberSource, Needs, Rule, TenantSource, access, permission

__all__ = ["Guard"]


class Guard:
    """Dependencies for FastAPI routes; ``tenant`` and ``member`` are given the ``Request``."""

    def __init__(self, hub: Hub, *, tenant: TenantSource, member: MemberSource) -> None:
        self._rule = Rule(hub, tenant, member)

    def require_access(self, product: Needs) -> Callable[[Request], str]:
        """A dependency that lets only a member with access to ``product`` through."""
        return self._guard(access(product))

    def require_permission(self, name: Needs, workspace: Optional[Needs] = None) -> Callable[[Request], str]:
        """A dependency that lets only a member holding the permission ``name`` through."""
        return self._guard(permission(name, workspace))

    def _guard(self, question: Callable[[Any], Callable[[Any, str], bool]]) -> Callable[[Request], str]:
        rule = self._rule

        def dependency(request: Request) -> str:
            status = rule.status(request, question(request))
            if status is not None:
                raise HTTPException(status_code=status)
            member = rule.member(request)
            assert member is not None  # status() answered 401 otherwise
            return member

        return dependency
