//! The invitee's pages: the link's landing page, accept (handed to the host) and decline,
//! links that no longer work, "your workspaces"; forged posts refused with nothing changed.

mod common;

use common::*;
use memberkit::time::{Duration, OffsetDateTime};
use memberkit::*;
use memberkit_console::{Console, Handoff, Request, Response};
use memberkit_open::OpenHub;
use std::sync::Arc;

const MOUNT: &str = "/invite";

/// Opens the invite link, as a browser does: the first answer moves the token into a cookie.
fn open_link(console: &Console, token: &str) -> (Response, String) {
    let first = console.invitee(
        &Request::new("GET", MOUNT, &format!("/?token={token}")),
        None,
    );
    assert_eq!(first.status, 303);
    assert_eq!(
        first.header("location"),
        Some("/invite/"),
        "the token leaves the address bar"
    );
    let cookie = first.header("set-cookie").unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/invite"));
    let pair = cookie.split(';').next().unwrap().to_owned();
    let page = console.invitee(
        &Request::new("GET", MOUNT, "/").header("cookie", &pair),
        None,
    );
    (page, pair)
}

fn answer(
    console: &Console,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
    signed_in: Option<&str>,
) -> Response {
    let mut fields = Vec::new();
    if let Some(token) = csrf {
        fields.push(("csrf", token));
    }
    let request = Request::new("POST", MOUNT, path)
        .header("cookie", cookie)
        .header("host", "shop.example")
        .header("origin", "https://shop.example")
        .form(&fields);
    console.invitee(&request, signed_in)
}

