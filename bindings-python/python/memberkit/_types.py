"""Plain, frozen data objects returned by memberkit. Ids are strings; times are aware datetimes
(UTC); statuses, kinds and roles are lowercase strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Iterator, Optional, Tuple


@dataclass(frozen=True)
class TenantInfo:
    """A tenant and its settings."""

    id: str
    name: str
    invite_lifetime_seconds: int
    max_impersonation_seconds: int
    max_invite_lifetime_seconds: int
    seat_limit: Optional[int]
    created_at: datetime
    expiry_reminders_seconds: Tuple[int, ...]
    """How long before a grant ends ``Hub.sweep`` writes ``access.expiring``."""
    swept_until: Optional[datetime]
    """The instant the last sweep covered."""


@dataclass(frozen=True)
class Member:
    """A person in a tenant. ``status`` is ``invited``, ``active`` or ``deactivated``."""

    id: str
    tenant_id: str
    email: str
    email_key: str
    name: Optional[str]
    external_id: Optional[str]
    status: str
    created_at: datetime
    updated_at: datetime
    metadata: Dict[str, Any] = field(hash=False)
    """The host's own data (an accepted invite's metadata is merged in)."""


@dataclass(frozen=True)
class Product:
    """A product. ``kind`` is ``membership``, ``course``, ``digital_product``, ``community`` or
    the host's own."""

    id: str
    tenant_id: str
    name: str
    kind: str
    paid: bool
    archived: bool
    created_at: datetime
    metadata: Dict[str, Any] = field(hash=False)
    """The host's own data (a price id, a checkout link)."""


@dataclass(frozen=True)
class Grant:
    """A member's access to a paid product. Active = not revoked, started and not expired."""

    id: str
    member_id: str
    product_id: str
    source: str
    granted_by: str
    granted_at: datetime
    expires_at: Optional[datetime]
    revoked_at: Optional[datetime]
    revoked_by: Optional[str]
    starts_at: Optional[datetime]
    """When it starts granting, if that was later than when it was granted."""


@dataclass(frozen=True)
class Invite:
    """An invitation. ``status`` is ``pending``, ``accepted``, ``revoked`` or ``expired``."""

    id: str
    tenant_id: str
    member_id: str
    email: str
    name: Optional[str]
    role: str
    workspace: Optional[str]
    products: Tuple[str, ...]
    created_by: str
    created_at: datetime
    expires_at: datetime
    status: str
    accepted_at: Optional[datetime]
    revoked_at: Optional[datetime]
    lifetime_seconds: Optional[int]
    """The invite's own lifetime; None uses the tenant's ``invite_lifetime_seconds``."""
    message: Optional[str]
    """The inviter's personal message."""
    declined_at: Optional[datetime]
    """When the invitee declined it."""
    metadata: Dict[str, Any] = field(hash=False)
    """The host's own data, merged into the member's on acceptance."""
    suggested: bool = False
    """A workspace's email domain suggested it (``accept_suggestion`` takes it)."""


@dataclass(frozen=True)
class IssuedInvite:
    """An invite and the secret token for its link, returned once."""

    invite: Invite
    token: str
    merged: bool

    def __repr__(self) -> str:
        return f"IssuedInvite(invite={self.invite!r}, token='mki_****', merged={self.merged})"


@dataclass(frozen=True)
class InviteForEmail:
    """A pending invite as its invitee sees it across tenants (``Hub.invites_for``)."""

    tenant_name: str
    invite: Invite


@dataclass(frozen=True)
class Membership:
    """One tenant an email belongs to (``Hub.memberships_of``); ``role`` is tenant-wide."""

    tenant_name: str
    member: Member
    role: Optional[str]


@dataclass(frozen=True)
class Accepted:
    """What accepting or claiming an invite applied."""

    invite: Invite
    member: Member
    granted: Tuple[Grant, ...]


@dataclass(frozen=True)
class AddedCustomer:
    """Result of ``add_customer``: ``outcome`` is ``created``, ``existing`` or ``updated``."""

    member: Member
    outcome: str
    granted: Tuple[Grant, ...]
    password_set: bool
    """Whether a password was set (only for a member this call created)."""
    temporary_password: Optional[str]
    """The generated temporary password, shown once; never in the repr."""

    def __repr__(self) -> str:
        password = "'****'" if self.temporary_password is not None else "None"
        return (
            f"AddedCustomer(member={self.member!r}, outcome={self.outcome!r}, "
            f"granted={self.granted!r}, password_set={self.password_set}, "
            f"temporary_password={password})"
        )


@dataclass(frozen=True)
class ProductAccess:
    """A product a member can use now, with the grant behind it (``None`` for free ones)."""

    product: Product
    grant: Optional[Grant]
    via: Optional[str]
    """The bundle whose grant gives it; None when held directly (or free)."""


@dataclass(frozen=True)
class Workspace:
    """A workspace (sub-account, client company) inside a tenant."""

    id: str
    tenant_id: str
    name: str
    seat_limit: Optional[int]
    created_at: datetime


@dataclass(frozen=True)
class Seats:
    """The seats of a tenant (``workspace`` is None) or of a workspace: the cap (None for
    none), how many are taken (active members plus live invites), and how many are left."""

    workspace: Optional[str]
    limit: Optional[int]
    taken: int
    available: Optional[int]


@dataclass(frozen=True)
class CustomRole:
    """A role defined by the tenant."""

    id: str
    tenant_id: str
    name: str
    permissions: Tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class RoleAssignment:
    """A member's role tenant-wide (``workspace is None``) or in a workspace."""

    member_id: str
    role: str
    workspace: Optional[str]


