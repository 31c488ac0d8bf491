//! When an invite is pending, expired or spent, and what a status filter asks a store for.

use crate::error::{Error, Result};
use crate::model::{Invite, InviteStatus, TenantSettings};
use crate::store::InviteFilter;
use time::{Duration, OffsetDateTime};

/// Checks a lifetime asked for one invite: one minute up to the tenant's
/// `max_invite_lifetime`.
pub(crate) fn check_lifetime(requested: Option<Duration>, settings: &TenantSettings) -> Result<()> {
    match requested {
        Some(d) if d < Duration::minutes(1) || d > settings.max_invite_lifetime => {
            Err(Error::invalid(
                "lifetime",
                format!(
                    "must be between one minute and the tenant's max_invite_lifetime ({} s)",
                    settings.max_invite_lifetime.whole_seconds()
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// How long an invite's link lives from a send or resend: its own lifetime, never past the
/// tenant's current maximum, or the tenant's default.
pub(crate) fn lifetime_of(
    invite_lifetime: Option<Duration>,
    settings: &TenantSettings,
) -> Duration {
    match invite_lifetime {
        Some(d) => d.min(settings.max_invite_lifetime),
        None => settings.invite_lifetime,
    }
}

/// Whether a call that finds an invite by email (a sign-up's `claim`, `decline_pending`,
/// `accept_suggestion`) sees this stored-pending invite at `now`: an expired invite is not
/// pending, so those calls find nothing. A link to it still answers `invite_expired`.
pub(crate) fn is_live(invite: &Invite, now: OffsetDateTime) -> bool {
    invite.status_at(now) == InviteStatus::Pending
}

/// Whether a sign-up with the invite's email accepts it at `now`: live, and not a domain's
/// suggestion (the person takes those themselves).
pub(crate) fn sign_up_claims(invite: &Invite, now: OffsetDateTime) -> bool {
    !invite.suggested && is_live(invite, now)
}

/// `Ok` if the invite can still be accepted at `now`; otherwise the error saying why.
pub(crate) fn check_usable(invite: &Invite, now: OffsetDateTime) -> Result<()> {
    match invite.status_at(now) {
        InviteStatus::Pending => Ok(()),
        InviteStatus::Accepted => Err(Error::InviteUsed),
        // Declined by the invitee: dead like a revoked link.
        InviteStatus::Revoked | InviteStatus::Declined => Err(Error::InviteRevoked),
        InviteStatus::Expired => Err(Error::InviteExpired {
            expired_at: invite.expires_at,
        }),
    }
}

/// The invite with the status it has at `now` (a store keeps `pending` past the expiry).
pub(crate) fn with_current_status(mut invite: Invite, now: OffsetDateTime) -> Invite {
    invite.status = invite.status_at(now);
    invite
}

/// The stored rows that have `status` at `now`: `expired` is a pending row whose expiry has
/// passed ([`Invite::status_at`]), `pending` one whose expiry has not; `declined` a revoked row
/// with `declined_at`, `revoked` one without.
pub(crate) fn filter(
    status: Option<InviteStatus>,
    now: OffsetDateTime,
    limit: usize,
) -> InviteFilter {
    let all = InviteFilter {
        stored_status: None,
        expires_after: None,
        expires_by: None,
        declined: None,
        limit,
    };
    match status {
        None => all,
        Some(InviteStatus::Pending) => InviteFilter {
            stored_status: Some(InviteStatus::Pending),
            expires_after: Some(now),
            ..all
        },
        Some(InviteStatus::Expired) => InviteFilter {
            stored_status: Some(InviteStatus::Pending),
            expires_by: Some(now),
            ..all
        },
        Some(InviteStatus::Revoked) => InviteFilter {
            stored_status: Some(InviteStatus::Revoked),
            declined: Some(false),
            ..all
        },
        Some(InviteStatus::Declined) => InviteFilter {
            stored_status: Some(InviteStatus::Revoked),
            declined: Some(true),
            ..all
        },
        Some(stored) => InviteFilter {
            stored_status: Some(stored),
            ..all
        },
    }
}
