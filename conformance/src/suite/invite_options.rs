//! What one invite can carry beyond role and products (its own lifetime, a personal message)
//! and the owner's "copy invite link" beside the emailed one.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(an_invite_keeps_its_own_lifetime_through_resends),
    case!(the_message_is_stored_and_carried_in_the_outbox_events),
    case!(a_lifetime_or_message_out_of_bounds_changes_nothing),
    case!(the_tenant_maximum_bounds_lifetimes_and_settings),
    case!(a_copied_link_works_beside_the_emailed_one_until_the_invite_is_used),
    case!(copied_links_survive_a_resend_and_die_with_revoke_or_expiry),
    case!(a_copied_link_is_bound_to_the_invited_email_and_tenant),
    case!(copying_a_link_is_refused_for_spent_invites_and_without_the_rights),
];

fn an_invite_keeps_its_own_lifetime_through_resends() {
    let f = Fixture::new();
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("ada@client.com").lifetime(Duration::days(2)),
        )
        .unwrap();
    let id = issued.invite.id;
    assert_eq!(issued.invite.lifetime, Some(Duration::days(2)));
    assert_eq!(issued.invite.expires_at, f.hub.now() + Duration::days(2));
    f.advance(Duration::days(2));
    assert_eq!(
        f.tenant.get_invite(id).unwrap().status,
        InviteStatus::Expired
    );
    let resent = f.tenant.resend_invite(Actor::System, id).unwrap();
    assert_eq!(resent.invite.expires_at, f.hub.now() + Duration::days(2));
    let stored = f.tenant.get_invite(id).unwrap();
    assert_eq!(
        stored.lifetime,
        Some(Duration::days(2)),
        "read back as stored"
    );
    assert_eq!(stored.expires_at, resent.invite.expires_at);

    // A merging re-invite takes the new lifetime (here: the tenant's default again).
    let merged = f
        .tenant
        .invite(Actor::System, NewInvite::new("ada@client.com"))
        .unwrap();
    assert!(merged.merged);
    assert_eq!(merged.invite.lifetime, None);
    assert_eq!(merged.invite.expires_at, f.hub.now() + Duration::days(7));
}

fn the_message_is_stored_and_carried_in_the_outbox_events() {
    let f = Fixture::new();
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("bo@client.com").message("  Hi Bo,\n\tyour portal is ready.  "),
        )
        .unwrap();
    let message = "Hi Bo,\n\tyour portal is ready.";
    assert_eq!(issued.invite.message.as_deref(), Some(message));
    assert_eq!(
        f.tenant
            .get_invite(issued.invite.id)
            .unwrap()
            .message
            .as_deref(),
        Some(message)
    );
    f.tenant
        .resend_invite(Actor::System, issued.invite.id)
        .unwrap();
    let events = f.tenant.outbox(100).unwrap();
    assert_eq!(events.len(), 2);
    for e in &events {
        assert_eq!(e.payload["message"], message, "{}", e.kind);
        assert!(
            !e.payload.to_string().contains(issued.token.expose()),
            "never the token"
        );
    }
    // A re-invite without a message keeps the old one; with one, replaces it.
    let kept = f
        .tenant
        .invite(Actor::System, NewInvite::new("bo@client.com"))
        .unwrap();
    assert_eq!(kept.invite.message.as_deref(), Some(message));
    let replaced = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("bo@client.com").message("New"),
        )
        .unwrap();
    assert_eq!(replaced.invite.message.as_deref(), Some("New"));
    // A blank message is no message.
    let blank = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("cy@client.com").message(" \n "),
        )
        .unwrap();
    assert_eq!(blank.invite.message, None);
}

