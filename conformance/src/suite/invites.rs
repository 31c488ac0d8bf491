//! Invites: pending until accepted or claimed, then everything they carried in one step.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(accept_activates_the_member_and_applies_role_and_products),
    case!(claim_on_sign_up_applies_the_invite_case_insensitively),
    case!(hub_claim_accepts_pending_invites_in_every_tenant),
    case!(an_invite_expires_at_its_instant_and_can_be_resent),
    case!(the_lifetime_is_configurable_per_tenant),
    case!(revoked_invites_fail_and_the_email_can_be_invited_again),
    case!(a_second_invite_merges_into_the_pending_one),
    case!(re_inviting_after_expiry_always_works),
    case!(a_link_only_works_for_the_invited_email_and_its_tenant),
    case!(inviting_an_active_member_is_a_conflict),
    case!(accepting_never_lowers_a_role_and_invites_can_carry_team_roles),
];

fn accept_activates_the_member_and_applies_role_and_products() {
    let f = Fixture::new();
    let (a, b) = (f.course("A"), f.course("B"));
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("Lin@Example.com")
                .name("Lin")
                .product(a.id)
                .product(b.id),
        )
        .unwrap();
    let inv = &issued.invite;
    assert_eq!(inv.status, InviteStatus::Pending);
    assert_eq!(
        inv.expires_at,
        f.hub.now() + Duration::days(7),
        "7 days by default"
    );
    let member = f.tenant.member(inv.member_id).unwrap();
    assert_eq!(member.status, MemberStatus::Invited);
    assert!(
        !f.tenant.has_access(member.id, a.id).unwrap(),
        "pending invite grants nothing"
    );
    assert_eq!(f.event_kinds(), ["invite.created"]);

    let accepted = f
        .tenant
        .accept(issued.token.expose(), Some("lin@example.COM"))
        .unwrap();
    assert_eq!(accepted.member.id, member.id);
    assert_eq!(accepted.member.status, MemberStatus::Active);
    assert_eq!(accepted.invite.status, InviteStatus::Accepted);
    assert_eq!(accepted.granted.len(), 2);
    assert!(accepted
        .granted
        .iter()
        .all(|g| g.source == GrantSource::Invite && g.granted_by == Actor::System));
    assert!(f.tenant.has_access(member.id, a.id).unwrap());
    assert!(f.tenant.has_access(member.id, b.id).unwrap());
    assert_eq!(f.tenant.role(member.id).unwrap(), Some(Role::Customer));
    assert_eq!(
        f.tenant.get_invite(inv.id).unwrap().status,
        InviteStatus::Accepted
    );
    assert_eq!(
        f.event_kinds(),
        [
            "invite.created",
            "access.granted",
            "access.granted",
            "invite.accepted"
        ]
    );
    // Single use.
    assert_eq!(
        code(f.tenant.accept(issued.token.expose(), None)),
        "invite_used"
    );
}

fn claim_on_sign_up_applies_the_invite_case_insensitively() {
    let f = Fixture::new();
    let a = f.course("A");
    f.tenant
        .invite(
            Actor::System,
            NewInvite::new("sam@example.com").product(a.id),
        )
        .unwrap();
    assert!(f.tenant.claim("nobody@example.com").unwrap().is_none());
    let claimed = f
        .tenant
        .claim("SAM@example.com")
        .unwrap()
        .expect("pending invite");
    assert!(f.tenant.has_access(claimed.member.id, a.id).unwrap());
    assert!(
        f.tenant.claim("sam@example.com").unwrap().is_none(),
        "nothing left pending"
    );
}

fn hub_claim_accepts_pending_invites_in_every_tenant() {
    let f = Fixture::new();
    let other = f.hub.create_tenant("Other hub").unwrap();
    let a = f.course("A");
    let b = other
        .create_product(
            Actor::System,
            NewProduct::paid("B", ProductKind::Membership),
        )
        .unwrap();
    f.tenant
        .invite(
            Actor::System,
            NewInvite::new("kim@example.com").product(a.id),
        )
        .unwrap();
    other
        .invite(
            Actor::System,
            NewInvite::new("Kim@Example.com").product(b.id),
        )
        .unwrap();
    let claimed = f.hub.claim("kim@example.com").unwrap();
    assert_eq!(claimed.len(), 2);
    let mut tenants: Vec<_> = claimed.iter().map(|c| c.member.tenant_id).collect();
    tenants.sort();
    let mut want = vec![f.tenant.id(), other.id()];
    want.sort();
    assert_eq!(tenants, want);
    let in_other = other.member_by_email("kim@example.com").unwrap().unwrap();
    assert!(other.has_access(in_other.id, b.id).unwrap());
}

