"""The memberkit exception hierarchy: one class per stable error code."""

from __future__ import annotations


class MemberkitError(Exception):
    """Base class of every error memberkit raises. ``code`` is the stable string code."""

    code: str = "memberkit_error"


class NotFoundError(MemberkitError, LookupError):
    """An id, email or token does not exist in this tenant (other tenants' rows included)."""

    code = "not_found"


class PermissionDeniedError(MemberkitError, PermissionError):
    """The acting member's role lacks the permission the call needs."""

    code = "permission_denied"


class InvalidInputError(MemberkitError, ValueError):
    """An argument is malformed: a bad email, an empty name, a free product in a grant, ..."""

    code = "invalid_input"


class ConflictError(MemberkitError):
    """The call clashes with stored data: an email or external id taken, the last admin, ..."""

    code = "conflict"


class InviteExpiredError(MemberkitError):
    """The invite's lifetime has passed. Resend or re-invite."""

    code = "invite_expired"


class InviteRevokedError(MemberkitError):
    """The invite was revoked."""

    code = "invite_revoked"


class InviteUsedError(MemberkitError):
    """The invite was already accepted; links are single-use."""

    code = "invite_used"


class InviteEmailMismatchError(MemberkitError):
    """The invite link was opened for an email other than the invited one."""

    code = "invite_email_mismatch"


class MemberDeactivatedError(MemberkitError):
    """The member is deactivated; reactivate them first."""

    code = "member_deactivated"


class ImpersonationEndedError(MemberkitError):
    """The impersonation session expired, was ended, or a side was deactivated."""

    code = "impersonation_ended"


class SeatLimitError(MemberkitError):
    """Every seat is taken: the call would fill a seat past the tenant's or a workspace's cap."""

    code = "seat_limit"


class StorageError(MemberkitError):
    """The database failed (I/O, corruption, a schema newer than this library)."""

    code = "storage"


ERRORS_BY_CODE: dict[str, type[MemberkitError]] = {
    cls.code: cls
    for cls in (
        NotFoundError,
        PermissionDeniedError,
        InvalidInputError,
        ConflictError,
        InviteExpiredError,
        InviteRevokedError,
        InviteUsedError,
        InviteEmailMismatchError,
        MemberDeactivatedError,
        ImpersonationEndedError,
        SeatLimitError,
        StorageError,
    )
}
