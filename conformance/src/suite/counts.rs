//! The customer count by status (what the customer list shows above its first page) follows
//! every way a member comes, changes status and goes, in bulk as one by one, per tenant.

use super::import::opts;
use crate::fixture::*;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[case!(
    the_count_by_status_follows_every_change_and_stays_in_its_tenant
)];

const STATUSES: [Option<MemberStatus>; 4] = [
    None,
    Some(MemberStatus::Invited),
    Some(MemberStatus::Active),
    Some(MemberStatus::Deactivated),
];

/// Every member of `tenant` with `status`, by paging the list.
fn listed(tenant: &Tenant, status: Option<MemberStatus>) -> usize {
    let mut query = CustomerQuery {
        status,
        limit: 100,
        ..Default::default()
    };
    let mut n = 0;
    loop {
        let page = tenant.customers(&query).unwrap();
        n += page.rows.len();
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => return n,
        }
    }
}

/// (all, invited, active, deactivated) counted, after checking each against the list.
fn counts(tenant: &Tenant, step: &str) -> [usize; 4] {
    STATUSES.map(|status| {
        let q = CustomerQuery {
            status,
            ..Default::default()
        };
        let n = tenant.count_customers(&q).unwrap();
        assert_eq!(n, listed(tenant, status), "{step}: {status:?}");
        n
    })
}

fn the_count_by_status_follows_every_change_and_stays_in_its_tenant() {
    let f = Fixture::new();
    let other = f.hub.create_tenant("Other").unwrap();
    other
        .add_customer(Actor::System, NewCustomer::new("o@x.com"))
        .unwrap();
    let course = f.course("Course");
    assert_eq!(counts(&f.tenant, "empty"), [0, 0, 0, 0]);

    let a = f.customer("a@x.com", &[course.id]);
    let b = f.customer("b@x.com", &[]);
    let invite = |email: &str| {
        f.tenant
            .invite(Actor::System, NewInvite::new(email).product(course.id))
            .unwrap()
    };
    let c = invite("c@x.com");
    invite("d@x.com");
    assert_eq!(counts(&f.tenant, "added and invited"), [4, 2, 2, 0]);

    f.tenant.accept(c.token.expose(), Some("c@x.com")).unwrap();
    f.tenant.claim("d@x.com").unwrap();
    f.tenant.deactivate(Actor::System, a.id).unwrap();
    assert_eq!(counts(&f.tenant, "accepted, deactivated"), [4, 0, 3, 1]);

    f.tenant.reactivate(Actor::System, a.id).unwrap();
    f.tenant.remove_member(Actor::System, b.id).unwrap();
    f.tenant.deactivate(Actor::System, b.id).unwrap_err();
    assert_eq!(counts(&f.tenant, "reactivated, removed"), [3, 0, 3, 0]);

    // Bulk: an import of new people (one of them already here), invited and granted.
    let csv = "email\na@x.com\ni1@x.com\ni2@x.com\ni3@x.com\n";
    f.tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(csv),
            &opts(ImportMode::Invite, &[course.id]),
        )
        .unwrap();
    let csv = "email\ng1@x.com\ng2@x.com\n";
    f.tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(csv),
            &opts(ImportMode::Grant, &[course.id]),
        )
        .unwrap();
    assert_eq!(counts(&f.tenant, "imported"), [8, 3, 5, 0]);

    // A failed call counts nothing.
    f.tenant
        .add_customer(Actor::System, NewCustomer::new("not an email"))
        .unwrap_err();
    assert_eq!(counts(&f.tenant, "refused"), [8, 3, 5, 0]);
    assert_eq!(counts(&other, "the other tenant"), [1, 0, 1, 0]);

    // Active-only (how a free product filters) is the active count.
    let free = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::free("Newsletter", ProductKind::Community),
        )
        .unwrap();
    let q = CustomerQuery {
        product: Some(free.id),
        ..Default::default()
    };
    assert_eq!(f.tenant.count_customers(&q).unwrap(), 5);
}
