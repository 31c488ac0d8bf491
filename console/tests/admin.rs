//! The audit log and its filters, the settings, and "Log in as" handing its token to the host;
//! every refusal with nothing changed.

mod common;

use common::*;
use memberkit::time::Duration;
use memberkit::*;
use memberkit_console::{Handoff, Who};

#[test]
fn the_audit_log_filters_pages_and_escapes() {
    let s = site();
    let html = s.get("/bo", "/audit", &s.admin).html();
    assert!(
        html.contains("member.added") || html.contains("customer"),
        "{html}"
    );
    assert!(!html.contains("<img src=x"), "details are escaped");
    // By who: the admin has done nothing yet; the host has.
    let token = s.token("/bo", "/customers/new", &s.admin);
    let fields = [("csrf", token.as_str()), ("email", "new@x.com")];
    assert_eq!(s.post("/bo", "/customers", &s.admin, &fields).status, 303);
    let mine = s.get("/bo", "/audit?actor=admin@x.com", &s.admin).html();
    assert!(mine.contains("new@x.com") && !mine.contains("ada@x.com"));
    let system = s.get("/bo", "/audit?actor=system", &s.admin).html();
    assert!(system.contains("ada@x.com") && !system.contains("new@x.com"));
    let about = s
        .get("/bo", &format!("/audit?subject={}", s.ada), &s.admin)
        .html();
    assert!(about.contains("ada@x.com") && !about.contains("grace@x.com"));
    assert_eq!(
        s.get("/bo", "/audit?actor=nobody@x.com", &s.admin).status,
        400
    );
    // Older pages keep the filters.
    for i in 0..60 {
        s.tenant
            .add_customer(Actor::System, NewCustomer::new(format!("c{i}@x.com")))
            .unwrap();
    }
    let first = s.get("/bo", "/audit?actor=system", &s.admin).html();
    let at = first.find("/bo/audit?").expect("an older page") + 3;
    let older = first[at..].split('"').next().unwrap().replace("&amp;", "&");
    assert!(older.contains("actor=system") && older.contains("before="));
    let second = s.get("/bo", &older, &s.admin).html();
    assert!(
        second.contains("ada@x.com"),
        "the oldest entries are on the next page"
    );
    assert!(!second.contains("c59@x.com"));
}

#[test]
fn settings_are_shown_saved_and_refused_with_nothing_changed() {
    let s = site();
    let html = s.get("/bo", "/settings", &s.admin).html();
    assert!(html.contains("value=\"7d\""), "the default invite lifetime");
    let token = s.token("/bo", "/settings", &s.admin);
    let form = |lifetime: &str| {
        [
            ("csrf", token.clone()),
            ("invite_lifetime", lifetime.to_owned()),
            ("max_invite_lifetime", "30d".to_owned()),
            ("max_impersonation", "45m".to_owned()),
            ("reminders", "2d, 12h".to_owned()),
        ]
    };
    let fields = form("3d");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(s.post("/bo", "/settings", &s.admin, &fields).status, 303);
    let settings = s.tenant.info().unwrap().settings;
    assert_eq!(settings.invite_lifetime, Duration::days(3));
    assert_eq!(settings.max_impersonation, Duration::minutes(45));
    assert_eq!(
        settings.expiry_reminders,
        [Duration::days(2), Duration::hours(12)]
    );
    for bad in ["7 weeks", "0m", "400d"] {
        let before = (s.footprint(), s.tenant.info().unwrap());
        let fields = form(bad);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            s.post("/bo", "/settings", &s.admin, &fields).status,
            400,
            "{bad}"
        );
        assert_eq!((s.footprint(), s.tenant.info().unwrap()), before);
    }
    // A customer may not change settings.
    let token = s.token("/bo", "/settings", &s.customer);
    let before = (s.footprint(), s.tenant.info().unwrap());
    let fields = [("csrf", token.as_str()), ("invite_lifetime", "1d")];
    assert_eq!(s.post("/bo", "/settings", &s.customer, &fields).status, 403);
    assert_eq!((s.footprint(), s.tenant.info().unwrap()), before);
}

#[test]
fn log_in_as_hands_the_token_to_the_host_and_never_shows_it() {
    let s = site();
    let access = s
        .get("/bo", &format!("/customers/{}", s.ada), &s.admin)
        .html();
    let link = format!("/bo/members/{}/impersonate", s.ada);
    assert!(access.contains(&link), "offered on the customer's page");
    let form = s.get("/bo", &format!("/members/{}/impersonate", s.ada), &s.admin);
    assert!(form.html().contains("Reason"));
    let token = s.token("/bo", &format!("/members/{}/impersonate", s.ada), &s.admin);
    let path = format!("/members/{}/impersonate", s.ada);
    // No reason: refused, nothing changed.
    let before = s.footprint();
    let refused = s.post(
        "/bo",
        &path,
        &s.admin,
        &[("csrf", &token), ("minutes", "10")],
    );
    assert_eq!((refused.status, refused.handoff.is_none()), (400, true));
    assert_eq!(s.footprint(), before);
    let fields = [
        ("csrf", token.as_str()),
        ("reason", "Ticket #12"),
        ("minutes", "10"),
    ];
    let started = s.post("/bo", &path, &s.admin, &fields);
    assert_eq!(started.status, 200);
    let Some(Handoff::Impersonation(issued)) = &started.handoff else {
        panic!("an impersonation handoff");
    };
    let session = s
        .tenant
        .verify_impersonation(issued.token.expose())
        .unwrap();
    assert_eq!(
        (session.target_id, session.reason.as_str()),
        (s.ada, "Ticket #12")
    );
    assert_eq!(session.ends_at - session.started_at, Duration::minutes(10));
    let page = started.html();
    assert!(page.contains("You are now viewing as") && page.contains("ada@x.com"));
    assert!(
        !page.contains(issued.token.expose()),
        "the token is never on a page"
    );
    assert!(
        !format!("{started:?}").contains(issued.token.expose()),
        "nor in a log line"
    );
    assert_eq!(started.header("cache-control"), Some("no-store"));
    // Never of an admin, and never for a forged form.
    let admin = match s.admin.actor {
        Actor::Member(id) => id,
        Actor::System => unreachable!(),
    };
    let other_admin = s
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("boss@x.com").role(Role::Admin),
        )
        .unwrap()
        .member
        .id;
    let before = s.footprint();
    let path = format!("/members/{other_admin}/impersonate");
    assert_eq!(s.post("/bo", &path, &s.admin, &fields).status, 403);
    let path = format!("/members/{}/impersonate", s.ada);
    assert_eq!(
        s.post("/bo", &path, &s.admin, &fields[1..]).status,
        403,
        "no form token"
    );
    let customer = Who {
        tenant: s.tenant.id(),
        actor: s.customer.actor,
    };
    let their_token = s.token("/bo", "/settings", &customer);
    let fields = [("csrf", their_token.as_str()), ("reason", "curious")];
    let path = format!("/members/{admin}/impersonate");
    assert_eq!(s.post("/bo", &path, &customer, &fields).status, 403);
    assert_eq!(s.footprint(), before);
}
