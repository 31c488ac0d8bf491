//! Nobody acts above their rank: acting on another member needs every permission they hold,
//! scope by scope, and `users.manage` for anyone on the team. Every denial changes nothing.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(a_member_cannot_change_an_admins_or_a_fellow_members_role),
    case!(add_to_workspace_cannot_reach_someone_above_you),
    case!(a_manager_without_pricing_cannot_touch_an_admin_but_can_manage_customers),
    case!(admins_may_act_on_admins_and_the_last_admin_stays),
    case!(impersonation_compares_tenant_wide_rights_with_tenant_wide_rights),
    case!(verify_impersonation_rechecks_the_rule_every_time),
    case!(a_member_cannot_destroy_an_admin_invite_by_merging_or_removing),
    case!(can_with_an_unknown_or_foreign_workspace_is_not_found),
    case!(may_manage_answers_what_deactivate_would_and_changes_nothing),
    case!(the_team_lists_everyone_with_a_role_but_customer_with_their_roles),
];

fn id(actor: Actor) -> MemberId {
    match actor {
        Actor::Member(id) => id,
        Actor::System => unreachable!("a member actor"),
    }
}

fn perms(names: &[&str]) -> Vec<Permission> {
    names.iter().map(|n| Permission::custom(*n)).collect()
}

/// Runs `call`, expects `permission_denied`, and checks nothing was written.
fn denied<T: std::fmt::Debug>(f: &Fixture, call: impl FnOnce() -> Result<T>) {
    let before = f.footprint();
    assert_eq!(code(call()), "permission_denied");
    assert_eq!(f.footprint(), before, "a denied call changed nothing");
}

fn a_member_cannot_change_an_admins_or_a_fellow_members_role() {
    let f = Fixture::new();
    let _owner = f.staff("owner@example.com", Role::Admin);
    let admin = f.staff("admin@example.com", Role::Admin);
    let mia = f.staff("mia@example.com", Role::Member);
    let max = f.staff("max@example.com", Role::Member);
    denied(&f, || {
        f.tenant.assign_role(mia, id(admin), Role::Customer, None)
    });
    denied(&f, || {
        f.tenant.assign_role(mia, id(max), Role::Customer, None)
    });
    assert_eq!(f.tenant.role(id(admin)).unwrap(), Some(Role::Admin));
    assert_eq!(f.tenant.role(id(max)).unwrap(), Some(Role::Member));
    // A customer is theirs to manage (customers.manage), and they may not promote.
    let cleo = f.customer("cleo@example.com", &[]);
    let ws = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    f.tenant
        .add_to_workspace(mia, cleo.id, ws.id, Role::Customer)
        .unwrap();
    denied(&f, || {
        f.tenant.assign_role(mia, cleo.id, Role::Member, None)
    });
}

fn add_to_workspace_cannot_reach_someone_above_you() {
    let f = Fixture::new();
    let admin = f.staff("admin@example.com", Role::Admin);
    let mia = f.staff("mia@example.com", Role::Member);
    let ws = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    denied(&f, || {
        f.tenant
            .add_to_workspace(mia, id(admin), ws.id, Role::Customer)
    });
    // An admin of the workspace cannot be demoted there by a member either.
    let wendy = f.customer("wendy@example.com", &[]);
    f.tenant
        .add_to_workspace(Actor::System, wendy.id, ws.id, Role::Admin)
        .unwrap();
    denied(&f, || {
        f.tenant
            .assign_role(mia, wendy.id, Role::Customer, Some(ws.id))
    });
    denied(&f, || f.tenant.remove_from_workspace(mia, wendy.id, ws.id));
    assert_eq!(f.tenant.workspace_members(ws.id).unwrap().len(), 1);
}

