//! What an operator reads about a whole hub: every tenant, the counts across tenants, the
//! store's report on itself.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(tenants_lists_every_tenant_oldest_first),
    case!(stats_count_every_tenant_by_status_as_the_lists_do),
    case!(a_store_reports_its_schema_and_finds_nothing_wrong),
];

fn tenants_lists_every_tenant_oldest_first() {
    let f = Fixture::new();
    f.advance(Duration::minutes(1));
    let second = f.hub.create_tenant("Second").unwrap();
    f.advance(Duration::minutes(1));
    let third = f.hub.create_tenant("Third").unwrap();
    let listed = f.hub.tenants().unwrap();
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Ada's Academy", "Second", "Third"]);
    let ids: Vec<_> = listed.iter().map(|t| t.id).collect();
    assert_eq!(ids, [f.tenant.id(), second.id(), third.id()]);
    assert_eq!(listed[1], second.info().unwrap(), "each as `info` reads it");
}

fn stats_count_every_tenant_by_status_as_the_lists_do() {
    let f = Fixture::new();
    let course = f.course("Course");
    let other = f.hub.create_tenant("Other").unwrap();
    let ada = f.customer("ada@x.com", &[course.id]);
    f.customer("bob@x.com", &[course.id]);
    f.tenant.deactivate(Actor::System, ada.id).unwrap();
    let invite = |t: &Tenant, email: &str| t.invite(Actor::System, NewInvite::new(email)).unwrap();
    invite(&f.tenant, "lapses@x.com");
    f.advance(Duration::days(30));
    invite(&f.tenant, "waits@x.com");
    let revoked = invite(&other, "revoked@x.com");
    other
        .revoke_invite(Actor::System, revoked.invite.id)
        .unwrap();
    invite(&other, "accepts@x.com");
    f.hub.claim("accepts@x.com").unwrap();
    let stats = f.hub.stats().unwrap();
    assert_eq!(stats.tenants, 2);
    // Members by status: what the two tenants' customer lists count.
    for (status, n) in &stats.members {
        let query = CustomerQuery {
            status: Some(*status),
            ..Default::default()
        };
        let listed =
            f.tenant.count_customers(&query).unwrap() + other.count_customers(&query).unwrap();
        assert_eq!(*n, listed, "{status}");
    }
    assert_eq!(
        stats.members.len(),
        MemberStatus::ALL.len(),
        "every status is listed"
    );
    assert_eq!(stats.open_grants, 2);
    let invites: Vec<(InviteStatus, usize)> = stats.invites.clone();
    let of = |s| invites.iter().find(|(x, _)| *x == s).unwrap().1;
    assert_eq!(of(InviteStatus::Pending), 1);
    assert_eq!(
        of(InviteStatus::Expired),
        1,
        "an invite past its lifetime counts as expired"
    );
    assert_eq!(of(InviteStatus::Revoked), 1);
    assert_eq!(of(InviteStatus::Accepted), 1);
    assert_eq!(of(InviteStatus::Declined), 0);
    let outbox = f.hub.outbox(1000).unwrap().len();
    assert_eq!(stats.outbox_pending, outbox);
}

fn a_store_reports_its_schema_and_finds_nothing_wrong() {
    let f = Fixture::new();
    f.customer("ada@x.com", &[]);
    let report = f.hub.check().unwrap();
    assert!(!report.engine.is_empty());
    assert_eq!(report.schema_version, report.latest_schema_version);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    if let Some(size) = report.size_bytes {
        assert!(size > 0);
    }
}
