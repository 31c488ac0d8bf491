//! Defects the model-based test found, each kept as a plain test of what a user would see.

use crate::fixture::*;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(the_product_filter_lists_only_members_who_can_use_the_product_now),
    case!(an_archived_free_product_filter_lists_nobody),
];

fn listed(f: &Fixture, product: ProductId) -> (Vec<MemberId>, usize) {
    let q = CustomerQuery {
        product: Some(product),
        ..Default::default()
    };
    let page = f.tenant.customers(&q).unwrap();
    let ids = page.rows.iter().map(|r| r.member.id).collect();
    (ids, f.tenant.count_customers(&q).unwrap())
}

/// Shrunk from: import with a product, then deactivate (and: invite, then grant while invited).
fn the_product_filter_lists_only_members_who_can_use_the_product_now() {
    let f = Fixture::new();
    let course = f.course("Course").id;
    let active = f.customer("active@example.com", &[course]);
    let deactivated = f.customer("gone@example.com", &[course]);
    f.tenant.deactivate(Actor::System, deactivated.id).unwrap();
    let invited = f
        .tenant
        .invite(Actor::System, NewInvite::new("later@example.com"))
        .unwrap()
        .invite
        .member_id;
    f.tenant
        .grant(Actor::System, invited, course, GrantOptions::default())
        .unwrap();
    for (m, expected) in [(active.id, true), (deactivated.id, false), (invited, false)] {
        assert_eq!(f.tenant.has_access(m, course).unwrap(), expected);
    }
    assert_eq!(listed(&f, course), (vec![active.id], 1));
}

/// Shrunk from: archive the free product, then add a customer.
fn an_archived_free_product_filter_lists_nobody() {
    let f = Fixture::new();
    let free = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::free("Community", ProductKind::Community),
        )
        .unwrap()
        .id;
    let m = f.customer("ada@example.com", &[]);
    assert_eq!(listed(&f, free), (vec![m.id], 1));
    f.tenant.archive_product(Actor::System, free).unwrap();
    assert!(!f.tenant.has_access(m.id, free).unwrap());
    assert_eq!(listed(&f, free), (vec![], 0));
}