@dataclass(frozen=True)
class WorkspaceMember:
    """A member of a workspace and their role there."""

    member: Member
    role: str


@dataclass(frozen=True)
class TeamMember:
    """A team member (a role other than customer somewhere) and those roles."""

    member: Member
    roles: Tuple[RoleAssignment, ...]


@dataclass(frozen=True)
class PasswordCheck:
    """A successful sign-in check."""

    member: Member
    must_change: bool


@dataclass(frozen=True)
class Impersonation:
    """A "log in as this user" session."""

    id: str
    tenant_id: str
    actor_id: str
    target_id: str
    reason: str
    started_at: datetime
    ends_at: datetime
    ended_at: Optional[datetime]


@dataclass(frozen=True)
class IssuedImpersonation:
    """A started session and its secret token, returned once."""

    session: Impersonation
    token: str

    def __repr__(self) -> str:
        return f"IssuedImpersonation(session={self.session!r}, token='mkimp_****')"


@dataclass(frozen=True)
class Handoff:
    """What the console hands to the host to finish: ``kind`` is ``"impersonation"`` (keep
    ``impersonation.token`` in the admin's session) or ``"accepted"`` (sign ``email`` up or in
    for ``tenant_id``)."""

    kind: str
    impersonation: Optional[IssuedImpersonation]
    tenant_id: Optional[str]
    email: Optional[str]


@dataclass(frozen=True)
class ConsoleResponse:
    """One answer of the console: status, headers and body, and a handoff for the host."""

    status: int
    headers: Tuple[Tuple[str, str], ...]
    body: bytes
    handoff: Optional[Handoff]
    rest: Optional[Iterator[bytes]] = None
    """More of the body still being made (a long import's progress, then its result): send
    each chunk as it comes, after ``body``. Iterating waits for the next one."""

    def __repr__(self) -> str:
        # The body may hold a one-time password or link; it stays out of reprs and logs.
        growing = ", rest=<more to come>" if self.rest is not None else ""
        return f"ConsoleResponse(status={self.status}, headers={self.headers!r}, body=<{len(self.body)} bytes>, handoff={self.handoff!r}{growing})"


@dataclass(frozen=True)
class ProductRef:
    """A product on a customer-list row."""

    id: str
    name: str
    via: Optional[str]
    """The bundle it comes through, when the member holds no grant to it directly."""


@dataclass(frozen=True)
class CustomerRow:
    """A customer-list row: the member and the paid products they can use now (their grants,
    and what their bundles include, with `via` naming the bundle)."""

    member: Member
    products: Tuple[ProductRef, ...]


@dataclass(frozen=True)
class CustomerPage:
    """A page of customers; pass ``next_cursor`` for the next one (``None`` on the last)."""

    rows: Tuple[CustomerRow, ...]
    next_cursor: Optional[str]


@dataclass(frozen=True)
class ImportRow:
    """One input row's outcome: ``created``, ``existing``, ``updated``, ``invalid``,
    ``duplicate_in_file`` or ``seat_limit``."""

    line: int
    email: Optional[str]
    name: Optional[str]
    outcome: str
    reason: Optional[str]
    member_id: Optional[str]
    invite_token: Optional[str]
    temporary_password: Optional[str]

    def __repr__(self) -> str:
        # The secrets are shown once, through the fields; never in a repr or a log line.
        token = "'mki_****'" if self.invite_token is not None else "None"
        password = "'****'" if self.temporary_password is not None else "None"
        return (
            f"ImportRow(line={self.line}, email={self.email!r}, name={self.name!r}, "
            f"outcome={self.outcome!r}, reason={self.reason!r}, member_id={self.member_id!r}, "
            f"invite_token={token}, temporary_password={password})"
        )


@dataclass(frozen=True)
class ImportReport:
    """The result of an import. ``applied`` is false for dry runs and stopped runs;
    ``written`` is how many rows, from the top of the file, are in the database."""

    rows: Tuple[ImportRow, ...]
    applied: bool
    written: int
    dry_run: bool
    temporary_passwords_csv: str = field(repr=False)

    def count(self, outcome: str) -> int:
        """How many rows had ``outcome``."""
        return sum(1 for r in self.rows if r.outcome == outcome)


@dataclass(frozen=True)
class AuditEntry:
    """One audit log line."""

    id: str
    tenant_id: str
    at: datetime
    actor: str
    """`"system"`, or the acting member's id: the form every call and `audit(actor=...)` take."""
    action: str
    subject: str
    details: Any


@dataclass(frozen=True)
class OutboxEvent:
    """An event for the host to act on; acknowledge it with ``ack``. ``channel`` says whether a
    host would send an email for it (``email``), show it in the app (``in_app``), or only act
    on it itself (``system``)."""

    id: str
    tenant_id: str
    kind: str
    channel: str
    payload: Any
    created_at: datetime
    delivered_at: Optional[datetime]


@dataclass(frozen=True)
class SweepReport:
    """What one ``Hub.sweep`` wrote: the tenants whose window it covered and the events."""

    tenants: int
    events: int


@dataclass(frozen=True)
class WorkspaceDomain:
    """An email domain a workspace takes people from: ``enrollment`` is ``join`` or
    ``suggest``; ``role`` is their role in the workspace."""

    workspace: str
    domain: str
    enrollment: str
    role: str
    created_at: datetime
