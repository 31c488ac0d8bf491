//! The one error type of memberkit, with a stable string code per case.

use crate::ids::{MemberId, WorkspaceId};
use time::OffsetDateTime;

/// Result alias used across memberkit.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The stable, machine-readable code of an [`Error`].
///
/// Bindings match on this exhaustively (no wildcard arm), so adding a variant breaks their
/// builds until they map it: Python to an exception class, Node to an `err.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// An id, email or token does not exist in this tenant.
    NotFound,
    /// The acting member lacks the permission the call needs.
    PermissionDenied,
    /// An argument is malformed (bad email, empty name, free product in a grant, …).
    InvalidInput,
    /// The call clashes with existing data (email or external id taken, already a member, …).
    Conflict,
    /// The invite's lifetime has passed.
    InviteExpired,
    /// The invite was revoked.
    InviteRevoked,
    /// The invite was already accepted; tokens are single-use.
    InviteUsed,
    /// The invite token was presented for an email address other than the invited one.
    InviteEmailMismatch,
    /// The member is deactivated; reactivate first.
    MemberDeactivated,
    /// The impersonation session has ended (expired, ended, or a party was deactivated).
    ImpersonationEnded,
    /// The change would fill more seats than the tenant or the workspace allows.
    SeatLimit,
    /// The storage backend failed (I/O, corruption, busy beyond the timeout).
    Storage,
}

impl ErrorCode {
    /// Every code, in a stable order (used by binding tests to prove full coverage).
    pub const ALL: [ErrorCode; 12] = [
        ErrorCode::NotFound,
        ErrorCode::PermissionDenied,
        ErrorCode::InvalidInput,
        ErrorCode::Conflict,
        ErrorCode::InviteExpired,
        ErrorCode::InviteRevoked,
        ErrorCode::InviteUsed,
        ErrorCode::InviteEmailMismatch,
        ErrorCode::MemberDeactivated,
        ErrorCode::ImpersonationEnded,
        ErrorCode::SeatLimit,
        ErrorCode::Storage,
    ];

    /// The stable snake_case string, identical in Rust, Python (`err.code`) and Node (`err.code`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Conflict => "conflict",
            ErrorCode::InviteExpired => "invite_expired",
            ErrorCode::InviteRevoked => "invite_revoked",
            ErrorCode::InviteUsed => "invite_used",
            ErrorCode::InviteEmailMismatch => "invite_email_mismatch",
            ErrorCode::MemberDeactivated => "member_deactivated",
            ErrorCode::ImpersonationEnded => "impersonation_ended",
            ErrorCode::SeatLimit => "seat_limit",
            ErrorCode::Storage => "storage",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in a memberkit call. A call that returns an error changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such row in this tenant. Rows of other tenants are reported as not found too.
    #[error("{entity} not found: {key}")]
    NotFound {
        /// What was looked up: `tenant`, `member`, `product`, `invite`, …
        entity: &'static str,
        /// The id, email or token prefix that was looked up.
        key: String,
    },
    /// The actor may not do this.
    #[error("permission denied: {actor} lacks `{permission}`")]
    PermissionDenied {
        /// Who tried.
        actor: String,
        /// The permission the call needs.
        permission: String,
    },
    /// An argument is malformed.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument at fault.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The change clashes with existing data.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The invite expired at the given instant.
    #[error("invite expired at {expired_at}")]
    InviteExpired {
        /// When the invite stopped being valid.
        expired_at: OffsetDateTime,
    },
    /// The invite was revoked.
    #[error("invite was revoked")]
    InviteRevoked,
    /// The invite was already accepted.
    #[error("invite was already used")]
    InviteUsed,
    /// The token belongs to an invite for another email address.
    #[error("invite is for a different email address")]
    InviteEmailMismatch,
    /// The member is deactivated.
    #[error("member {0} is deactivated")]
    MemberDeactivated(MemberId),
    /// The impersonation session is over.
    #[error("impersonation session has ended")]
    ImpersonationEnded,
    /// Every seat is taken: the change would fill more than `limit` seats of the tenant
    /// (`workspace: None`) or of a workspace. Free a seat (revoke an invite, deactivate or
    /// remove a member) or ask the platform for more.
    #[error("seat limit reached: {limit} seats{}", match .workspace { Some(ws) => format!(" in workspace {ws}"), None => String::new() })]
    SeatLimit {
        /// The workspace whose cap was reached, or `None` for the tenant's.
        workspace: Option<WorkspaceId>,
        /// The cap.
        limit: u32,
    },
    /// The storage backend failed.
    #[error("storage error: {message}")]
    Storage {
        /// What failed.
        message: String,
        /// The backend's own error, when there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::PermissionDenied { .. } => ErrorCode::PermissionDenied,
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::InviteExpired { .. } => ErrorCode::InviteExpired,
            Error::InviteRevoked => ErrorCode::InviteRevoked,
            Error::InviteUsed => ErrorCode::InviteUsed,
            Error::InviteEmailMismatch => ErrorCode::InviteEmailMismatch,
            Error::MemberDeactivated(_) => ErrorCode::MemberDeactivated,
            Error::ImpersonationEnded => ErrorCode::ImpersonationEnded,
            Error::SeatLimit { .. } => ErrorCode::SeatLimit,
            Error::Storage { .. } => ErrorCode::Storage,
        }
    }

    /// A storage error wrapping a backend error. The message carries the error's causes too
    /// (a database driver's own text is often only "db error"; the server's is in its source),
    /// on one line.
    pub fn storage(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        let mut message = source.to_string();
        let mut cause = source.source();
        while let Some(inner) = cause {
            let text = inner.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            cause = inner.source();
        }
        Error::Storage {
            message: message.replace('\n', "; "),
            source: Some(Box::new(source)),
        }
    }

    pub(crate) fn not_found(entity: &'static str, key: impl ToString) -> Self {
        Error::NotFound {
            entity,
            key: key.to_string(),
        }
    }

    /// An `invalid_input` error about `field` (for stores and crates built on the core).
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}