fn an_invite_expires_at_its_instant_and_can_be_resent() {
    let f = Fixture::new();
    let a = f.course("A");
    let issued = f
        .tenant
        .invite(Actor::System, NewInvite::new("e@example.com").product(a.id))
        .unwrap();
    f.advance(Duration::days(7) - Duration::seconds(1));
    assert_eq!(
        f.tenant.get_invite(issued.invite.id).unwrap().status,
        InviteStatus::Pending
    );
    f.advance(Duration::seconds(2));
    assert_eq!(
        f.tenant.get_invite(issued.invite.id).unwrap().status,
        InviteStatus::Expired
    );
    assert_eq!(
        code(f.tenant.accept(issued.token.expose(), None)),
        "invite_expired"
    );
    // An expired invite is not pending: a sign-up claims nothing, here or hub-wide, and
    // changes nothing.
    let before = f.footprint();
    assert_eq!(f.tenant.claim("e@example.com").unwrap(), None);
    assert!(f.hub.claim("e@example.com").unwrap().is_empty());
    assert_eq!(f.footprint(), before);
    assert_eq!(
        f.tenant.invites(Some(InviteStatus::Expired)).unwrap().len(),
        1
    );
    assert!(f
        .tenant
        .invites(Some(InviteStatus::Pending))
        .unwrap()
        .is_empty());

    let resent = f
        .tenant
        .resend_invite(Actor::System, issued.invite.id)
        .unwrap();
    assert_eq!(resent.invite.id, issued.invite.id);
    assert_eq!(
        resent.invite.expires_at,
        f.hub.now() + Duration::days(7),
        "lifetime restarts"
    );
    assert_ne!(resent.token, issued.token, "token rotates");
    assert_eq!(
        code(f.tenant.accept(issued.token.expose(), None)),
        "not_found",
        "old link is dead"
    );
    let ok = f.tenant.accept(resent.token.expose(), None).unwrap();
    assert!(f.tenant.has_access(ok.member.id, a.id).unwrap());
    assert!(f.event_kinds().contains(&"invite.resent".to_string()));
}

fn the_lifetime_is_configurable_per_tenant() {
    let f = Fixture::new();
    f.tenant
        .update_settings(
            Actor::System,
            SettingsUpdate {
                invite_lifetime: Some(Duration::hours(48)),
                ..Default::default()
            },
        )
        .unwrap();
    let issued = f
        .tenant
        .invite(Actor::System, NewInvite::new("a@example.com"))
        .unwrap();
    assert_eq!(issued.invite.expires_at, f.hub.now() + Duration::hours(48));
    let settings = TenantSettings {
        invite_lifetime: Duration::seconds(5),
        ..Default::default()
    };
    let too_short = SettingsUpdate {
        invite_lifetime: Some(Duration::seconds(5)),
        ..Default::default()
    };
    assert_eq!(
        code(f.tenant.update_settings(Actor::System, too_short)),
        "invalid_input"
    );
    assert_eq!(
        f.tenant.info().unwrap().settings.invite_lifetime,
        Duration::hours(48)
    );
    assert_eq!(
        code(f.hub.create_tenant_with("x", settings)),
        "invalid_input"
    );
}

