//! Who may use what, and what a grant request changes.

use crate::model::{Grant, MemberStatus};
use crate::store::AccessFacts;
use time::OffsetDateTime;

/// Whether the member may use the product at `now`: they are active, and the product is free
/// and not archived, or they hold an unrevoked grant that has not expired ([`Grant::is_active_at`]:
/// a grant ends at its `expires_at` exactly).
pub(crate) fn decide(facts: &AccessFacts, now: OffsetDateTime) -> bool {
    if facts.member_status != MemberStatus::Active {
        return false;
    }
    if !facts.product_paid {
        return !facts.product_archived;
    }
    facts
        .open_grant
        .is_some_and(|expires| expires.is_none_or(|at| now < at))
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
        Some(g) if g.is_active_at(wanted.granted_at) && g.expires_at == wanted.expires_at => {
            GrantChange::Unchanged
        }
        Some(g) => GrantChange::Renewed(Grant {
            expires_at: wanted.expires_at,
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
    use crate::model::{Actor, GrantSource};
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
        }
    }

    #[test]
    fn a_grant_ends_at_its_expiry_instant_exactly() {
        let at = OffsetDateTime::UNIX_EPOCH + Duration::days(1);
        let facts = AccessFacts {
            member_status: MemberStatus::Active,
            product_paid: true,
            product_archived: false,
            open_grant: Some(Some(at)),
        };
        assert!(decide(&facts, at - Duration::microseconds(1)));
        assert!(!decide(&facts, at));
        let invited = AccessFacts {
            member_status: MemberStatus::Invited,
            ..facts
        };
        assert!(!decide(&invited, at - Duration::hours(1)));
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
