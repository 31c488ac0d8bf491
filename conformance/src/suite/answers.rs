//! One answer for one situation: another tenant's ids are `not_found` everywhere, a bad link
//! is `not_found`, "notify by email" is honoured, every event says its channel, and blank
//! names mean what the README says.

use crate::fixture::*;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(another_tenants_product_is_not_found_in_every_call),
    case!(notify_false_writes_no_email_event_but_still_audits),
    case!(every_event_says_whether_a_host_would_email_it),
    case!(a_blank_person_name_is_no_name_and_a_blank_required_name_is_refused),
    case!(look_alike_emails_never_claim_accept_or_merge_into_anothers_invite),
    case!(huge_or_far_values_are_typed_errors_not_panics),
];

fn another_tenants_product_is_not_found_in_every_call() {
    let f = Fixture::new();
    let other = f.hub.create_tenant("Other").unwrap();
    let theirs = other
        .create_product(
            Actor::System,
            NewProduct::paid("Theirs", ProductKind::Course),
        )
        .unwrap();
    let ada = f.customer("ada@example.com", &[]);
    let before = f.footprint();
    let opts = GrantOptions::default();
    assert_eq!(
        code(f.tenant.grant(Actor::System, ada.id, theirs.id, opts)),
        "not_found"
    );
    assert_eq!(
        code(f.tenant.revoke(Actor::System, ada.id, theirs.id)),
        "not_found"
    );
    assert_eq!(code(f.tenant.has_access(ada.id, theirs.id)), "not_found");
    let add = NewCustomer::new("b@example.com").product(theirs.id);
    assert_eq!(code(f.tenant.add_customer(Actor::System, add)), "not_found");
    let inv = NewInvite::new("c@example.com").product(theirs.id);
    assert_eq!(code(f.tenant.invite(Actor::System, inv)), "not_found");
    let import = ImportOptions {
        products: vec![theirs.id],
        ..Default::default()
    };
    let src = ImportSource::Pasted("d@example.com");
    assert_eq!(
        code(f.tenant.import_customers(Actor::System, src, &import)),
        "not_found"
    );
    assert_eq!(f.footprint(), before, "nothing changed");
    // A free or archived product of this tenant stays a bad argument.
    let free = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::free("Lounge", ProductKind::Community),
        )
        .unwrap();
    let opts = GrantOptions::default();
    assert_eq!(
        code(f.tenant.grant(Actor::System, ada.id, free.id, opts)),
        "invalid_input"
    );
}

fn notify_false_writes_no_email_event_but_still_audits() {
    let f = Fixture::new();
    let course = f.course("Rust 101");
    let audit_before = f.tenant.audit(&last(1000)).unwrap().len();
    let added = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("quiet@example.com")
                .product(course.id)
                .notify(false),
        )
        .unwrap();
    assert_eq!(added.granted.len(), 1);
    f.tenant
        .invite(
            Actor::System,
            NewInvite::new("hush@example.com").notify(false),
        )
        .unwrap();
    assert!(f.event_kinds().is_empty(), "no email-channel event");
    let actions: Vec<String> = f
        .tenant
        .audit(&last(1000))
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.len() > audit_before);
    assert!(actions.contains(&"access.granted".to_string()));
    assert!(actions.contains(&"invite.created".to_string()));
    // The default notifies.
    f.customer("loud@example.com", &[course.id]);
    assert_eq!(f.event_kinds(), ["access.granted"]);
}

fn every_event_says_whether_a_host_would_email_it() {
    let f = Fixture::new();
    let course = f.course("Rust 101");
    let ada = f.customer("ada@example.com", &[course.id]);
    f.tenant.revoke(Actor::System, ada.id, course.id).unwrap();
    let issued = f
        .tenant
        .invite(Actor::System, NewInvite::new("lin@example.com"))
        .unwrap();
    f.tenant.accept(issued.token.expose(), None).unwrap();
    f.tenant.deactivate(Actor::System, ada.id).unwrap();
    let seen: Vec<(String, Channel)> = f
        .tenant
        .outbox(100)
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.channel))
        .collect();
    let expect = |k: &str, c: Channel| (k.to_string(), c);
    assert_eq!(
        seen,
        [
            expect("access.granted", Channel::Email),
            expect("access.revoked", Channel::System),
            expect("invite.created", Channel::Email),
            expect("invite.accepted", Channel::InApp),
            expect("member.deactivated", Channel::System),
        ]
    );
    for (kind, channel) in event_kind::ALL {
        assert_eq!(event_kind::channel(kind), channel);
    }
}

