"""memberkit: the customers-and-access back office, embedded.

>>> import memberkit
>>> hub = memberkit.Hub.open(":memory:")
>>> t = hub.create_tenant("Ada's Academy")
>>> course = t.create_product(memberkit.SYSTEM, "Rust 101", "course")
>>> ada = t.add_customer(memberkit.SYSTEM, "ada@example.com", products=[course.id])
>>> t.has_access(ada.member.id, course.id)
True

Every mutating call takes the acting party first: ``memberkit.SYSTEM`` (the host platform,
trusted) or a member id, whose permissions are checked. Errors are subclasses of
:class:`MemberkitError` with a stable ``code``.
"""

from __future__ import annotations

from ._errors import (
    ConflictError,
    ImpersonationEndedError,
    InvalidInputError,
    InviteEmailMismatchError,
    InviteExpiredError,
    InviteRevokedError,
    InviteUsedError,
    MemberDeactivatedError,
    MemberkitError,
    NotFoundError,
    PermissionDeniedError,
    SeatLimitError,
    StorageError,
    ERRORS_BY_CODE,
)
from ._native import ERROR_CODES, PERMISSIONS, Hub, ManualClock, Tenant, __version__
from ._types import (
    Accepted,
    AddedCustomer,
    AuditEntry,
    ConsoleResponse,
    Handoff,
    CustomerPage,
    CustomerRow,
    CustomRole,
    Grant,
    Impersonation,
    ImportReport,
    ImportRow,
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
    ProductRef,
    RoleAssignment,
    Seats,
    SweepReport,
    TenantInfo,
    Workspace,
    WorkspaceDomain,
    TeamMember,
    WorkspaceMember,
)

SYSTEM = "system"
"""The actor for calls the host platform makes on its own authority."""

__all__ = [
    "SYSTEM", "ERROR_CODES", "PERMISSIONS", "ERRORS_BY_CODE", "Hub", "Tenant", "ManualClock",
    "__version__",
    "MemberkitError", "NotFoundError", "PermissionDeniedError", "InvalidInputError",
    "ConflictError", "InviteExpiredError", "InviteRevokedError", "InviteUsedError",
    "InviteEmailMismatchError", "MemberDeactivatedError", "ImpersonationEndedError",
    "SeatLimitError", "StorageError",
    "Accepted", "AddedCustomer", "AuditEntry", "CustomerPage", "CustomerRow", "CustomRole",
    "Grant", "Impersonation", "ImportReport", "ImportRow", "Invite", "InviteForEmail",
    "IssuedImpersonation", "IssuedInvite", "Member", "Membership", "OutboxEvent", "PasswordCheck", "Product", "ProductAccess",
    "ProductRef", "RoleAssignment", "Seats", "SweepReport", "TenantInfo", "Workspace", "WorkspaceDomain", "WorkspaceMember", "TeamMember", "ConsoleResponse", "Handoff",
]
