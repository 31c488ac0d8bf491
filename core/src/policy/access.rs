//! Who may use what, and what a grant request changes.

use crate::model::{Grant, MemberStatus};
use crate::store::AccessFacts;
use time::OffsetDateTime;

/// Whether the member may use the product at `now`: they are active, and the product is free
/// and not archived, or they hold an unrevoked grant whose window holds `now`
/// ([`GrantWindow::contains`]: a grant starts at `starts_at` and ends at `expires_at` exactly).
pub(crate) fn decide(facts: &AccessFacts, now: OffsetDateTime) -> bool {
    if facts.member_status != MemberStatus::Active {
        return false;
    }
    if !facts.product_paid {
        return !facts.product_archived;
    }
    facts
        .open_grant
        .iter()
        .chain(&facts.bundle_grants)
        .any(|window| window.contains(now))
}

/// What granting does, given the member's open (unrevoked) grant for the product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GrantChange {
    /// An identical active grant exists: nothing to write, no event.
    Unchanged,
    /// The open grant is renewed in place with the new expiry, source and granter.
    Renewed(Grant),
    /// A new grant row.
    New(Grant),
}

/// Decides a grant: `wanted` is the grant as it would be created now.
pub(crate) fn grant_change(open: Option<&Grant>, wanted: Grant) -> GrantChange {
    match open {
        // Same end, and: granting from now finds it granting already, or granting from a later
        // instant finds it starting then.
        Some(g)
            if g.expires_at == wanted.expires_at
                && match wanted.starts_at {
                    None => g.is_active_at(wanted.granted_at),
                    Some(s) => g.starts_at == Some(s),
                } =>
        {
            GrantChange::Unchanged
        }
        Some(g) => GrantChange::Renewed(Grant {
            expires_at: wanted.expires_at,
            starts_at: wanted.starts_at,
            granted_at: wanted.granted_at,
            granted_by: wanted.granted_by,
            source: wanted.source,
            ..g.clone()
        }),
        None => GrantChange::New(wanted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::*;
    use crate::model::{Actor, GrantSource, GrantWindow};
    use time::Duration;

    fn grant(at: OffsetDateTime, expires_at: Option<OffsetDateTime>) -> Grant {
        Grant {
            id: GrantId::new(),
            tenant_id: TenantId::new(),
            member_id: MemberId::new(),
            product_id: ProductId::new(),
            source: GrantSource::Manual,
            granted_by: Actor::System,
            granted_at: at,
            expires_at,
            revoked_at: None,
            revoked_by: None,
            starts_at: None,
        }
    }

    #[test]
    fn a_grant_ends_at_its_expiry_instant_exactly() {
        let at = OffsetDateTime::UNIX_EPOCH + Duration::days(1);
        let facts = AccessFacts {
            member_status: MemberStatus::Active,
            product_paid: true,
            product_archived: false,
            open_grant: Some(GrantWindow {
                starts_at: None,
                expires_at: Some(at),
            }),
            bundle_grants: Vec::new(),
        };
        assert!(decide(&facts, at - Duration::microseconds(1)));
        assert!(!decide(&facts, at));
        let invited = AccessFacts {
            member_status: MemberStatus::Invited,
            ..facts.clone()
        };
        assert!(!decide(&invited, at - Duration::hours(1)));
    }

    #[test]
    fn any_live_bundle_grant_gives_access_without_a_grant_of_its_own() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(5);
        let ended = GrantWindow {
            starts_at: None,
            expires_at: Some(now),
        };
        let facts = AccessFacts {
            member_status: MemberStatus::Active,
            product_paid: true,
            product_archived: false,
            open_grant: None,
            bundle_grants: vec![ended],
        };
        assert!(!decide(&facts, now), "the only bundle grant ended");
        let live = AccessFacts {
            bundle_grants: vec![ended, GrantWindow::default()],
            ..facts.clone()
        };
        assert!(decide(&live, now));
        let deactivated = AccessFacts {
            member_status: MemberStatus::Deactivated,
            ..live
        };
        assert!(!decide(&deactivated, now));
    }

    #[test]
    fn a_grant_starts_at_its_start_instant_exactly() {
        let start = OffsetDateTime::UNIX_EPOCH + Duration::days(3);
        let facts = AccessFacts {
            member_status: MemberStatus::Active,
            product_paid: true,
            product_archived: false,
            open_grant: Some(GrantWindow {
                starts_at: Some(start),
                expires_at: None,
            }),
            bundle_grants: Vec::new(),
        };
        assert!(!decide(&facts, start - Duration::microseconds(1)));
        assert!(decide(&facts, start));
    }

    #[test]
    fn granting_a_future_start_again_changes_only_what_differs() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(10);
        let later = now + Duration::days(7);
        let future = Grant {
            starts_at: Some(later),
            ..grant(now, None)
        };
        let same = Grant {
            starts_at: Some(later),
            ..grant(now, None)
        };
        assert_eq!(grant_change(Some(&future), same), GrantChange::Unchanged);
        let GrantChange::Renewed(now_instead) = grant_change(Some(&future), grant(now, None))
        else {
            panic!("granting from now starts a future grant now");
        };
        assert_eq!(now_instead.starts_at, None);
        let open = grant(now - Duration::days(1), None);
        let GrantChange::Renewed(delayed) = grant_change(
            Some(&open),
            Grant {
                starts_at: Some(later),
                ..grant(now, None)
            },
        ) else {
            panic!("a later start is a change");
        };
        assert_eq!(delayed.starts_at, Some(later));
    }

    #[test]
    fn granting_again_renews_unless_nothing_would_change() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(10);
        let open = grant(now - Duration::days(5), None);
        let same = grant(now, None);
        assert_eq!(grant_change(Some(&open), same), GrantChange::Unchanged);
        let later = Some(now + Duration::days(30));
        let GrantChange::Renewed(renewed) = grant_change(Some(&open), grant(now, later)) else {
            panic!("a new expiry renews the open grant");
        };
        assert_eq!((renewed.id, renewed.expires_at), (open.id, later));
        let expired = grant(now - Duration::days(5), Some(now - Duration::days(1)));
        assert!(matches!(
            grant_change(Some(&expired), grant(now, None)),
            GrantChange::Renewed(_)
        ));
        assert!(matches!(
            grant_change(None, grant(now, None)),
            GrantChange::New(_)
        ));
    }
}
