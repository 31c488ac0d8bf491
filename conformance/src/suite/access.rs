//! Products, customers, grants, revocation, expiry and free products.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(add_customer_grants_at_once_and_revoke_is_immediate),
    case!(same_email_in_any_case_reuses_the_member_and_adds_grants),
    case!(external_id_reuses_the_member_and_follows_an_email_change),
    case!(a_grant_expires_at_its_instant_exactly),
    case!(free_products_are_open_to_active_members_and_not_grantable),
    case!(archived_products_keep_existing_grants_but_take_no_new_ones),
    case!(product_kinds_round_trip_including_custom_ones),
    case!(bad_input_is_refused_and_changes_nothing),
    case!(a_call_with_one_bad_product_grants_nothing),
];

fn add_customer_grants_at_once_and_revoke_is_immediate() {
    let f = Fixture::new();
    let course = f.course("Rust 101");
    let added = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("Ada@Example.com")
                .name("Ada")
                .product(course.id),
        )
        .unwrap();
    assert_eq!(added.outcome, AddOutcome::Created);
    assert_eq!(added.member.email, "Ada@Example.com", "stored as given");
    assert_eq!(added.member.status, MemberStatus::Active);
    assert_eq!(added.granted.len(), 1);
    let ada = added.member.id;
    assert!(f.tenant.has_access(ada, course.id).unwrap());

    let revoked = f
        .tenant
        .revoke(Actor::System, ada, course.id)
        .unwrap()
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(f.hub.now()));
    assert!(
        !f.tenant.has_access(ada, course.id).unwrap(),
        "revoke is immediate"
    );
    assert_eq!(
        f.tenant.revoke(Actor::System, ada, course.id).unwrap(),
        None
    );
    assert_eq!(
        f.event_kinds(),
        ["access.granted", "access.revoked"],
        "one event per change, none for the no-op revoke"
    );
}

fn same_email_in_any_case_reuses_the_member_and_adds_grants() {
    let f = Fixture::new();
    let (a, b) = (f.course("A"), f.course("B"));
    let first = f.customer("grace@example.com", &[a.id]);
    let again = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("GRACE@example.COM").product(b.id),
        )
        .unwrap();
    assert_eq!(again.member.id, first.id);
    assert_eq!(again.outcome, AddOutcome::Existing);
    assert_eq!(
        again.member.email, "grace@example.com",
        "first spelling is kept"
    );
    let access: Vec<_> = f
        .tenant
        .access(first.id)
        .unwrap()
        .into_iter()
        .map(|p| p.product.id)
        .collect();
    assert_eq!(access, [a.id, b.id]);
    // Adding the same grant again is a no-op: no new grant, no event.
    let before = f.event_kinds().len();
    let same = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("grace@example.com").product(a.id),
        )
        .unwrap();
    assert!(same.granted.is_empty());
    assert_eq!(f.event_kinds().len(), before);
}

fn external_id_reuses_the_member_and_follows_an_email_change() {
    let f = Fixture::new();
    let m = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("old@example.com").external_id("crm-1"),
        )
        .unwrap()
        .member;
    let moved = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("new@example.com").external_id("crm-1"),
        )
        .unwrap();
    assert_eq!(moved.member.id, m.id);
    assert_eq!(moved.outcome, AddOutcome::Updated);
    assert_eq!(moved.member.email, "new@example.com");
    assert!(f
        .tenant
        .member_by_email("old@example.com")
        .unwrap()
        .is_none());

    // The email of one member with the external id of another is a conflict.
    f.customer("other@example.com", &[]);
    let clash = f.tenant.add_customer(
        Actor::System,
        NewCustomer::new("other@example.com").external_id("crm-1"),
    );
    assert_eq!(code(clash), "conflict");
    // A member keeps its external id; a different one is a conflict.
    let clash = f.tenant.add_customer(
        Actor::System,
        NewCustomer::new("new@example.com").external_id("crm-2"),
    );
    assert_eq!(code(clash), "conflict");
}

