//! The invitee's side: declining, and what one email has across tenants ("your invitations",
//! "your workspaces").

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(declining_by_link_kills_every_link_and_tells_the_inviter),
    case!(declining_after_sign_up_is_the_counterpart_of_claim),
    case!(a_decline_that_cannot_happen_changes_nothing),
    case!(invites_for_an_email_span_tenants_and_skip_dead_ones),
    case!(memberships_of_an_email_span_tenants_with_their_roles),
    case!(an_invite_link_shows_its_invite_in_every_status_and_changes_nothing),
];

fn declining_by_link_kills_every_link_and_tells_the_inviter() {
    let f = Fixture::new();
    let course = f.course("C");
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("lin@example.com").product(course.id),
        )
        .unwrap();
    let copied = f
        .tenant
        .copy_invite_link(Actor::System, issued.invite.id)
        .unwrap();
    let declined = f
        .tenant
        .decline(issued.token.expose(), Some("LIN@example.com"))
        .unwrap();
    assert_eq!(declined.status, InviteStatus::Declined);
    assert_eq!(declined.declined_at, Some(f.hub.now()));
    assert_eq!(
        f.tenant.get_invite(issued.invite.id).unwrap().status,
        InviteStatus::Declined
    );
    let declined_list = f.tenant.invites(Some(InviteStatus::Declined)).unwrap();
    assert_eq!(declined_list.len(), 1);
    assert!(f
        .tenant
        .invites(Some(InviteStatus::Revoked))
        .unwrap()
        .is_empty());
    let event = f.tenant.outbox(100).unwrap().pop().unwrap();
    assert_eq!(event.kind, "invite.declined");
    assert_eq!(event.channel, Channel::InApp);
    for token in [&issued.token, &copied.token] {
        assert_eq!(
            code(f.tenant.accept(token.expose(), None)),
            "invite_revoked"
        );
        assert_eq!(
            code(f.tenant.decline(token.expose(), None)),
            "invite_revoked"
        );
    }
    assert_eq!(
        code(f.tenant.resend_invite(Actor::System, issued.invite.id)),
        "invite_revoked"
    );
    // The invited member went with it: the email can be invited afresh.
    assert_eq!(code(f.tenant.member(issued.invite.member_id)), "not_found");
    let again = f
        .tenant
        .invite(Actor::System, NewInvite::new("lin@example.com"))
        .unwrap();
    assert!(!again.merged);
    assert_eq!(
        f.tenant
            .revoke_invite(Actor::System, issued.invite.id)
            .unwrap()
            .status,
        InviteStatus::Declined,
        "revoking a declined invite changes nothing"
    );
}

fn declining_after_sign_up_is_the_counterpart_of_claim() {
    let f = Fixture::new();
    assert_eq!(
        f.tenant.decline_pending("nobody@example.com").unwrap(),
        None
    );
    let issued = f
        .tenant
        .invite(Actor::System, NewInvite::new("sam@example.com"))
        .unwrap();
    let declined = f
        .tenant
        .decline_pending("Sam@Example.com")
        .unwrap()
        .unwrap();
    assert_eq!(declined.id, issued.invite.id);
    assert_eq!(declined.status, InviteStatus::Declined);
    assert_eq!(f.tenant.decline_pending("sam@example.com").unwrap(), None);
    assert_eq!(f.tenant.claim("sam@example.com").unwrap(), None);
    // A member who already had access keeps it: only the invite is declined.
    let course = f.course("C");
    let invited = f
        .tenant
        .invite(Actor::System, NewInvite::new("new@example.com"))
        .unwrap();
    f.tenant
        .grant(
            Actor::System,
            invited.invite.member_id,
            course.id,
            Default::default(),
        )
        .unwrap();
    f.tenant
        .decline_pending("new@example.com")
        .unwrap()
        .unwrap();
    assert!(
        f.tenant.member(invited.invite.member_id).is_ok(),
        "an invited member holding a grant stays"
    );
}

fn a_decline_that_cannot_happen_changes_nothing() {
    let f = Fixture::new();
    let issued = f
        .tenant
        .invite(Actor::System, NewInvite::new("ada@example.com"))
        .unwrap();
    let other = f.hub.create_tenant("Other").unwrap();
    let before = f.footprint();
    assert_eq!(
        code(
            f.tenant
                .decline(issued.token.expose(), Some("eve@example.com"))
        ),
        "invite_email_mismatch"
    );
    assert_eq!(
        code(other.decline(issued.token.expose(), None)),
        "not_found"
    );
    assert_eq!(code(f.tenant.decline("not a token", None)), "not_found");
    assert_eq!(
        code(f.tenant.decline_pending("not an email")),
        "invalid_input"
    );
    assert_eq!(other.decline_pending("ada@example.com").unwrap(), None);
    f.advance(Duration::days(7));
    assert_eq!(
        code(f.tenant.decline(issued.token.expose(), None)),
        "invite_expired"
    );
    assert_eq!(f.tenant.decline_pending("ada@example.com").unwrap(), None);
    assert_eq!(f.footprint(), before);
    assert_eq!(
        f.tenant.get_invite(issued.invite.id).unwrap().status,
        InviteStatus::Expired
    );
}

