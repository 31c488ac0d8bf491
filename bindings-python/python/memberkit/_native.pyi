"""Type stubs for the compiled ``memberkit._native`` module (checked by mypy's stubtest)."""

import os
from datetime import datetime, timedelta
from typing import IO, Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Union, final

from ._types import (
    Accepted,
    AddedCustomer,
    AuditEntry,
    ConsoleResponse,
    CustomerPage,
    CustomRole,
    Grant,
    Impersonation,
    ImportReport,
    Invite,
    InviteForEmail,
    IssuedImpersonation,
    IssuedInvite,
    Member,
    Membership,
    OutboxEvent,
    PasswordCheck,
    Product,
    ProductAccess,
    RoleAssignment,
    Seats,
    SweepReport,
    TenantInfo,
    Workspace,
    WorkspaceDomain,
    TeamMember,
    WorkspaceMember,
)

__all__ = ["ERROR_CODES", "PERMISSIONS", "Console", "ConsoleRest", "Hub", "ManualClock", "Tenant", "__version__", "_OPERATIONS", "run_cli"]

ERROR_CODES: List[str]
PERMISSIONS: List[str]
_OPERATIONS: Dict[str, List[str]]
"""The core's operations by class, for the test that every one is exposed."""
__version__: str

def run_cli(argv: List[str]) -> int: ...

_Actor = str
"""``"system"`` or a member id."""
_MemberStatus = Literal["invited", "active", "deactivated"]
_InviteStatus = Literal["pending", "accepted", "revoked", "expired", "declined"]
_GrantSource = Literal["manual", "invite", "import", "purchase", "api"]
_ImportMode = Literal["invite", "grant", "temporary_password"]
_Metadata = Mapping[str, Any]
_Sort = Literal["newest", "name", "email"]
_ImportSource = Union[str, bytes, os.PathLike[str], IO[str], IO[bytes]]

@final
class ManualClock:
    """A clock that stands still until moved (for tests)."""

    def __new__(cls, start: datetime) -> ManualClock: ...
    def now(self) -> datetime: ...
    def advance(self, by: timedelta) -> None: ...
    def set(self, to: datetime) -> None: ...

@final
class ConsoleRest:
    """The rest of a page still being made; each ``next`` waits for a chunk (GIL released)."""

    def __iter__(self) -> ConsoleRest: ...
    def __next__(self) -> bytes: ...

@final
class Console:
    """The back office's pages over a hub (see ``memberkit.console`` for WSGI and ASGI)."""

    def __new__(
        cls,
        hub: Hub,
        secret: bytes,
        *,
        login_url: Optional[str] = None,
        invite_links: Optional[str] = None,
        site_url: Optional[str] = None,
        invite_help_url: Optional[str] = None,
        templates: Optional[Mapping[str, str]] = None,
        progress_after: Optional[timedelta] = None,
    ) -> Console: ...
    def handle(
        self,
        method: str,
        mount: str,
        path: str,
        query: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        tenant: Optional[str],
        actor: Optional[str],
    ) -> ConsoleResponse: ...
    def invitee(
        self,
        method: str,
        mount: str,
        path: str,
        query: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        signed_in: Optional[str],
    ) -> ConsoleResponse: ...

@final
class Hub:
    """A SQLite database holding any number of tenants. Thread-safe; share one per process."""

    @staticmethod
    def open(path: Union[str, os.PathLike[str]], clock: Optional[ManualClock] = None) -> Hub: ...
    def now(self) -> datetime: ...
    def create_tenant(
        self,
        name: str,
        *,
        invite_lifetime: Optional[timedelta] = None,
        max_impersonation: Optional[timedelta] = None,
        max_invite_lifetime: Optional[timedelta] = None,
    ) -> Tenant: ...
    def tenant(self, id: str) -> Tenant: ...
    def claim(self, email: str) -> List[Accepted]: ...
    def invites_for(self, email: str) -> List[InviteForEmail]: ...
    def invite_by_link(self, token: str) -> InviteForEmail: ...
    def tenants(self) -> List[TenantInfo]: ...
    def memberships_of(self, email: str) -> List[Membership]: ...
    def outbox(self, limit: Optional[int] = None) -> List[OutboxEvent]: ...
    def ack(self, ids: Sequence[str]) -> int: ...
    def sweep(self, now: Optional[datetime] = None) -> SweepReport: ...