fn a_grant_expires_at_its_instant_exactly() {
    let f = Fixture::new();
    let course = f.course("Cohort");
    let m = f.customer("x@example.com", &[]);
    let ends = f.hub.now() + Duration::days(30);
    let g = f
        .tenant
        .grant(
            Actor::System,
            m.id,
            course.id,
            GrantOptions {
                expires_at: Some(ends),
                source: GrantSource::Purchase,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(g.expires_at, Some(ends));
    assert_eq!(g.source, GrantSource::Purchase);
    f.advance(Duration::days(30) - Duration::seconds(1));
    assert!(
        f.tenant.has_access(m.id, course.id).unwrap(),
        "one second before"
    );
    f.advance(Duration::seconds(1));
    assert!(
        !f.tenant.has_access(m.id, course.id).unwrap(),
        "at the instant"
    );
    f.advance(Duration::seconds(1));
    assert!(
        !f.tenant.has_access(m.id, course.id).unwrap(),
        "one second after"
    );
    assert!(f.tenant.access(m.id).unwrap().is_empty());

    // Granting again renews the expired grant.
    let renewed = f
        .tenant
        .grant(Actor::System, m.id, course.id, GrantOptions::default())
        .unwrap();
    assert_eq!(renewed.id, g.id);
    assert_eq!(renewed.expires_at, None);
    assert!(f.tenant.has_access(m.id, course.id).unwrap());
}

fn free_products_are_open_to_active_members_and_not_grantable() {
    let f = Fixture::new();
    let free = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::free("Community", ProductKind::Community),
        )
        .unwrap();
    let m = f.customer("a@example.com", &[]);
    assert!(f.tenant.has_access(m.id, free.id).unwrap());
    let granted = f
        .tenant
        .grant(Actor::System, m.id, free.id, GrantOptions::default());
    assert_eq!(code(granted), "invalid_input");
    let invited = f
        .tenant
        .invite(Actor::System, NewInvite::new("b@example.com"))
        .unwrap();
    assert!(
        !f.tenant
            .has_access(invited.invite.member_id, free.id)
            .unwrap(),
        "invited members have nothing yet"
    );
    f.tenant.archive_product(Actor::System, free.id).unwrap();
    assert!(
        !f.tenant.has_access(m.id, free.id).unwrap(),
        "archived free product is closed"
    );
}

fn archived_products_keep_existing_grants_but_take_no_new_ones() {
    let f = Fixture::new();
    let course = f.course("Old course");
    let m = f.customer("a@example.com", &[course.id]);
    let archived = f.tenant.archive_product(Actor::System, course.id).unwrap();
    assert!(archived.archived);
    assert!(f.tenant.has_access(m.id, course.id).unwrap());
    let other = f.customer("b@example.com", &[]);
    assert_eq!(
        code(
            f.tenant
                .grant(Actor::System, other.id, course.id, GrantOptions::default())
        ),
        "invalid_input"
    );
    assert!(f.tenant.products().unwrap()[0].archived);
}

fn product_kinds_round_trip_including_custom_ones() {
    let f = Fixture::new();
    for kind in [
        "membership",
        "course",
        "digital_product",
        "community",
        "coaching-call",
    ] {
        let p = f
            .tenant
            .create_product(Actor::System, NewProduct::paid(kind, kind.parse().unwrap()))
            .unwrap();
        assert_eq!(f.tenant.product(p.id).unwrap().kind.as_str(), kind);
    }
    assert_eq!(code("Bad Kind!".parse::<ProductKind>()), "invalid_input");
    assert_eq!(
        code(
            f.tenant
                .create_product(Actor::System, NewProduct::paid("  ", ProductKind::Course))
        ),
        "invalid_input"
    );
}

fn bad_input_is_refused_and_changes_nothing() {
    let f = Fixture::new();
    let course = f.course("C");
    let m = f.customer("a@example.com", &[]);
    let before = f.footprint();
    let cases: Vec<(&str, &str)> = vec![
        (
            "invalid_input",
            code(
                f.tenant
                    .add_customer(Actor::System, NewCustomer::new("not-an-email")),
            ),
        ),
        (
            "not_found",
            code(f.tenant.add_customer(
                Actor::System,
                NewCustomer::new("b@example.com").product(ProductId::new()),
            )),
        ),
        (
            "not_found",
            code(f.tenant.grant(
                Actor::System,
                MemberId::new(),
                course.id,
                GrantOptions::default(),
            )),
        ),
        (
            "not_found",
            code(f.tenant.grant(
                Actor::System,
                m.id,
                ProductId::new(),
                GrantOptions::default(),
            )),
        ),
        (
            "not_found",
            code(f.tenant.has_access(MemberId::new(), course.id)),
        ),
        (
            "not_found",
            code(f.tenant.has_access(m.id, ProductId::new())),
        ),
        (
            "invalid_input",
            code(f.tenant.grant(
                Actor::System,
                m.id,
                course.id,
                GrantOptions {
                    expires_at: Some(f.hub.now()),
                    ..Default::default()
                },
            )),
        ),
        (
            "invalid_input",
            code(f.tenant.invite(Actor::System, NewInvite::new("x@y"))),
        ),
        ("invalid_input", code(f.tenant.audit(&last(0)))),
    ];
    for (want, got) in cases {
        assert_eq!(want, got);
    }
    assert_eq!(f.footprint(), before);
    assert!(f.tenant.member_by_email("b@example.com").unwrap().is_none());
}

fn a_call_with_one_bad_product_grants_nothing() {
    let f = Fixture::new();
    let good = f.course("Good");
    let free = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::free("Free", ProductKind::Community),
        )
        .unwrap();
    let r = f.tenant.add_customer(
        Actor::System,
        NewCustomer::new("a@example.com")
            .product(good.id)
            .product(free.id),
    );
    assert_eq!(code(r), "invalid_input");
    assert!(f.tenant.member_by_email("a@example.com").unwrap().is_none());
    assert!(f.tenant.outbox(100).unwrap().is_empty());
}
