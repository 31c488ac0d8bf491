//! Verified email domains: a person who signs up with an address at a workspace's domain
//! joins it, or gets a pending suggestion; look-alikes never match.

use crate::fixture::*;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(signing_up_at_a_join_domain_joins_the_workspace_with_its_role),
    case!(a_suggest_domain_leaves_a_suggestion_to_take_or_decline),
    case!(look_alike_domains_never_match),
    case!(domains_are_checked_unique_and_need_the_rights),
    case!(an_invite_comes_first_and_nobody_is_enrolled_twice),
    case!(a_full_workspace_refuses_the_join),
];

fn acme(f: &Fixture, enrollment: Enrollment) -> Workspace {
    let ws = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    f.tenant
        .add_domain(
            Actor::System,
            ws.id,
            NewDomain::new("Acme.com").enrollment(enrollment),
        )
        .unwrap();
    ws
}

fn role_in(f: &Fixture, member: MemberId, ws: WorkspaceId) -> Option<Role> {
    f.tenant
        .assignments(member)
        .unwrap()
        .into_iter()
        .find(|a| a.workspace == Some(ws))
        .map(|a| a.role)
}

fn signing_up_at_a_join_domain_joins_the_workspace_with_its_role() {
    let f = Fixture::new();
    let ws = acme(&f, Enrollment::Join);
    let rules = f.tenant.domains(ws.id).unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        (rules[0].domain.as_str(), rules[0].role),
        ("acme.com", Role::Member)
    );
    let accepted = f.tenant.claim("Pat@ACME.com").unwrap().expect("joined");
    assert_eq!(accepted.member.status, MemberStatus::Active);
    assert_eq!(accepted.invite.workspace, Some(ws.id));
    assert_eq!(role_in(&f, accepted.member.id, ws.id), Some(Role::Member));
    assert!(f
        .tenant
        .can(
            accepted.member.id,
            &Permission::CUSTOMERS_MANAGE,
            Some(ws.id)
        )
        .unwrap());
    let created = &f.tenant.audit(&last(2)).unwrap()[1];
    assert_eq!(created.action, "invite.created");
    assert_eq!(created.details["via_domain"], "acme.com");

    // Hub-wide sign-up applies domains in every tenant.
    let other = f.hub.create_tenant("Other").unwrap();
    let theirs = other.create_workspace(Actor::System, "Acme there").unwrap();
    other
        .add_domain(Actor::System, theirs.id, NewDomain::new("acme.com"))
        .unwrap();
    let all = f.hub.claim("sam@acme.com").unwrap();
    assert_eq!(all.len(), 2);
}

fn a_suggest_domain_leaves_a_suggestion_to_take_or_decline() {
    let f = Fixture::new();
    let ws = acme(&f, Enrollment::Suggest);
    assert!(f.tenant.claim("pat@acme.com").unwrap().is_none());
    let pending = f.tenant.invites(Some(InviteStatus::Pending)).unwrap();
    assert_eq!(pending.len(), 1);
    assert!(pending[0].suggested);
    assert_eq!(f.event_kinds(), ["invite.suggested"]);
    assert_eq!(f.hub.invites_for("pat@acme.com").unwrap().len(), 1);
    // Signing in again does not take it for them.
    assert!(f.tenant.claim("pat@acme.com").unwrap().is_none());
    assert!(f.hub.claim("pat@acme.com").unwrap().is_empty());
    let taken = f.tenant.accept_suggestion("pat@acme.com").unwrap().unwrap();
    assert_eq!(role_in(&f, taken.member.id, ws.id), Some(Role::Member));
    assert!(f
        .tenant
        .accept_suggestion("pat@acme.com")
        .unwrap()
        .is_none());

    // Declining one works like declining an invite.
    f.tenant.claim("lee@acme.com").unwrap();
    let declined = f.tenant.decline_pending("lee@acme.com").unwrap().unwrap();
    assert_eq!(declined.status, InviteStatus::Declined);
    assert!(f.tenant.member_by_email("lee@acme.com").unwrap().is_none());

    // A real invite to the same person turns the suggestion into an invitation.
    f.tenant.claim("kim@acme.com").unwrap();
    let invited = f
        .tenant
        .invite(Actor::System, NewInvite::new("kim@acme.com"))
        .unwrap();
    assert!(invited.merged && !invited.invite.suggested);
    assert!(f.tenant.claim("kim@acme.com").unwrap().is_some());
}