@final
class Tenant:
    """A tenant-scoped handle: every call reads and writes only this tenant's rows."""

    @property
    def id(self) -> str: ...
    def info(self) -> TenantInfo: ...
    def update_settings(
        self,
        actor: _Actor,
        *,
        invite_lifetime: Optional[timedelta] = None,
        max_impersonation: Optional[timedelta] = None,
        max_invite_lifetime: Optional[timedelta] = None,
        expiry_reminders: Optional[Sequence[timedelta]] = None,
    ) -> TenantInfo: ...
    def create_product(
        self,
        actor: _Actor,
        name: str,
        kind: str,
        *,
        paid: Optional[bool] = None,
        metadata: Optional[_Metadata] = None,
    ) -> Product: ...
    def update_product_metadata(self, actor: _Actor, product: str, patch: _Metadata) -> Product: ...
    def archive_product(self, actor: _Actor, product: str) -> Product: ...
    def include_in_bundle(self, actor: _Actor, bundle: str, product: str) -> List[Product]: ...
    def remove_from_bundle(self, actor: _Actor, bundle: str, product: str) -> bool: ...
    def bundle_items(self, bundle: str) -> List[Product]: ...
    def products(self) -> List[Product]: ...
    def product(self, id: str) -> Product: ...
    def add_customer(
        self,
        actor: _Actor,
        email: str,
        *,
        name: Optional[str] = None,
        external_id: Optional[str] = None,
        products: Sequence[str] = ...,
        expires_at: Optional[datetime] = None,
        source: Optional[_GrantSource] = None,
        role: Optional[str] = None,
        notify: Optional[bool] = None,
        password: Optional[str] = None,
        temporary_password: Optional[bool] = None,
        metadata: Optional[_Metadata] = None,
        starts_at: Optional[datetime] = None,
    ) -> AddedCustomer: ...
    def grant(
        self,
        actor: _Actor,
        member: str,
        product: str,
        *,
        expires_at: Optional[datetime] = None,
        source: Optional[_GrantSource] = None,
        starts_at: Optional[datetime] = None,
    ) -> Grant: ...
    def revoke(self, actor: _Actor, member: str, product: str) -> Optional[Grant]: ...
    def has_access(self, member: str, product: str) -> bool: ...
    def access(self, member: str) -> List[ProductAccess]: ...
    def member(self, id: str) -> Member: ...
    def member_by_email(self, email: str) -> Optional[Member]: ...
    def role(self, member: str) -> Optional[str]: ...
    def invite(
        self,
        actor: _Actor,
        email: str,
        *,
        name: Optional[str] = None,
        role: Optional[str] = None,
        products: Sequence[str] = ...,
        workspace: Optional[str] = None,
        notify: Optional[bool] = None,
        lifetime: Optional[timedelta] = None,
        message: Optional[str] = None,
        metadata: Optional[_Metadata] = None,
    ) -> IssuedInvite: ...
    def resend_invite(self, actor: _Actor, invite: str) -> IssuedInvite: ...
    def copy_invite_link(self, actor: _Actor, invite: str) -> IssuedInvite: ...
    def revoke_invite(self, actor: _Actor, invite: str) -> Invite: ...
    def accept(self, token: str, email: Optional[str] = None) -> Accepted: ...
    def claim(self, email: str) -> Optional[Accepted]: ...
    def decline(self, token: str, email: Optional[str] = None) -> Invite: ...
    def decline_pending(self, email: str) -> Optional[Invite]: ...
    def get_invite(self, id: str) -> Invite: ...
    def invites(self, status: Optional[_InviteStatus] = None) -> List[Invite]: ...
    def create_workspace(self, actor: _Actor, name: str) -> Workspace: ...
    def workspaces(self) -> List[Workspace]: ...
    def workspace(self, id: str) -> Workspace: ...
    def workspace_members(self, workspace: str) -> List[WorkspaceMember]: ...
    def add_domain(
        self,
        actor: _Actor,
        workspace: str,
        domain: str,
        *,
        enrollment: Optional[Literal["join", "suggest"]] = None,
        role: Optional[str] = None,
    ) -> WorkspaceDomain: ...
    def remove_domain(self, actor: _Actor, workspace: str, domain: str) -> bool: ...
    def domains(self, workspace: str) -> List[WorkspaceDomain]: ...
    def accept_suggestion(self, email: str) -> Optional[Accepted]: ...
    def team(self) -> List[TeamMember]: ...
    def may_manage(self, actor: _Actor, member: str) -> bool: ...
    def add_to_workspace(self, actor: _Actor, member: str, workspace: str, role: str) -> RoleAssignment: ...
    def remove_from_workspace(self, actor: _Actor, member: str, workspace: str) -> bool: ...
    def create_role(self, actor: _Actor, name: str, permissions: Sequence[str]) -> CustomRole: ...
    def update_role(self, actor: _Actor, role: str, name: str, permissions: Sequence[str]) -> CustomRole: ...
    def delete_role(self, actor: _Actor, role: str) -> None: ...
    def roles(self) -> List[CustomRole]: ...
    def assign_role(self, actor: _Actor, member: str, role: str, workspace: Optional[str] = None) -> RoleAssignment: ...
    def assignments(self, member: str) -> List[RoleAssignment]: ...
    def can(self, member: str, permission: str, workspace: Optional[str] = None) -> bool: ...
    def set_seat_limit(self, actor: _Actor, limit: Optional[int], *, workspace: Optional[str] = None) -> Seats: ...
    def seats(self, *, workspace: Optional[str] = None) -> Seats: ...
    def update_member_metadata(self, actor: _Actor, member: str, patch: _Metadata) -> Member: ...
    def deactivate(self, actor: _Actor, member: str) -> Member: ...
    def reactivate(self, actor: _Actor, member: str) -> Member: ...
    def remove_member(self, actor: _Actor, member: str) -> None: ...
    def set_password(self, actor: _Actor, member: str, password: str, *, must_change: bool = False) -> None: ...
    def verify_password(self, email: str, password: str) -> Optional[PasswordCheck]: ...
    def impersonate(
        self, actor: _Actor, target: str, reason: str, *, duration: Optional[timedelta] = None
    ) -> IssuedImpersonation: ...
    def verify_impersonation(self, token: str) -> Impersonation: ...
    def end_impersonation(self, token: str) -> Impersonation: ...
    def customers(
        self,
        *,
        search: Optional[str] = None,
        status: Optional[_MemberStatus] = None,
        product: Optional[str] = None,
        no_access: Optional[bool] = None,
        workspace: Optional[str] = None,
        sort: Optional[_Sort] = None,
        cursor: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> CustomerPage: ...
    def count_customers(
        self,
        *,
        search: Optional[str] = None,
        status: Optional[_MemberStatus] = None,
        product: Optional[str] = None,
        no_access: Optional[bool] = None,
        workspace: Optional[str] = None,
    ) -> int: ...
    def export_customers(
        self,
        *,
        search: Optional[str] = None,
        status: Optional[_MemberStatus] = None,
        product: Optional[str] = None,
        no_access: Optional[bool] = None,
        workspace: Optional[str] = None,
        sort: Optional[_Sort] = None,
    ) -> str: ...
    def import_customers(
        self,
        actor: _Actor,
        source: _ImportSource,
        *,
        format: Optional[Literal["csv", "pasted"]] = None,
        products: Sequence[str] = ...,
        workspace: Optional[str] = None,
        role: Optional[str] = None,
        mode: Optional[_ImportMode] = None,
        notify: Optional[bool] = None,
        dry_run: Optional[bool] = None,
        skip_invalid: Optional[bool] = None,
        progress: Optional[Callable[[int, int], object]] = None,
        atomic: Optional[bool] = None,
    ) -> ImportReport: ...
    def audit(
        self,
        *,
        actor: Optional[_Actor] = None,
        subject: Optional[str] = None,
        since: Optional[datetime] = None,
        until: Optional[datetime] = None,
        before: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> List[AuditEntry]: ...
    def outbox(self, limit: Optional[int] = None) -> List[OutboxEvent]: ...
    def ack(self, ids: Sequence[str]) -> int: ...
