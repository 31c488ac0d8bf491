//! Access over time: grants that start later (pre-sales, drips, dated trials) as well as end.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(a_grant_that_starts_later_grants_from_that_instant_exactly),
    case!(a_start_must_come_before_the_end_and_a_past_start_grants_now),
    case!(granting_again_changes_only_a_different_window),
    case!(a_revoked_future_grant_never_starts),
];

fn presale(f: &Fixture, member: MemberId, product: ProductId, days: i64) -> Grant {
    f.tenant
        .grant(
            Actor::System,
            member,
            product,
            GrantOptions {
                starts_at: Some(f.hub.now() + Duration::days(days)),
                ..Default::default()
            },
        )
        .unwrap()
}

fn a_grant_that_starts_later_grants_from_that_instant_exactly() {
    let f = Fixture::new();
    let course = f.course("Course");
    let ada = f.customer("ada@x.com", &[]);
    let start = f.hub.now() + Duration::days(7);
    let grant = presale(&f, ada.id, course.id, 7);
    assert_eq!(grant.starts_at, Some(start));
    let event = &f.tenant.outbox(10).unwrap()[0];
    assert_eq!(event.kind, "access.granted");
    assert_eq!(event.payload["starts_at"], "2026-01-12T09:00:00Z");

    let by_course = CustomerQuery {
        product: Some(course.id),
        ..Default::default()
    };
    assert!(!f.tenant.has_access(ada.id, course.id).unwrap());
    assert!(f.tenant.access(ada.id).unwrap().is_empty());
    assert_eq!(f.tenant.count_customers(&by_course).unwrap(), 0);
    let page = f.tenant.customers(&CustomerQuery::default()).unwrap();
    assert!(
        page.rows[0].products.is_empty(),
        "not a product they hold yet"
    );

    f.advance(Duration::days(7) - Duration::microseconds(1));
    assert!(!f.tenant.has_access(ada.id, course.id).unwrap());
    f.advance(Duration::microseconds(1));
    assert!(
        f.tenant.has_access(ada.id, course.id).unwrap(),
        "at starts_at exactly"
    );
    assert_eq!(
        f.tenant.access(ada.id).unwrap()[0].grant.as_ref(),
        Some(&grant)
    );
    assert_eq!(f.tenant.count_customers(&by_course).unwrap(), 1);

    // add_customer can pre-sell too (a checkout for a course that opens on a date).
    let bo = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("bo@x.com")
                .product(course.id)
                .starts_at(f.hub.now() + Duration::days(1))
                .expires_at(f.hub.now() + Duration::days(31)),
        )
        .unwrap();
    assert!(!f.tenant.has_access(bo.member.id, course.id).unwrap());
    f.advance(Duration::days(1));
    assert!(f.tenant.has_access(bo.member.id, course.id).unwrap());
    f.advance(Duration::days(30));
    assert!(!f.tenant.has_access(bo.member.id, course.id).unwrap());
}

fn a_start_must_come_before_the_end_and_a_past_start_grants_now() {
    let f = Fixture::new();
    let course = f.course("Course");
    let ada = f.customer("ada@x.com", &[]);
    let now = f.hub.now();
    let before = f.footprint();
    let backwards = GrantOptions {
        starts_at: Some(now + Duration::days(10)),
        expires_at: Some(now + Duration::days(10)),
        ..Default::default()
    };
    let err = f
        .tenant
        .grant(Actor::System, ada.id, course.id, backwards)
        .unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_input");
    assert!(err.to_string().contains("starts_at"), "{err}");
    assert_eq!(
        code(
            f.tenant.add_customer(
                Actor::System,
                NewCustomer::new("bo@x.com")
                    .product(course.id)
                    .starts_at(now + Duration::days(2))
                    .expires_at(now + Duration::days(1))
            )
        ),
        "invalid_input"
    );
    assert_eq!(f.footprint(), before);
    assert!(f.tenant.member_by_email("bo@x.com").unwrap().is_none());

    let past = GrantOptions {
        starts_at: Some(now - Duration::days(1)),
        ..Default::default()
    };
    let grant = f
        .tenant
        .grant(Actor::System, ada.id, course.id, past)
        .unwrap();
    assert_eq!(
        grant.starts_at, None,
        "a start already passed grants from now"
    );
    assert!(f.tenant.has_access(ada.id, course.id).unwrap());
}

fn granting_again_changes_only_a_different_window() {
    let f = Fixture::new();
    let course = f.course("Course");
    let ada = f.customer("ada@x.com", &[]);
    let first = presale(&f, ada.id, course.id, 7);
    let events = f.event_kinds().len();
    let again = presale(&f, ada.id, course.id, 7);
    assert_eq!(again, first);
    assert_eq!(
        f.event_kinds().len(),
        events,
        "the same window writes nothing"
    );

    // Granting from now starts the same grant now.
    let now_instead = f
        .tenant
        .grant(Actor::System, ada.id, course.id, GrantOptions::default())
        .unwrap();
    assert_eq!((now_instead.id, now_instead.starts_at), (first.id, None));
    assert!(f.tenant.has_access(ada.id, course.id).unwrap());
    assert_eq!(f.event_kinds().len(), events + 1);
}

fn a_revoked_future_grant_never_starts() {
    let f = Fixture::new();
    let course = f.course("Course");
    let ada = f.customer("ada@x.com", &[]);
    presale(&f, ada.id, course.id, 1);
    let revoked = f
        .tenant
        .revoke(Actor::System, ada.id, course.id)
        .unwrap()
        .expect("the future grant is open until revoked");
    assert!(revoked.revoked_at.is_some());
    f.advance(Duration::days(2));
    assert!(!f.tenant.has_access(ada.id, course.id).unwrap());
}