fn invites_for_an_email_span_tenants_and_skip_dead_ones() {
    let f = Fixture::new();
    let agency = f.hub.create_tenant("Agency").unwrap();
    let studio = f.hub.create_tenant("Studio").unwrap();
    let a = agency
        .invite(Actor::System, NewInvite::new("Pat@Example.com"))
        .unwrap();
    let s = studio
        .invite(Actor::System, NewInvite::new("pat@example.com"))
        .unwrap();
    let declined = f
        .tenant
        .invite(Actor::System, NewInvite::new("pat@example.com"))
        .unwrap();
    f.tenant.decline(declined.token.expose(), None).unwrap();
    f.tenant
        .invite(Actor::System, NewInvite::new("someone@example.com"))
        .unwrap();
    let mut found = f.hub.invites_for("PAT@example.com").unwrap();
    found.sort_by(|x, y| x.tenant_name.cmp(&y.tenant_name));
    let names: Vec<&str> = found.iter().map(|i| i.tenant_name.as_str()).collect();
    assert_eq!(names, ["Agency", "Studio"]);
    assert_eq!(found[0].invite.id, a.invite.id);
    assert_eq!(found[1].invite.id, s.invite.id);
    // Look-alikes never match: a long s (ſ) is another address.
    assert!(f.hub.invites_for("paſt@example.com").unwrap().is_empty());
    agency.accept(a.token.expose(), None).unwrap();
    f.advance(Duration::days(7));
    assert!(f.hub.invites_for("pat@example.com").unwrap().is_empty());
    assert_eq!(code(f.hub.invites_for("nope")), "invalid_input");
}

fn memberships_of_an_email_span_tenants_with_their_roles() {
    let f = Fixture::new();
    let agency = f.hub.create_tenant("Agency").unwrap();
    let studio = f.hub.create_tenant("Studio").unwrap();
    let staff = agency
        .add_customer(
            Actor::System,
            NewCustomer::new("jo@example.com").role(Role::Member),
        )
        .unwrap()
        .member;
    let customer = studio
        .add_customer(Actor::System, NewCustomer::new("JO@example.com"))
        .unwrap()
        .member;
    studio.deactivate(Actor::System, customer.id).unwrap();
    f.tenant
        .invite(Actor::System, NewInvite::new("jo@example.com"))
        .unwrap();
    let mut found = f.hub.memberships_of("jo@EXAMPLE.com").unwrap();
    found.sort_by(|x, y| x.tenant_name.cmp(&y.tenant_name));
    let seen: Vec<(&str, MemberId, Option<Role>, MemberStatus)> = found
        .iter()
        .map(|m| (m.tenant_name.as_str(), m.member.id, m.role, m.member.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("Agency", staff.id, Some(Role::Member), MemberStatus::Active),
            (
                "Studio",
                customer.id,
                Some(Role::Customer),
                MemberStatus::Deactivated
            ),
        ],
        "the invited member is in invites_for, not here"
    );
    assert!(f
        .hub
        .memberships_of("other@example.com")
        .unwrap()
        .is_empty());
}

fn an_invite_link_shows_its_invite_in_every_status_and_changes_nothing() {
    let f = Fixture::new();
    let course = f.course("C");
    let admin = f.staff("admin@example.com", Role::Admin);
    let issued = f
        .tenant
        .invite(admin, NewInvite::new("lin@example.com").product(course.id))
        .unwrap();
    let token = issued.token.expose().to_owned();
    let before = f.footprint();
    let shown = f.hub.invite_by_link(&token).unwrap();
    assert_eq!(shown.tenant_name, f.tenant.info().unwrap().name);
    assert_eq!(shown.invite.id, issued.invite.id);
    assert_eq!(shown.invite.status, InviteStatus::Pending);
    assert_eq!(
        (shown.invite.created_by, shown.invite.products.clone()),
        (admin, vec![course.id])
    );
    assert_eq!(f.footprint(), before, "looking changes nothing");
    // Past its expiry it says so; the link still names it.
    f.advance(Duration::days(8));
    assert_eq!(
        f.hub.invite_by_link(&token).unwrap().invite.status,
        InviteStatus::Expired
    );
    // A resend replaces the link: the old token names nothing; the new one is pending again.
    let resent = f.tenant.resend_invite(admin, issued.invite.id).unwrap();
    assert_eq!(code(f.hub.invite_by_link(&token)), "not_found");
    let token = resent.token.expose().to_owned();
    f.tenant.accept(&token, None).unwrap();
    assert_eq!(
        f.hub.invite_by_link(&token).unwrap().invite.status,
        InviteStatus::Accepted
    );
    for bad in ["", "mki_123", "not a token"] {
        assert_eq!(code(f.hub.invite_by_link(bad)), "not_found", "{bad:?}");
    }
}
