//! Team side: custom roles, `can`, workspaces and what invites carry into them.

use crate::fixture::*;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(custom_roles_answer_can_and_change_at_once),
    case!(a_member_cannot_use_pricing_or_manage_users_and_cannot_escalate),
    case!(workspace_roles_apply_only_in_their_workspace),
    case!(adding_an_active_member_to_another_workspace_sends_no_email),
    case!(an_invite_can_carry_a_workspace_and_role),
];

fn perms(names: &[&str]) -> Vec<Permission> {
    names.iter().map(|n| Permission::custom(*n)).collect()
}

fn custom_roles_answer_can_and_change_at_once() {
    let f = Fixture::new();
    let support = f
        .tenant
        .create_role(
            Actor::System,
            "Support",
            &perms(&["customers.manage", "tickets.reply"]),
        )
        .unwrap();
    assert_eq!(
        support.permissions,
        perms(&["customers.manage", "tickets.reply"])
    );
    let sam = f.staff("sam@example.com", Role::Customer);
    let Actor::Member(sam_id) = sam else {
        unreachable!()
    };
    f.tenant
        .assign_role(Actor::System, sam_id, Role::Custom(support.id), None)
        .unwrap();
    assert!(f
        .tenant
        .can(sam_id, &Permission::custom("tickets.reply"), None)
        .unwrap());
    assert!(!f.tenant.can(sam_id, &Permission::PRICING, None).unwrap());
    // Acting with it: customers yes, products no.
    f.tenant
        .add_customer(sam, NewCustomer::new("c@example.com"))
        .unwrap();
    assert_eq!(
        code(
            f.tenant
                .create_product(sam, NewProduct::paid("P", ProductKind::Course))
        ),
        "permission_denied"
    );

    f.tenant
        .update_role(
            Actor::System,
            support.id,
            "Support",
            &perms(&["tickets.reply"]),
        )
        .unwrap();
    assert!(
        !f.tenant
            .can(sam_id, &Permission::CUSTOMERS_MANAGE, None)
            .unwrap(),
        "takes effect at once"
    );

    assert_eq!(
        code(f.tenant.delete_role(Actor::System, support.id)),
        "conflict",
        "still assigned"
    );
    f.tenant
        .assign_role(Actor::System, sam_id, Role::Customer, None)
        .unwrap();
    f.tenant.delete_role(Actor::System, support.id).unwrap();
    assert!(f.tenant.roles().unwrap().is_empty());

    assert_eq!(
        code(f.tenant.create_role(Actor::System, "Admin", &[])),
        "invalid_input"
    );
    assert_eq!(
        code(
            f.tenant
                .create_role(Actor::System, "x", &perms(&["Not Valid"]))
        ),
        "invalid_input"
    );
    f.tenant.create_role(Actor::System, "Editors", &[]).unwrap();
    assert_eq!(
        code(f.tenant.create_role(Actor::System, "Editors", &[])),
        "conflict"
    );
}

fn a_member_cannot_use_pricing_or_manage_users_and_cannot_escalate() {
    let f = Fixture::new();
    let member = f.staff("m@example.com", Role::Member);
    let Actor::Member(mid) = member else {
        unreachable!()
    };
    let admin = f.staff("a@example.com", Role::Admin);
    let Actor::Member(aid) = admin else {
        unreachable!()
    };
    for p in [
        Permission::PRICING,
        Permission::PAYMENT,
        Permission::USERS_MANAGE,
    ] {
        assert!(!f.tenant.can(mid, &p, None).unwrap(), "{p}");
        assert!(f.tenant.can(aid, &p, None).unwrap(), "{p}");
    }
    assert!(f
        .tenant
        .can(mid, &Permission::CUSTOMERS_MANAGE, None)
        .unwrap());
    let before = f.footprint();
    assert_eq!(
        code(
            f.tenant
                .create_role(member, "Finance", &[Permission::PRICING])
        ),
        "permission_denied"
    );
    assert_eq!(
        code(f.tenant.assign_role(member, mid, Role::Admin, None)),
        "permission_denied"
    );
    assert_eq!(f.footprint(), before);
    // A custom role holding users.manage still cannot hand out permissions it lacks.
    let hr = f
        .tenant
        .create_role(admin, "HR", &[Permission::USERS_MANAGE])
        .unwrap();
    let hr_actor = f.staff("hr@example.com", Role::Custom(hr.id));
    assert_eq!(
        code(f.tenant.assign_role(hr_actor, mid, Role::Admin, None)),
        "permission_denied"
    );
    assert_eq!(
        code(
            f.tenant
                .create_role(hr_actor, "Pricing", &[Permission::PRICING])
        ),
        "permission_denied"
    );
}

