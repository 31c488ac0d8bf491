//! Seats: who fills one, and whether a change may fill more than a cap allows.
//!
//! A person fills a tenant seat while active, or while their invite is live (stored pending
//! and not expired), as Clerk and Better Auth count members plus pending invitations. In a
//! workspace, an active member fills a seat while they hold a role there; a person not yet
//! active fills one while their live invite is into that workspace. Stores count by the same
//! definition ([`Tx::seats_taken`](crate::store::Tx::seats_taken)).

use crate::error::{Error, Result};
use crate::ids::WorkspaceId;

/// Whether a person fills one of the tenant's seats.
pub(crate) fn fills_tenant_seat(active: bool, live_invite: bool) -> bool {
    active || live_invite
}

/// Whether a person fills one of a workspace's seats.
pub(crate) fn fills_workspace_seat(
    active: bool,
    role_there: bool,
    live_invite_there: bool,
) -> bool {
    if active {
        role_there
    } else {
        live_invite_there
    }
}

/// A capped scope (the tenant, or one workspace) and its seats taken before a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Capped {
    /// The workspace, or `None` for the tenant.
    pub(crate) workspace: Option<WorkspaceId>,
    /// Its cap.
    pub(crate) limit: u32,
    /// Seats taken before the change.
    pub(crate) before: usize,
}

impl Capped {
    /// `seat_limit` when the change left more seats taken than the cap and more than before.
    /// A change that fills no new seat passes even when a lowered cap is already exceeded:
    /// lowering a cap never locks the tenant out of renewing or renaming.
    pub(crate) fn check(&self, after: usize) -> Result<()> {
        if after > self.limit as usize && after > self.before {
            Err(self.error())
        } else {
            Ok(())
        }
    }

    /// Seats still free under the cap (none when it is already reached or exceeded).
    pub(crate) fn free(&self) -> usize {
        (self.limit as usize).saturating_sub(self.before)
    }

    /// The error for a change this cap does not allow.
    pub(crate) fn error(&self) -> Error {
        Error::SeatLimit {
            workspace: self.workspace,
            limit: self.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_fails_only_when_it_fills_a_seat_past_the_cap() {
        let cap = Capped {
            workspace: None,
            limit: 3,
            before: 3,
        };
        assert!(cap.check(3).is_ok(), "no new seat");
        assert_eq!(cap.check(4).unwrap_err().code().as_str(), "seat_limit");
        assert_eq!(cap.free(), 0);
        let lowered = Capped { before: 5, ..cap };
        assert!(
            lowered.check(5).is_ok(),
            "over a lowered cap, but no new seat"
        );
        assert!(lowered.check(4).is_ok());
        assert!(lowered.check(6).is_err());
        assert_eq!(lowered.free(), 0);
        let room = Capped { before: 1, ..cap };
        assert_eq!(room.free(), 2);
        assert!(room.check(3).is_ok());
    }

    #[test]
    fn who_fills_a_seat() {
        assert!(fills_tenant_seat(true, false));
        assert!(fills_tenant_seat(false, true));
        assert!(
            !fills_tenant_seat(false, false),
            "expired invite or deactivated"
        );
        assert!(fills_workspace_seat(true, true, false));
        assert!(
            !fills_workspace_seat(true, false, true),
            "an active member counts by their role"
        );
        assert!(fills_workspace_seat(false, false, true));
        assert!(!fills_workspace_seat(false, true, false), "deactivated");
    }
}