fn a_lifetime_or_message_out_of_bounds_changes_nothing() {
    let f = Fixture::new();
    f.tenant
        .invite(
            Actor::System,
            NewInvite::new("dee@client.com").message("Hello"),
        )
        .unwrap();
    let before = (
        f.footprint(),
        f.tenant.count_customers(&Default::default()).unwrap(),
    );
    let bad = [
        NewInvite::new("new@client.com").lifetime(Duration::seconds(59)),
        NewInvite::new("new@client.com").lifetime(Duration::days(30) + Duration::seconds(1)),
        NewInvite::new("new@client.com").lifetime(Duration::days(-1)),
        NewInvite::new("new@client.com").message("x".repeat(2001)),
        NewInvite::new("new@client.com").message("nul \0 inside"),
        NewInvite::new("new@client.com").message("escape \u{1b}[31m"),
        // A merging re-invite is checked the same way and leaves the pending one as it was.
        NewInvite::new("dee@client.com").lifetime(Duration::days(31)),
        NewInvite::new("dee@client.com").message("bell \u{7}"),
    ];
    for new in bad {
        let err = f.tenant.invite(Actor::System, new.clone()).unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_input", "{new:?}");
    }
    assert_eq!(
        (
            f.footprint(),
            f.tenant.count_customers(&Default::default()).unwrap()
        ),
        before
    );
    let dee = f.tenant.invites(None).unwrap();
    assert_eq!(dee[0].message.as_deref(), Some("Hello"));
    // 2,000 characters (not bytes) is the limit.
    let long = "é".repeat(2000);
    let ok = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("eve@client.com").message(long.clone()),
        )
        .unwrap();
    assert_eq!(ok.invite.message, Some(long));
}

fn the_tenant_maximum_bounds_lifetimes_and_settings() {
    let f = Fixture::new();
    let owner = f.staff("owner@agency.com", Role::Admin);
    assert_eq!(
        f.tenant.info().unwrap().settings.max_invite_lifetime,
        Duration::days(30),
        "30 days by default"
    );
    let thirty = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("long@client.com").lifetime(Duration::days(30)),
        )
        .unwrap();
    let set = |invite: Option<i64>, max: Option<i64>| {
        f.tenant.update_settings(
            owner,
            SettingsUpdate {
                invite_lifetime: invite.map(Duration::days),
                max_invite_lifetime: max.map(Duration::days),
                ..Default::default()
            },
        )
    };
    let before = f.footprint();
    for (invite, max) in [(None, Some(6)), (Some(8), Some(7)), (None, Some(366))] {
        assert_eq!(
            code(set(invite, max)),
            "invalid_input",
            "{invite:?} {max:?}"
        );
    }
    assert_eq!(f.footprint(), before);
    let info = set(Some(1), Some(3)).unwrap();
    assert_eq!(info.settings.max_invite_lifetime, Duration::days(3));
    assert_eq!(f.tenant.info().unwrap(), info, "read back as written");
    assert_eq!(
        code(f.tenant.invite(
            Actor::System,
            NewInvite::new("x@client.com").lifetime(Duration::days(4))
        )),
        "invalid_input"
    );
    // An invite given more than today's maximum is resent with the maximum.
    let resent = f
        .tenant
        .resend_invite(Actor::System, thirty.invite.id)
        .unwrap();
    assert_eq!(resent.invite.expires_at, f.hub.now() + Duration::days(3));
}

fn a_copied_link_works_beside_the_emailed_one_until_the_invite_is_used() {
    let f = Fixture::new();
    let course = f.course("C");
    let emailed = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("ada@client.com").product(course.id),
        )
        .unwrap();
    let events = f.tenant.outbox(100).unwrap().len();
    let copied = f
        .tenant
        .copy_invite_link(Actor::System, emailed.invite.id)
        .unwrap();
    let second = f
        .tenant
        .copy_invite_link(Actor::System, emailed.invite.id)
        .unwrap();
    assert_eq!(copied.invite.id, emailed.invite.id);
    assert_ne!(
        copied.token.expose(),
        emailed.token.expose(),
        "a fresh token"
    );
    assert_ne!(copied.token.expose(), second.token.expose());
    assert_eq!(
        f.tenant.outbox(100).unwrap().len(),
        events,
        "no email for a copy"
    );
    let trail = f.tenant.audit(&last(2)).unwrap();
    assert!(trail.iter().all(|e| e.action == "invite.link_copied"));
    assert!(!format!("{trail:?}").contains(copied.token.expose()));

    let accepted = f.tenant.accept(copied.token.expose(), None).unwrap();
    assert!(f.tenant.has_access(accepted.member.id, course.id).unwrap());
    for token in [&emailed.token, &copied.token, &second.token] {
        assert_eq!(code(f.tenant.accept(token.expose(), None)), "invite_used");
    }
}

