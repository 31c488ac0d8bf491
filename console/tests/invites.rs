//! The invites page: the list, inviting many emails at once, resend, a copied link shown once,
//! revoke after a confirmation, and every refusal with nothing changed.

mod common;

use common::*;
use memberkit::*;
use memberkit_console::{Console, Request};

fn invite(s: &Site, email: &str) -> IssuedInvite {
    s.tenant
        .invite(Actor::System, NewInvite::new(email).name(XSS))
        .unwrap()
}

#[test]
fn the_list_shows_pending_invites_escaped_and_expired_ones_apart() {
    let s = site();
    let issued = invite(&s, "lin@x.com");
    let html = s.get("/admin", "/invites", &s.admin).html();
    assert!(
        html.contains("lin@x.com") && !html.contains("<img src=x"),
        "{html}"
    );
    assert!(html.contains(&format!("/admin/invites/{}/revoke", issued.invite.id)));
    assert!(
        html.contains("value=\"customer\" selected"),
        "the core's default role"
    );
    let expired = s.get("/admin", "/invites?status=expired", &s.admin).html();
    assert!(!expired.contains("lin@x.com") && expired.contains("No expired invites"));
}

#[test]
fn inviting_many_emails_at_once_gives_each_the_role_and_the_products() {
    let s = site();
    let token = s.token("/admin", "/invites", &s.admin);
    let course = s.course.id.to_string();
    let sent = s.post(
        "/admin",
        "/invites",
        &s.admin,
        &[
            ("csrf", &token),
            ("emails", "a@x.com\nb@x.com, c@x.com"),
            ("role", "member"),
            ("product", &course),
            ("notify", "on"),
        ],
    );
    assert_eq!(sent.status, 303, "{}", sent.html());
    assert_eq!(sent.header("location"), Some("/admin/invites"));
    let pending = s.tenant.invites(Some(InviteStatus::Pending)).unwrap();
    assert_eq!(pending.len(), 3);
    assert!(pending
        .iter()
        .all(|i| i.role == Role::Member && i.products == [s.course.id]));
    // A refused email stops there: the ones before it are invited, the rest come back.
    let refused = s.post(
        "/admin",
        "/invites",
        &s.admin,
        &[
            ("csrf", &token),
            ("emails", "d@x.com\nnot an email\ne@x.com"),
        ],
    );
    assert_eq!(refused.status, 400);
    let html = refused.html();
    assert!(html.contains("not an email") && html.contains("(1 invited before it)"));
    assert!(html.contains("e@x.com</textarea>"));
    assert_eq!(
        s.tenant.invites(Some(InviteStatus::Pending)).unwrap().len(),
        4
    );
}

#[test]
fn resend_copy_link_and_revoke() {
    let mut s = site();
    s.console = Console::new(s.hub.clone(), b"test secret, thirty-two bytes long")
        .invite_links("https://shop.example/join?token=");
    let issued = invite(&s, "lin@x.com");
    let id = issued.invite.id;
    let token = s.token("/admin", "/invites", &s.admin);
    let resent = s.post(
        "/admin",
        &format!("/invites/{id}/resend"),
        &s.admin,
        &[("csrf", &token)],
    );
    assert_eq!(resent.status, 303);
    assert_eq!(
        s.tenant
            .accept(issued.token.expose(), None)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound,
        "a resend rotates the emailed link"
    );
    let copied = s.post(
        "/admin",
        &format!("/invites/{id}/link"),
        &s.admin,
        &[("csrf", &token)],
    );
    assert_eq!(copied.status, 200);
    assert_eq!(copied.header("cache-control"), Some("no-store"));
    let html = copied.html();
    let prefix = "value=\"https://shop.example/join?token=";
    let at = html.find(prefix).unwrap() + prefix.len();
    let link_token: String = html[at..].chars().take_while(|c| *c != '"').collect();
    assert!(link_token.starts_with("mki_"), "{link_token}");
    // The confirmation changes nothing; its form revokes.
    let before = s.footprint();
    let confirm = s.get("/admin", &format!("/invites/{id}/revoke"), &s.admin);
    assert!(confirm.html().contains("Revoke the invite to lin@x.com?"));
    assert_eq!(s.footprint(), before);
    let revoked = s.post(
        "/admin",
        &format!("/invites/{id}/revoke"),
        &s.admin,
        &[("csrf", &token)],
    );
    assert_eq!(revoked.status, 303);
    assert_eq!(
        s.tenant.accept(&link_token, None).unwrap_err().code(),
        ErrorCode::InviteRevoked
    );
}

#[test]
fn forged_or_unpermitted_invite_actions_are_refused_and_change_nothing() {
    let s = site();
    let issued = invite(&s, "lin@x.com");
    let id = issued.invite.id;
    let before = s.footprint();
    for path in [
        "/invites".to_owned(),
        format!("/invites/{id}/resend"),
        format!("/invites/{id}/link"),
        format!("/invites/{id}/revoke"),
    ] {
        let request = Request::new("POST", "/admin", &path)
            .header("sec-fetch-site", "same-origin")
            .form(&[("emails", "forged@x.com")]);
        assert_eq!(
            s.console.handle(&request, Some(&s.admin)).status,
            403,
            "{path}"
        );
        let token = s.token("/admin", "/invites", &s.customer);
        let fields = [("csrf", token.as_str()), ("emails", "sneaky@x.com")];
        let denied = s.post("/admin", &path, &s.customer, &fields);
        assert_eq!(denied.status, 403, "{path}: {}", denied.html());
    }
    assert_eq!(s.footprint(), before);
    assert_eq!(s.tenant.invites(None).unwrap().len(), 1);
    let other = s.hub.create_tenant("Other").unwrap();
    let foreign = other
        .invite(Actor::System, NewInvite::new("f@x.com"))
        .unwrap()
        .invite
        .id;
    let token = s.token("/admin", "/invites", &s.admin);
    let path = format!("/invites/{foreign}/revoke");
    assert_eq!(
        s.post("/admin", &path, &s.admin, &[("csrf", &token)])
            .status,
        404
    );
    assert_eq!(s.get("/admin", &path, &s.admin).status, 404);
}