fn look_alike_domains_never_match() {
    let f = Fixture::new();
    acme(&f, Enrollment::Join);
    for email in [
        "pat@xacme.com",
        "pat@acme.com.evil.io",
        "pat@eu.acme.com",
        "pat@\u{430}cme.com", // Cyrillic a
        "pat@acme.co",
    ] {
        assert!(f.tenant.claim(email).unwrap().is_none(), "{email}");
    }
    assert!(f.tenant.invites(None).unwrap().is_empty());
    for bad in [
        "\u{430}cme.com",
        "acme",
        "-acme.com",
        "acme..com",
        "10.0.0.1",
        "gmail.com",
        "pat@acme.com",
    ] {
        let ws = f.tenant.workspaces().unwrap()[0].id;
        assert_eq!(
            code(f.tenant.add_domain(Actor::System, ws, NewDomain::new(bad))),
            "invalid_input",
            "{bad}"
        );
    }
}

fn domains_are_checked_unique_and_need_the_rights() {
    let f = Fixture::new();
    let ws = acme(&f, Enrollment::Join);
    let globex = f.tenant.create_workspace(Actor::System, "Globex").unwrap();
    let member = f.staff("m@x.com", Role::Member);
    let before = f.footprint();
    assert_eq!(
        code(
            f.tenant
                .add_domain(Actor::System, globex.id, NewDomain::new("acme.com"))
        ),
        "conflict"
    );
    assert_eq!(
        code(f.tenant.add_domain(
            member,
            globex.id,
            NewDomain::new("globex.com").role(Role::Admin)
        )),
        "permission_denied",
        "nobody hands out a role above their own"
    );
    assert_eq!(
        code(
            f.tenant
                .add_domain(Actor::System, WorkspaceId::new(), NewDomain::new("x.com"))
        ),
        "not_found"
    );
    assert_eq!(
        code(f.tenant.remove_domain(member, ws.id, "acme.com")),
        "permission_denied"
    );
    assert_eq!(f.footprint(), before);
    // The same rule again changes nothing; removing it stops the enrollment.
    f.tenant
        .add_domain(Actor::System, ws.id, NewDomain::new("@acme.com"))
        .unwrap();
    assert_eq!(f.footprint(), before);
    assert!(!f
        .tenant
        .remove_domain(Actor::System, globex.id, "acme.com")
        .unwrap());
    assert!(f
        .tenant
        .remove_domain(Actor::System, ws.id, "ACME.com")
        .unwrap());
    assert!(f.tenant.claim("pat@acme.com").unwrap().is_none());
}

fn an_invite_comes_first_and_nobody_is_enrolled_twice() {
    let f = Fixture::new();
    let ws = acme(&f, Enrollment::Join);
    let course = f.course("Course");
    f.tenant
        .invite(
            Actor::System,
            NewInvite::new("boss@acme.com")
                .role(Role::Admin)
                .product(course.id),
        )
        .unwrap();
    let accepted = f.tenant.claim("boss@acme.com").unwrap().unwrap();
    assert_eq!(
        accepted.invite.workspace, None,
        "their own invite, not the domain"
    );
    assert_eq!(role_in(&f, accepted.member.id, ws.id), None);
    // Already in the workspace: nothing more.
    let first = f.tenant.claim("pat@acme.com").unwrap().unwrap();
    assert!(f.tenant.claim("pat@acme.com").unwrap().is_none());
    // A deactivated member is not let back in by their address.
    f.tenant.deactivate(Actor::System, first.member.id).unwrap();
    f.tenant
        .remove_from_workspace(Actor::System, first.member.id, ws.id)
        .unwrap();
    assert!(f.tenant.claim("pat@acme.com").unwrap().is_none());
}

fn a_full_workspace_refuses_the_join() {
    let f = Fixture::new();
    let ws = acme(&f, Enrollment::Join);
    f.tenant
        .set_seat_limit(Actor::System, Some(ws.id), Some(1))
        .unwrap();
    f.tenant.claim("one@acme.com").unwrap().unwrap();
    let before = (
        f.footprint(),
        f.tenant.member_by_email("two@acme.com").unwrap(),
    );
    assert_eq!(code(f.tenant.claim("two@acme.com")), "seat_limit");
    assert_eq!(
        (
            f.footprint(),
            f.tenant.member_by_email("two@acme.com").unwrap()
        ),
        before
    );
}