fn revoked_invites_fail_and_the_email_can_be_invited_again() {
    let f = Fixture::new();
    let issued = f
        .tenant
        .invite(Actor::System, NewInvite::new("r@example.com"))
        .unwrap();
    let revoked = f
        .tenant
        .revoke_invite(Actor::System, issued.invite.id)
        .unwrap();
    assert_eq!(revoked.status, InviteStatus::Revoked);
    assert_eq!(
        code(f.tenant.accept(issued.token.expose(), None)),
        "invite_revoked"
    );
    assert!(f.tenant.claim("r@example.com").unwrap().is_none());
    assert_eq!(
        code(f.tenant.resend_invite(Actor::System, issued.invite.id)),
        "invite_revoked"
    );
    assert!(
        f.tenant.member_by_email("r@example.com").unwrap().is_none(),
        "invited-only member removed"
    );
    // Idempotent.
    assert_eq!(
        f.tenant
            .revoke_invite(Actor::System, issued.invite.id)
            .unwrap()
            .status,
        InviteStatus::Revoked
    );

    let again = f
        .tenant
        .invite(Actor::System, NewInvite::new("r@example.com"))
        .unwrap();
    assert!(!again.merged);
    assert_ne!(again.invite.id, issued.invite.id);
    f.tenant.accept(again.token.expose(), None).unwrap();
    assert_eq!(
        code(f.tenant.revoke_invite(Actor::System, again.invite.id)),
        "invite_used"
    );
}

fn a_second_invite_merges_into_the_pending_one() {
    let f = Fixture::new();
    let (a, b) = (f.course("A"), f.course("B"));
    let first = f
        .tenant
        .invite(Actor::System, NewInvite::new("m@example.com").product(a.id))
        .unwrap();
    f.advance(Duration::days(2));
    let second = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("M@example.com").product(b.id).product(a.id),
        )
        .unwrap();
    assert!(second.merged);
    assert_eq!(second.invite.id, first.invite.id);
    assert_eq!(second.invite.products, [a.id, b.id]);
    assert_eq!(second.invite.expires_at, f.hub.now() + Duration::days(7));
    assert_eq!(f.tenant.invites(None).unwrap().len(), 1);
    assert_eq!(
        code(f.tenant.accept(first.token.expose(), None)),
        "not_found",
        "merged invite has a new link"
    );
    let accepted = f.tenant.accept(second.token.expose(), None).unwrap();
    assert_eq!(accepted.granted.len(), 2);
}

fn re_inviting_after_expiry_always_works() {
    let f = Fixture::new();
    let a = f.course("A");
    let first = f
        .tenant
        .invite(Actor::System, NewInvite::new("late@example.com"))
        .unwrap();
    f.advance(Duration::days(30));
    let again = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("late@example.com").product(a.id),
        )
        .unwrap();
    assert_eq!(again.invite.status, InviteStatus::Pending);
    assert_eq!(again.invite.id, first.invite.id);
    let ok = f.tenant.claim("late@example.com").unwrap().unwrap();
    assert!(f.tenant.has_access(ok.member.id, a.id).unwrap());
}

fn a_link_only_works_for_the_invited_email_and_its_tenant() {
    let f = Fixture::new();
    let other = f.hub.create_tenant("Other").unwrap();
    let issued = f
        .tenant
        .invite(Actor::System, NewInvite::new("owner@example.com"))
        .unwrap();
    let before = f.footprint();
    assert_eq!(
        code(
            f.tenant
                .accept(issued.token.expose(), Some("thief@example.com"))
        ),
        "invite_email_mismatch"
    );
    assert_eq!(code(other.accept(issued.token.expose(), None)), "not_found");
    assert_eq!(code(f.tenant.accept("mki_nonsense", None)), "not_found");
    assert_eq!(code(f.tenant.accept("", None)), "not_found");
    let unknown = InviteToken::generate().unwrap();
    assert_eq!(code(f.tenant.accept(unknown.expose(), None)), "not_found");
    assert_eq!(f.footprint(), before, "failed accepts change nothing");
    assert_eq!(
        f.tenant.get_invite(issued.invite.id).unwrap().status,
        InviteStatus::Pending
    );
}

fn inviting_an_active_member_is_a_conflict() {
    let f = Fixture::new();
    f.customer("here@example.com", &[]);
    assert_eq!(
        code(
            f.tenant
                .invite(Actor::System, NewInvite::new("HERE@example.com"))
        ),
        "conflict"
    );
}

fn accepting_never_lowers_a_role_and_invites_can_carry_team_roles() {
    let f = Fixture::new();
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("team@example.com").role(Role::Member),
        )
        .unwrap();
    let ok = f.tenant.accept(issued.token.expose(), None).unwrap();
    assert_eq!(f.tenant.role(ok.member.id).unwrap(), Some(Role::Member));
}