fn a_manager_without_pricing_cannot_touch_an_admin_but_can_manage_customers() {
    let f = Fixture::new();
    let _owner = f.staff("owner@example.com", Role::Admin);
    let admin = f.staff("admin@example.com", Role::Admin);
    let role = f
        .tenant
        .create_role(
            Actor::System,
            "People",
            &perms(&["users.manage", "customers.manage"]),
        )
        .unwrap();
    let pat = f.staff("pat@example.com", Role::Custom(role.id));
    denied(&f, || {
        f.tenant.assign_role(pat, id(admin), Role::Customer, None)
    });
    denied(&f, || f.tenant.deactivate(pat, id(admin)));
    denied(&f, || f.tenant.reactivate(pat, id(admin)));
    denied(&f, || f.tenant.remove_member(pat, id(admin)));
    denied(&f, || {
        f.tenant
            .set_password(pat, id(admin), "correct horse battery", false)
    });
    assert_eq!(
        f.tenant.member(id(admin)).unwrap().status,
        MemberStatus::Active
    );
    // A peer with the same role is within reach, and so is a customer.
    let peer = f.staff("peer@example.com", Role::Custom(role.id));
    f.tenant.deactivate(pat, id(peer)).unwrap();
    let cleo = f.customer("cleo@example.com", &[]);
    f.tenant.deactivate(pat, cleo.id).unwrap();
    f.tenant.reactivate(pat, cleo.id).unwrap();
    f.tenant.remove_member(pat, cleo.id).unwrap();
}

fn admins_may_act_on_admins_and_the_last_admin_stays() {
    let f = Fixture::new();
    let a = f.staff("a@example.com", Role::Admin);
    let b = f.staff("b@example.com", Role::Admin);
    f.tenant.assign_role(a, id(b), Role::Member, None).unwrap();
    let before = f.footprint();
    assert_eq!(
        code(f.tenant.assign_role(a, id(a), Role::Member, None)),
        "conflict"
    );
    assert_eq!(code(f.tenant.remove_member(a, id(a))), "conflict");
    assert_eq!(f.footprint(), before);
}

fn impersonation_compares_tenant_wide_rights_with_tenant_wide_rights() {
    let f = Fixture::new();
    let ws = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    // A tenant-wide member who is admin of one workspace...
    let mia = f.staff("mia@example.com", Role::Member);
    f.tenant
        .add_to_workspace(Actor::System, id(mia), ws.id, Role::Admin)
        .unwrap();
    // ...and someone holding pricing, payment and users.manage tenant-wide.
    let finance = f
        .tenant
        .create_role(
            Actor::System,
            "Finance",
            &perms(&["pricing", "payment", "users.manage"]),
        )
        .unwrap();
    let fin = f.staff("fin@example.com", Role::Custom(finance.id));
    denied(&f, || f.tenant.impersonate(mia, id(fin), "support", None));
    // A customer she may look at.
    let cleo = f.customer("cleo@example.com", &[]);
    f.tenant.impersonate(mia, cleo.id, "support", None).unwrap();
}

fn verify_impersonation_rechecks_the_rule_every_time() {
    let f = Fixture::new();
    let mia = f.staff("mia@example.com", Role::Member);
    let cleo = f.customer("cleo@example.com", &[]);
    let dan = f.customer("dan@example.com", &[]);
    let s1 = f
        .tenant
        .impersonate(mia, cleo.id, "ticket 1", None)
        .unwrap();
    let s2 = f.tenant.impersonate(mia, dan.id, "ticket 2", None).unwrap();
    f.tenant.verify_impersonation(s1.token.expose()).unwrap();
    // Cleo is promoted to admin: the session ends at once.
    f.tenant
        .assign_role(Actor::System, cleo.id, Role::Admin, None)
        .unwrap();
    assert_eq!(
        code(f.tenant.verify_impersonation(s1.token.expose())),
        "impersonation_ended"
    );
    // Dan gains a right Mia lacks.
    let billing = f
        .tenant
        .create_role(Actor::System, "Billing", &perms(&["payment"]))
        .unwrap();
    f.advance(Duration::minutes(1));
    f.tenant.verify_impersonation(s2.token.expose()).unwrap();
    f.tenant
        .assign_role(Actor::System, dan.id, Role::Custom(billing.id), None)
        .unwrap();
    assert_eq!(
        code(f.tenant.verify_impersonation(s2.token.expose())),
        "impersonation_ended"
    );
}

fn a_member_cannot_destroy_an_admin_invite_by_merging_or_removing() {
    let f = Fixture::new();
    let mia = f.staff("mia@example.com", Role::Member);
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("boss@example.com").role(Role::Admin),
        )
        .unwrap();
    denied(&f, || {
        f.tenant.invite(mia, NewInvite::new("boss@example.com"))
    });
    denied(&f, || f.tenant.revoke_invite(mia, issued.invite.id));
    denied(&f, || f.tenant.resend_invite(mia, issued.invite.id));
    denied(&f, || f.tenant.remove_member(mia, issued.invite.member_id));
    // The admin's link still works and still carries admin.
    let accepted = f.tenant.accept(issued.token.expose(), None).unwrap();
    assert_eq!(accepted.invite.role, Role::Admin);
    assert_eq!(
        f.tenant.role(accepted.member.id).unwrap(),
        Some(Role::Admin)
    );
    // A customer invite is hers to merge into and remove.
    let cust = f
        .tenant
        .invite(Actor::System, NewInvite::new("c@example.com"))
        .unwrap();
    assert!(
        f.tenant
            .invite(mia, NewInvite::new("c@example.com"))
            .unwrap()
            .merged
    );
    f.tenant.remove_member(mia, cust.invite.member_id).unwrap();
}