fn copied_links_survive_a_resend_and_die_with_revoke_or_expiry() {
    let f = Fixture::new();
    let emailed = f
        .tenant
        .invite(Actor::System, NewInvite::new("bo@client.com"))
        .unwrap();
    let copied = f
        .tenant
        .copy_invite_link(Actor::System, emailed.invite.id)
        .unwrap();
    let resent = f
        .tenant
        .resend_invite(Actor::System, emailed.invite.id)
        .unwrap();
    assert_eq!(
        code(f.tenant.accept(emailed.token.expose(), None)),
        "not_found"
    );
    // Expiry kills every link; a resend brings the invite (and the copied link) back.
    f.advance(Duration::days(7));
    assert_eq!(
        code(f.tenant.accept(copied.token.expose(), None)),
        "invite_expired"
    );
    assert_eq!(
        code(f.tenant.copy_invite_link(Actor::System, emailed.invite.id)),
        "invite_expired"
    );
    f.tenant
        .resend_invite(Actor::System, emailed.invite.id)
        .unwrap();
    assert_eq!(
        code(f.tenant.accept(resent.token.expose(), None)),
        "not_found"
    );
    let again = f
        .tenant
        .copy_invite_link(Actor::System, emailed.invite.id)
        .unwrap();
    f.tenant
        .revoke_invite(Actor::System, emailed.invite.id)
        .unwrap();
    for token in [&copied.token, &again.token] {
        assert_eq!(
            code(f.tenant.accept(token.expose(), None)),
            "invite_revoked"
        );
    }
}

fn a_copied_link_is_bound_to_the_invited_email_and_tenant() {
    let f = Fixture::new();
    let emailed = f
        .tenant
        .invite(Actor::System, NewInvite::new("cy@client.com"))
        .unwrap();
    let copied = f
        .tenant
        .copy_invite_link(Actor::System, emailed.invite.id)
        .unwrap();
    assert_eq!(
        code(
            f.tenant
                .accept(copied.token.expose(), Some("someone@else.com"))
        ),
        "invite_email_mismatch"
    );
    let other = f.hub.create_tenant("Other").unwrap();
    assert_eq!(code(other.accept(copied.token.expose(), None)), "not_found");
    assert_eq!(
        code(other.copy_invite_link(Actor::System, emailed.invite.id)),
        "not_found"
    );
    let accepted = f
        .tenant
        .accept(copied.token.expose(), Some("CY@client.com"))
        .unwrap();
    assert_eq!(accepted.invite.id, emailed.invite.id);
}

fn copying_a_link_is_refused_for_spent_invites_and_without_the_rights() {
    let f = Fixture::new();
    let member = f.staff("member@agency.com", Role::Member);
    let admin_invite = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("boss@agency.com").role(Role::Admin),
        )
        .unwrap();
    let customer_invite = f
        .tenant
        .invite(Actor::System, NewInvite::new("dee@client.com"))
        .unwrap();
    let before = f.footprint();
    // A member (no users.manage) cannot hand out a link that makes someone an admin.
    assert_eq!(
        code(f.tenant.copy_invite_link(member, admin_invite.invite.id)),
        "permission_denied"
    );
    assert_eq!(
        code(f.tenant.copy_invite_link(Actor::System, InviteId::new())),
        "not_found"
    );
    assert_eq!(f.footprint(), before);
    // …but can for a customer invite (customers.manage).
    let copied = f
        .tenant
        .copy_invite_link(member, customer_invite.invite.id)
        .unwrap();
    f.tenant.accept(copied.token.expose(), None).unwrap();
    f.tenant
        .revoke_invite(Actor::System, admin_invite.invite.id)
        .unwrap();
    let before = f.footprint();
    assert_eq!(
        code(
            f.tenant
                .copy_invite_link(Actor::System, customer_invite.invite.id)
        ),
        "invite_used"
    );
    assert_eq!(
        code(
            f.tenant
                .copy_invite_link(Actor::System, admin_invite.invite.id)
        ),
        "invite_revoked"
    );
    assert_eq!(f.footprint(), before);
}