fn a_blank_person_name_is_no_name_and_a_blank_required_name_is_refused() {
    let f = Fixture::new();
    let added = f
        .tenant
        .add_customer(Actor::System, NewCustomer::new("a@example.com").name("   "))
        .unwrap();
    assert_eq!(added.member.name, None);
    let invited = f
        .tenant
        .invite(Actor::System, NewInvite::new("b@example.com").name(""))
        .unwrap();
    assert_eq!(invited.invite.name, None);
    let before = f.footprint();
    let blank = NewProduct::paid("  ", ProductKind::Course);
    assert_eq!(
        code(f.tenant.create_product(Actor::System, blank)),
        "invalid_input"
    );
    assert_eq!(
        code(f.tenant.create_workspace(Actor::System, "")),
        "invalid_input"
    );
    assert_eq!(
        code(f.tenant.create_role(Actor::System, " ", &[])),
        "invalid_input"
    );
    assert_eq!(code(f.hub.create_tenant("\t")), "invalid_input");
    assert_eq!(f.footprint(), before);
}

fn look_alike_emails_never_claim_accept_or_merge_into_anothers_invite() {
    let f = Fixture::new();
    let course = f.course("Rust 101");
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("sales@x.com").product(course.id),
        )
        .unwrap();
    f.customer("office@x.com", &[]);
    let look_alikes = [
        "ſales@x.com",
        "ｓales@x.com",
        "ѕales@x.com", // Cyrillic dze
        "sales@х.com", // Cyrillic ha
        "saleſ@x.com",
    ];
    for email in look_alikes {
        assert!(
            f.hub.claim(email).unwrap().is_empty(),
            "{email} claims nothing"
        );
        assert!(f.tenant.claim(email).unwrap().is_none(), "{email}");
        assert_eq!(
            code(f.tenant.accept(issued.token.expose(), Some(email))),
            "invite_email_mismatch",
            "{email}"
        );
        let merged = f
            .tenant
            .invite(Actor::System, NewInvite::new(email))
            .unwrap();
        assert!(!merged.merged, "{email} gets an invite of its own");
    }
    assert!(f.tenant.member_by_email("oﬀice@x.com").unwrap().is_none());
    let added = f
        .tenant
        .add_customer(Actor::System, NewCustomer::new("oﬀice@x.com"))
        .unwrap();
    assert_eq!(
        added.outcome,
        AddOutcome::Created,
        "a ligature is another mailbox"
    );
    // Invisible characters and ASCII look-alikes are refused outright, changing nothing.
    let before = f.footprint();
    for bad in [
        "sa\u{200B}les@x.com",
        "\u{212A}im@x.com",
        "sales\u{FEFF}@x.com",
    ] {
        assert_eq!(code(f.hub.claim(bad)), "invalid_input");
        assert_eq!(
            code(f.tenant.invite(Actor::System, NewInvite::new(bad))),
            "invalid_input"
        );
    }
    assert_eq!(f.footprint(), before);
    // The real address still claims its invite.
    let claimed = f.hub.claim("Sales@X.com").unwrap();
    assert_eq!(claimed[0].invite.id, issued.invite.id);
}

fn huge_or_far_values_are_typed_errors_not_panics() {
    use memberkit::time::{macros::datetime, Duration};
    let f = Fixture::new();
    let long = "x".repeat(normalize::MAX_SEARCH_CHARS + 1);
    let query = CustomerQuery {
        search: Some(long),
        ..Default::default()
    };
    assert_eq!(code(f.tenant.customers(&query)), "invalid_input");
    let bogus = CustomerQuery {
        cursor: Some("ab".repeat(5000)),
        ..Default::default()
    };
    assert_eq!(code(f.tenant.customers(&bogus)), "invalid_input");
    // A clock moved past the end of time stays put.
    let now = f.hub.now();
    assert_eq!(code(f.clock.advance(Duration::MAX)), "invalid_input");
    assert_eq!(f.hub.now(), now);
    // An invite whose expiry would pass the year 9999 is refused and changes nothing.
    f.clock.set(datetime!(9999-12-30 00:00 UTC));
    let before = f.footprint();
    let new = NewInvite::new("late@example.com");
    assert_eq!(code(f.tenant.invite(Actor::System, new)), "invalid_input");
    assert_eq!(f.footprint(), before);
}