fn workspace_roles_apply_only_in_their_workspace() {
    let f = Fixture::new();
    let acme = f
        .tenant
        .create_workspace(Actor::System, "Acme Inc")
        .unwrap();
    let globex = f.tenant.create_workspace(Actor::System, "Globex").unwrap();
    assert_eq!(
        code(f.tenant.create_workspace(Actor::System, "Acme Inc")),
        "conflict"
    );
    // Acme's admin: admin in Acme, a customer of the tenant.
    let boss = f.staff("boss@acme.com", Role::Customer);
    let Actor::Member(boss_id) = boss else {
        unreachable!()
    };
    f.tenant
        .add_to_workspace(Actor::System, boss_id, acme.id, Role::Admin)
        .unwrap();
    assert!(f
        .tenant
        .can(boss_id, &Permission::USERS_MANAGE, Some(acme.id))
        .unwrap());
    assert!(!f
        .tenant
        .can(boss_id, &Permission::USERS_MANAGE, Some(globex.id))
        .unwrap());
    assert!(!f
        .tenant
        .can(boss_id, &Permission::USERS_MANAGE, None)
        .unwrap());

    let worker = f.customer("w@example.com", &[]);
    let before = f.footprint();
    assert_eq!(
        code(
            f.tenant
                .add_to_workspace(boss, worker.id, globex.id, Role::Member)
        ),
        "permission_denied"
    );
    assert_eq!(
        f.footprint(),
        before,
        "denied in another workspace: nothing changed"
    );
    assert!(f.tenant.workspace_members(globex.id).unwrap().is_empty());
    f.tenant
        .add_to_workspace(boss, worker.id, acme.id, Role::Member)
        .unwrap();
    let members = f.tenant.workspace_members(acme.id).unwrap();
    assert_eq!(members.len(), 2);
    assert!(members
        .iter()
        .any(|m| m.member.id == worker.id && m.role == Role::Member));
    assert!(f
        .tenant
        .can(worker.id, &Permission::CUSTOMERS_MANAGE, Some(acme.id))
        .unwrap());
    // Tenant-wide actions stay out of a workspace admin's reach.
    assert_eq!(
        code(
            f.tenant
                .create_product(boss, NewProduct::paid("P", ProductKind::Course))
        ),
        "permission_denied"
    );
}

fn adding_an_active_member_to_another_workspace_sends_no_email() {
    let f = Fixture::new();
    let a = f.tenant.create_workspace(Actor::System, "A").unwrap();
    let b = f.tenant.create_workspace(Actor::System, "B").unwrap();
    let m = f.customer("m@example.com", &[]);
    f.tenant
        .add_to_workspace(Actor::System, m.id, a.id, Role::Member)
        .unwrap();
    f.tenant
        .add_to_workspace(Actor::System, m.id, b.id, Role::Customer)
        .unwrap();
    let kinds = f.event_kinds();
    assert_eq!(
        kinds,
        ["member.added_to_workspace", "member.added_to_workspace"]
    );
    assert!(f.tenant.invites(None).unwrap().is_empty());
    let event = &f.tenant.outbox(10).unwrap()[1];
    assert_eq!(event.payload["workspace_name"], "B");
    // The same again changes nothing.
    f.tenant
        .add_to_workspace(Actor::System, m.id, b.id, Role::Customer)
        .unwrap();
    assert_eq!(f.event_kinds().len(), 2);
    let scopes: Vec<_> = f
        .tenant
        .assignments(m.id)
        .unwrap()
        .into_iter()
        .map(|a| a.workspace)
        .collect();
    assert_eq!(scopes.len(), 3, "tenant-wide + two workspaces");

    let invited = f
        .tenant
        .invite(Actor::System, NewInvite::new("i@example.com"))
        .unwrap();
    assert_eq!(
        code(f.tenant.add_to_workspace(
            Actor::System,
            invited.invite.member_id,
            a.id,
            Role::Member
        )),
        "conflict"
    );
    f.tenant.deactivate(Actor::System, m.id).unwrap();
    let c = f.tenant.create_workspace(Actor::System, "C").unwrap();
    assert_eq!(
        code(
            f.tenant
                .add_to_workspace(Actor::System, m.id, c.id, Role::Member)
        ),
        "member_deactivated"
    );
    assert!(f
        .tenant
        .remove_from_workspace(Actor::System, m.id, a.id)
        .unwrap());
    assert!(!f
        .tenant
        .remove_from_workspace(Actor::System, m.id, a.id)
        .unwrap());
}

fn an_invite_can_carry_a_workspace_and_role() {
    let f = Fixture::new();
    let acme = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("client@acme.com")
                .workspace(acme.id)
                .role(Role::Member),
        )
        .unwrap();
    let ok = f.tenant.accept(issued.token.expose(), None).unwrap();
    let assignments = f.tenant.assignments(ok.member.id).unwrap();
    assert_eq!(
        assignments,
        [
            RoleAssignment {
                member_id: ok.member.id,
                role: Role::Customer,
                workspace: None
            },
            RoleAssignment {
                member_id: ok.member.id,
                role: Role::Member,
                workspace: Some(acme.id)
            },
        ]
    );
    assert!(f
        .tenant
        .can(ok.member.id, &Permission::CUSTOMERS_MANAGE, Some(acme.id))
        .unwrap());
    assert!(!f
        .tenant
        .can(ok.member.id, &Permission::CUSTOMERS_MANAGE, None)
        .unwrap());
}
