//! How the store is asked for lists: customers and invites, validated and folded by the core,
//! and which customer counts the store may read from its kept per-status counts.

use crate::ids::*;
use crate::model::*;
use crate::query::CustomerSort;
use time::OffsetDateTime;

/// Which invite rows to list: every filter combines. The core turns a status asked for at an
/// instant into these (a stored `pending` row past its expiry is `expired`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InviteFilter {
    /// Only rows stored with this status (`pending`, `accepted` or `revoked`).
    pub stored_status: Option<InviteStatus>,
    /// Only rows whose `expires_at` is after this instant.
    pub expires_after: Option<OffsetDateTime>,
    /// Only rows whose `expires_at` is at or before this instant.
    pub expires_by: Option<OffsetDateTime>,
    /// Only rows with (`true`) or without (`false`) a `declined_at`.
    pub declined: Option<bool>,
    /// At most this many, newest first.
    pub limit: usize,
}

/// A customer-list query as the store runs it (validated and folded by the core).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFilter {
    /// Folded substring to find in the name or email.
    pub search: Option<String>,
    /// Only members with this status.
    pub status: Option<MemberStatus>,
    /// Only members with an active grant to this paid product.
    pub paid_product: Option<ProductId>,
    /// Only active members (how a free-product filter is expressed).
    pub active_only: bool,
    /// Only members with no active grant to any paid product.
    pub no_access: bool,
    /// Only members of this workspace.
    pub workspace: Option<WorkspaceId>,
    /// Order.
    pub sort: CustomerSort,
    /// Continue after this position: the position `Tx::customers` gave the last row of the
    /// previous page (opaque to the core; the store defines its keyset).
    pub after: Option<String>,
    /// Page size.
    pub limit: usize,
    /// The instant that decides which grants are active.
    pub now: OffsetDateTime,
}

/// How a customer count can be answered from the per-status member counts a store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptCount {
    /// The filter needs the members themselves (a search, a product, no access, a workspace).
    Rows,
    /// No member can match (a status other than active, among active members only).
    Zero,
    /// The sum of the kept counts: of this status only, or of every status for `None`.
    Sum(Option<MemberStatus>),
}

impl CustomerFilter {
    /// Whether the filter's count is a sum of kept per-status counts, and of which status.
    pub fn kept_count(&self) -> KeptCount {
        if self.search.is_some()
            || self.paid_product.is_some()
            || self.no_access
            || self.workspace.is_some()
        {
            return KeptCount::Rows;
        }
        match (self.status, self.active_only) {
            (Some(s), true) if s != MemberStatus::Active => KeptCount::Zero,
            (Some(s), _) => KeptCount::Sum(Some(s)),
            (None, true) => KeptCount::Sum(Some(MemberStatus::Active)),
            (None, false) => KeptCount::Sum(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> CustomerFilter {
        CustomerFilter {
            search: None,
            status: None,
            paid_product: None,
            active_only: false,
            no_access: false,
            workspace: None,
            sort: CustomerSort::default(),
            after: None,
            limit: 50,
            now: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_status_only_filter_is_a_sum_of_kept_counts() {
        assert_eq!(filter().kept_count(), KeptCount::Sum(None));
        let invited = CustomerFilter {
            status: Some(MemberStatus::Invited),
            ..filter()
        };
        assert_eq!(
            invited.kept_count(),
            KeptCount::Sum(Some(MemberStatus::Invited))
        );
        let free_product = CustomerFilter {
            active_only: true,
            ..filter()
        };
        assert_eq!(
            free_product.kept_count(),
            KeptCount::Sum(Some(MemberStatus::Active))
        );
    }

    #[test]
    fn active_only_with_another_status_matches_nobody() {
        let f = CustomerFilter {
            status: Some(MemberStatus::Deactivated),
            active_only: true,
            ..filter()
        };
        assert_eq!(f.kept_count(), KeptCount::Zero);
    }

    #[test]
    fn a_filter_on_the_members_themselves_needs_their_rows() {
        let search = CustomerFilter {
            search: Some("ada".into()),
            ..filter()
        };
        let no_access = CustomerFilter {
            no_access: true,
            ..filter()
        };
        assert_eq!(search.kept_count(), KeptCount::Rows);
        assert_eq!(no_access.kept_count(), KeptCount::Rows);
    }
}