fn can_with_an_unknown_or_foreign_workspace_is_not_found() {
    let f = Fixture::new();
    let mia = f.staff("mia@example.com", Role::Member);
    let other = f.hub.create_tenant("Other").unwrap();
    let foreign = other.create_workspace(Actor::System, "Theirs").unwrap();
    for ws in [foreign.id, WorkspaceId::new()] {
        assert_eq!(
            code(
                f.tenant
                    .can(id(mia), &Permission::CUSTOMERS_MANAGE, Some(ws))
            ),
            "not_found"
        );
    }
    let own = f.tenant.create_workspace(Actor::System, "Ours").unwrap();
    assert!(f
        .tenant
        .can(id(mia), &Permission::CUSTOMERS_MANAGE, Some(own.id))
        .unwrap());
}

fn may_manage_answers_what_deactivate_would_and_changes_nothing() {
    let f = Fixture::new();
    let _owner = f.staff("owner@example.com", Role::Admin);
    let admin = f.staff("admin@example.com", Role::Admin);
    let mia = f.staff("mia@example.com", Role::Member);
    let max = f.staff("max@example.com", Role::Member);
    let cleo = f.customer("cleo@example.com", &[]);
    let before = f.footprint();
    let asked = [
        (mia, id(admin)),
        (mia, id(max)),
        (mia, cleo.id),
        (admin, id(mia)),
        (admin, id(admin)),
        (Actor::System, id(admin)),
    ];
    let answers: Vec<bool> = asked
        .iter()
        .map(|(actor, target)| f.tenant.may_manage(*actor, *target).unwrap())
        .collect();
    assert_eq!(answers, [false, false, true, true, true, true]);
    assert_eq!(f.footprint(), before, "asking changes nothing");
    // The answer is the one the action gives.
    for ((actor, target), may) in asked.iter().zip(answers).take(4) {
        let outcome = f.tenant.deactivate(*actor, *target);
        assert_eq!(outcome.is_ok(), may, "{actor} deactivating {target}");
        if may {
            f.tenant.reactivate(Actor::System, *target).unwrap();
        }
    }
    // A member of another tenant is not found, not "not allowed".
    let other = f.hub.create_tenant("Other").unwrap();
    let stranger = other
        .add_customer(Actor::System, NewCustomer::new("s@example.com"))
        .unwrap()
        .member;
    assert_eq!(code(f.tenant.may_manage(admin, stranger.id)), "not_found");
}

fn the_team_lists_everyone_with_a_role_but_customer_with_their_roles() {
    let f = Fixture::new();
    let _admin = f.staff("admin@example.com", Role::Admin);
    let mia = f.staff("mia@example.com", Role::Member);
    let _cleo = f.customer("cleo@example.com", &[]);
    let ws = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    let support = f
        .tenant
        .create_role(Actor::System, "Support", &perms(&["customers.manage"]))
        .unwrap();
    let client = f.customer("client@acme.example", &[]);
    f.tenant
        .add_to_workspace(Actor::System, client.id, ws.id, Role::Custom(support.id))
        .unwrap();
    f.tenant.deactivate(Actor::System, id(mia)).unwrap();
    let team = f.tenant.team().unwrap();
    type Listed<'a> = (&'a str, MemberStatus, Vec<(Role, Option<WorkspaceId>)>);
    let listed: Vec<Listed> = team
        .iter()
        .map(|t| {
            let roles = t.roles.iter().map(|a| (a.role, a.workspace)).collect();
            (t.member.email.as_str(), t.member.status, roles)
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (
                "admin@example.com",
                MemberStatus::Active,
                vec![(Role::Admin, None)]
            ),
            (
                "mia@example.com",
                MemberStatus::Deactivated,
                vec![(Role::Member, None)]
            ),
            (
                "client@acme.example",
                MemberStatus::Active,
                vec![(Role::Custom(support.id), Some(ws.id))]
            ),
        ]
    );
}