fn csrf_of(page: &Response) -> String {
    let html = page.html();
    let at = html.find("name=\"csrf\" value=\"").expect("a form") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

#[test]
fn the_landing_page_says_who_invited_to_what_and_accepting_hands_over() {
    let s = site();
    let ws = s.tenant.create_workspace(Actor::System, "Acme").unwrap();
    let mut new = NewInvite::new("lin@x.com").product(s.course.id);
    new.workspace = Some(ws.id);
    let issued = s.tenant.invite(s.admin.actor, new).unwrap();
    let token = issued.token.expose();
    let (page, cookie) = open_link(&s.console, token);
    assert_eq!(page.status, 200);
    let html = page.html();
    assert!(
        html.contains("admin@x.com invited you to Ada&#x27;s &lt;Academy&gt;"),
        "{html}"
    );
    assert!(html.contains("lin@x.com") && html.contains("in Acme") && html.contains("Rust 101"));
    assert!(!html.contains(token), "the token is never on the page");
    assert_eq!(page.header("cache-control"), Some("no-store"));
    // Forged: no token, another site, or a token for another invite; nothing changes.
    let other = s
        .tenant
        .invite(Actor::System, NewInvite::new("max@x.com"))
        .unwrap();
    let (other_page, _) = open_link(&s.console, other.token.expose());
    let other_csrf = csrf_of(&other_page);
    let before = s.footprint();
    assert_eq!(
        answer(&s.console, "/accept", &cookie, None, None).status,
        403
    );
    let csrf = csrf_of(&page);
    let cross = Request::new("POST", MOUNT, "/accept")
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", &csrf)]);
    assert_eq!(s.console.invitee(&cross, None).status, 403);
    assert_eq!(
        answer(&s.console, "/accept", &cookie, Some(&other_csrf), None).status,
        403
    );
    // Signed in as someone else: the core refuses, nothing changes.
    let mismatch = answer(
        &s.console,
        "/accept",
        &cookie,
        Some(&csrf),
        Some("max@x.com"),
    );
    assert_eq!(mismatch.status, 400);
    assert_eq!(s.footprint(), before);
    let accepted = answer(
        &s.console,
        "/accept",
        &cookie,
        Some(&csrf),
        Some("LIN@x.com"),
    );
    assert_eq!(accepted.status, 200, "{}", accepted.html());
    assert_eq!(
        accepted.handoff,
        Some(Handoff::Accepted {
            tenant: s.tenant.id(),
            email: "lin@x.com".into()
        })
    );
    assert!(accepted.header("set-cookie").unwrap().contains("Max-Age=0"));
    let member = s.tenant.member_by_email("lin@x.com").unwrap().unwrap();
    assert!(s.tenant.has_access(member.id, s.course.id).unwrap());
    // The link again: used.
    let again = s.console.invitee(
        &Request::new("GET", MOUNT, "/").header("cookie", &cookie),
        None,
    );
    assert!(again.html().contains("This invite was already used"));
}

#[test]
fn declining_and_links_that_no_longer_work() {
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let hub = Hub::open_with_clock(":memory:", clock.clone()).unwrap();
    let tenant = hub.create_tenant("Academy").unwrap();
    let console = Console::new(hub.clone(), b"test secret, thirty-two bytes long")
        .invite_help_url("mailto:help@academy.example");
    let invite = |email: &str| tenant.invite(Actor::System, NewInvite::new(email)).unwrap();
    // Decline.
    let issued = invite("lin@x.com");
    let (page, cookie) = open_link(&console, issued.token.expose());
    let declined = answer(&console, "/decline", &cookie, Some(&csrf_of(&page)), None);
    assert_eq!(declined.status, 200);
    assert!(declined.html().contains("You will not join Academy"));
    assert_eq!(
        tenant.get_invite(issued.invite.id).unwrap().status,
        InviteStatus::Declined
    );
    // Revoked, and expired: said plainly, with where to ask for a new one.
    let revoked = invite("max@x.com");
    tenant
        .revoke_invite(Actor::System, revoked.invite.id)
        .unwrap();
    let (page, _) = open_link(&console, revoked.token.expose());
    assert!(page.html().contains("This invite was withdrawn"));
    assert!(page.html().contains("mailto:help@academy.example"));
    let mut short = NewInvite::new("zoe@x.com");
    short.lifetime = Some(Duration::hours(1));
    let expiring = tenant.invite(Actor::System, short).unwrap();
    let (pending, cookie) = open_link(&console, expiring.token.expose());
    let stale_csrf = csrf_of(&pending);
    clock.advance(Duration::hours(2)).unwrap();
    let (page, _) = open_link(&console, expiring.token.expose());
    assert!(page.html().contains("This invite has expired"));
    assert!(!page.html().contains("Accept invite"));
    // Posting from the page read while it was pending: the core refuses; nothing changes.
    let stale = answer(&console, "/accept", &cookie, Some(&stale_csrf), None);
    assert_eq!(stale.status, 409);
    assert!(stale.html().contains("expired"));
    assert_eq!(
        tenant.get_invite(expiring.invite.id).unwrap().status,
        InviteStatus::Expired
    );
    // A malformed token sets no cookie; an unknown one says the link does not work.
    let bad = console.invitee(
        &Request::new("GET", MOUNT, "/?token=x;%20Domain=evil"),
        None,
    );
    assert_eq!((bad.status, bad.header("set-cookie")), (404, None));
    let unknown = format!("mk_invite=mki_{}", "0".repeat(64));
    let page = console.invitee(
        &Request::new("GET", MOUNT, "/").header("cookie", &unknown),
        None,
    );
    assert!(page.html().contains("This link does not work"));
}

#[test]
fn your_workspaces_lists_and_answers_invites_across_tenants() {
    let s = site();
    let other = s.hub.create_tenant("Globex").unwrap();
    s.tenant
        .invite(Actor::System, NewInvite::new("lin@x.com"))
        .unwrap();
    other
        .invite(Actor::System, NewInvite::new("lin@x.com"))
        .unwrap();
    other
        .invite(Actor::System, NewInvite::new("max@x.com"))
        .unwrap();
    let get = |signed_in| {
        s.console
            .invitee(&Request::new("GET", MOUNT, "/workspaces"), signed_in)
    };
    assert_eq!(get(None).status, 401);
    let page = get(Some("lin@x.com"));
    let html = page.html();
    assert!(html.contains("Ada&#x27;s &lt;Academy&gt;") && html.contains("Globex"));
    let csrf = csrf_of(&page);
    let path = |t: &Tenant, action: &str| format!("/pending/{}/{action}", t.id());
    // Forged, or a token for another email: refused, nothing changed.
    let before = s.footprint();
    assert_eq!(
        answer(
            &s.console,
            &path(&s.tenant, "accept"),
            "",
            None,
            Some("lin@x.com")
        )
        .status,
        403
    );
    let max_csrf = csrf_of(&get(Some("max@x.com")));
    let fields = answer(
        &s.console,
        &path(&s.tenant, "accept"),
        "",
        Some(&max_csrf),
        Some("lin@x.com"),
    );
    assert_eq!(fields.status, 403);
    assert_eq!(s.footprint(), before);
    let joined = answer(
        &s.console,
        &path(&s.tenant, "accept"),
        "",
        Some(&csrf),
        Some("lin@x.com"),
    );
    assert!(joined.html().contains("You joined"), "{}", joined.html());
    let declined = answer(
        &s.console,
        &path(&other, "decline"),
        "",
        Some(&csrf),
        Some("lin@x.com"),
    );
    assert!(declined
        .html()
        .contains("You declined the invite to Globex"));
    let html = get(Some("lin@x.com")).html();
    assert!(!html.contains("Invites waiting for you") && html.contains("active"));
}
