//! Facts about a tenant's team that several operations rely on.

use crate::model::{Member, MemberStatus};
use crate::store::RoleUsage;

/// How many of the tenant-wide admins count for the last-admin guard: the active ones (a
/// deactivated or still-invited admin cannot manage anything).
pub(crate) fn active_admins(admins: &[Member]) -> usize {
    admins
        .iter()
        .filter(|m| m.status == MemberStatus::Active)
        .count()
}

/// A custom role is in use while someone holds it or a pending invite (expired or not: it can
/// be resent) would give it.
pub(crate) fn role_in_use(usage: RoleUsage) -> bool {
    usage.assignments > 0 || usage.pending_invites > 0
}
