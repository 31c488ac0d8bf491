//! Actors and permissions, tenant isolation, the audit log and the outbox.

use crate::fixture::*;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(a_customer_cannot_grant_and_nothing_changes),
    case!(team_members_manage_customers_but_not_users),
    case!(built_in_roles_hold_the_documented_permissions),
    case!(unknown_invited_and_foreign_actors_are_denied),
    case!(no_call_sees_or_changes_another_tenants_rows),
    case!(every_change_is_audited_and_emailable_changes_reach_the_outbox),
    case!(error_codes_are_stable_and_distinct),
    case!(actors_parse_from_the_forms_every_binding_passes),
];

fn a_customer_cannot_grant_and_nothing_changes() {
    let f = Fixture::new();
    let course = f.course("C");
    let customer = f.staff("cust@example.com", Role::Customer);
    let target = f.customer("t@example.com", &[]);
    let before = f.footprint();
    let r = f
        .tenant
        .grant(customer, target.id, course.id, GrantOptions::default());
    let err = r.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied);
    assert!(err.to_string().contains("customers.manage"), "{err}");
    assert_eq!(f.footprint(), before);
    assert!(!f.tenant.has_access(target.id, course.id).unwrap());
    for r in [
        f.tenant
            .add_customer(customer, NewCustomer::new("n@example.com"))
            .map(drop),
        f.tenant
            .invite(customer, NewInvite::new("n@example.com"))
            .map(drop),
        f.tenant.revoke(customer, target.id, course.id).map(drop),
        f.tenant
            .create_product(customer, NewProduct::paid("X", ProductKind::Course))
            .map(drop),
        f.tenant.archive_product(customer, course.id).map(drop),
    ] {
        assert_eq!(code(r), "permission_denied");
    }
    assert_eq!(f.footprint(), before);
}

fn team_members_manage_customers_but_not_users() {
    let f = Fixture::new();
    let course = f.course("C");
    let member = f.staff("staff@example.com", Role::Member);
    let c = f
        .tenant
        .add_customer(member, NewCustomer::new("c@example.com").product(course.id))
        .unwrap();
    assert!(f.tenant.has_access(c.member.id, course.id).unwrap());
    f.tenant
        .invite(member, NewInvite::new("c2@example.com").product(course.id))
        .unwrap();
    assert_eq!(
        code(
            f.tenant
                .invite(member, NewInvite::new("boss@example.com").role(Role::Admin))
        ),
        "permission_denied"
    );
    assert_eq!(
        code(f.tenant.add_customer(
            member,
            NewCustomer::new("boss@example.com").role(Role::Member)
        )),
        "permission_denied"
    );
    let admin = f.staff("admin@example.com", Role::Admin);
    f.tenant
        .invite(admin, NewInvite::new("boss@example.com").role(Role::Admin))
        .unwrap();
    // The actor of record is in the audit log.
    let last = &f.tenant.audit(&last(1)).unwrap()[0];
    assert_eq!(last.actor, admin);
    assert_eq!(last.action, "invite.created");
}

fn built_in_roles_hold_the_documented_permissions() {
    for p in Permission::CATALOGUE {
        assert!(Role::Admin.grants(&p));
        assert!(!Role::Customer.grants(&p));
    }
    for p in [
        Permission::PRICING,
        Permission::PAYMENT,
        Permission::USERS_MANAGE,
    ] {
        assert!(!Role::Member.grants(&p), "{p}");
    }
    for p in [
        Permission::CUSTOMERS_MANAGE,
        Permission::PRODUCTS_MANAGE,
        Permission::custom("reports.export"),
    ] {
        assert!(Role::Member.grants(&p), "{p}");
    }
}

fn unknown_invited_and_foreign_actors_are_denied() {
    let f = Fixture::new();
    let other = f.hub.create_tenant("Other").unwrap();
    let foreign = other
        .add_customer(
            Actor::System,
            NewCustomer::new("admin@other.com").role(Role::Admin),
        )
        .unwrap();
    let invited = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("soon@example.com").role(Role::Admin),
        )
        .unwrap();
    for actor in [
        Actor::Member(MemberId::new()),
        Actor::Member(foreign.member.id),
        Actor::Member(invited.invite.member_id),
    ] {
        assert_eq!(
            code(
                f.tenant
                    .create_product(actor, NewProduct::paid("X", ProductKind::Course))
            ),
            "permission_denied"
        );
    }
}

fn no_call_sees_or_changes_another_tenants_rows() {
    let f = Fixture::new();
    let other = f.hub.create_tenant("Other").unwrap();
    let course = f.course("Mine");
    let mine = f.customer("me@example.com", &[course.id]);
    let theirs_course = other
        .create_product(
            Actor::System,
            NewProduct::paid("Theirs", ProductKind::Course),
        )
        .unwrap();
    let theirs = other
        .add_customer(
            Actor::System,
            NewCustomer::new("me@example.com").product(theirs_course.id),
        )
        .unwrap();
    assert_ne!(
        theirs.member.id, mine.id,
        "same email, separate members per tenant"
    );
    assert_eq!(theirs.outcome, AddOutcome::Created);

    let before_other = (
        other.audit(&last(1000)).unwrap().len(),
        other.outbox(1000).unwrap().len(),
    );
    assert_eq!(code(other.member(mine.id)), "not_found");
    assert_eq!(code(other.product(course.id)), "not_found");
    assert_eq!(code(other.has_access(mine.id, course.id)), "not_found");
    assert_eq!(
        code(other.has_access(theirs.member.id, course.id)),
        "not_found"
    );
    assert_eq!(
        code(other.grant(
            Actor::System,
            mine.id,
            theirs_course.id,
            GrantOptions::default()
        )),
        "not_found"
    );
    assert_eq!(
        code(other.revoke(Actor::System, mine.id, course.id)),
        "not_found"
    );
    assert_eq!(
        code(other.archive_product(Actor::System, course.id)),
        "not_found"
    );
    assert_eq!(code(other.access(mine.id)), "not_found");
    let invite = f
        .tenant
        .invite(Actor::System, NewInvite::new("new@example.com"))
        .unwrap();
    assert_eq!(code(other.get_invite(invite.invite.id)), "not_found");
    assert_eq!(
        code(other.resend_invite(Actor::System, invite.invite.id)),
        "not_found"
    );
    assert_eq!(
        code(other.revoke_invite(Actor::System, invite.invite.id)),
        "not_found"
    );
    assert!(other.claim("new@example.com").unwrap().is_none());
    // Events of one tenant cannot be acknowledged through another.
    let mine_events: Vec<EventId> = f.tenant.outbox(100).unwrap().iter().map(|e| e.id).collect();
    assert_eq!(other.ack(&mine_events).unwrap(), 0);
    assert_eq!(f.tenant.outbox(100).unwrap().len(), mine_events.len());
    assert_eq!(
        (
            other.audit(&last(1000)).unwrap().len(),
            other.outbox(1000).unwrap().len()
        ),
        before_other
    );
    assert!(f.tenant.has_access(mine.id, course.id).unwrap());
    assert!(other
        .products()
        .unwrap()
        .iter()
        .all(|p| p.tenant_id == other.id()));
    assert_eq!(code(f.hub.tenant(TenantId::new())), "not_found");
}

fn every_change_is_audited_and_emailable_changes_reach_the_outbox() {
    let f = Fixture::new();
    let course = f.course("C");
    let m = f.customer("a@example.com", &[course.id]);
    f.tenant.revoke(Actor::System, m.id, course.id).unwrap();
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("b@example.com").product(course.id),
        )
        .unwrap();
    f.tenant
        .resend_invite(Actor::System, issued.invite.id)
        .unwrap();

    let actions: Vec<String> = f
        .tenant
        .audit(&last(100))
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "tenant.created",
            "product.created",
            "member.created",
            "access.granted",
            "access.revoked",
            "invite.created",
            "invite.resent"
        ]
    );
    let events = f.tenant.outbox(100).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "access.granted",
            "access.revoked",
            "invite.created",
            "invite.resent"
        ]
    );
    assert_eq!(events[0].payload["email"], "a@example.com");
    assert_eq!(events[0].payload["product_name"], "C");
    assert_eq!(events[2].payload["products"][0], course.id.to_string());
    assert!(
        events[2].payload.get("token").is_none(),
        "secrets never enter the outbox"
    );

    // Draining: ack removes from the pending list; a repeated ack is harmless.
    let first_two: Vec<EventId> = events[..2].iter().map(|e| e.id).collect();
    assert_eq!(f.tenant.ack(&first_two).unwrap(), 2);
    assert_eq!(f.tenant.ack(&first_two).unwrap(), 0);
    assert_eq!(f.tenant.outbox(100).unwrap().len(), 2);
    // The hub-wide drain sees every tenant's events in order.
    let other = f.hub.create_tenant("Other").unwrap();
    let oc = other
        .create_product(Actor::System, NewProduct::paid("O", ProductKind::Course))
        .unwrap();
    other
        .add_customer(
            Actor::System,
            NewCustomer::new("o@example.com").product(oc.id),
        )
        .unwrap();
    let all = f.hub.outbox(100).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].tenant_id, other.id());
    assert_eq!(
        f.hub
            .ack(&all.iter().map(|e| e.id).collect::<Vec<_>>())
            .unwrap(),
        3
    );
    assert!(f.hub.outbox(100).unwrap().is_empty());
}

fn error_codes_are_stable_and_distinct() {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "not_found",
            "permission_denied",
            "invalid_input",
            "conflict",
            "invite_expired",
            "invite_revoked",
            "invite_used",
            "invite_email_mismatch",
            "member_deactivated",
            "impersonation_ended",
            "seat_limit",
            "storage"
        ]
    );
}

fn actors_parse_from_the_forms_every_binding_passes() {
    let id = MemberId::new();
    assert_eq!("system".parse::<Actor>().unwrap(), Actor::System);
    assert_eq!(id.to_string().parse::<Actor>().unwrap(), Actor::Member(id));
    assert_eq!(
        Actor::Member(id).to_string().parse::<Actor>().unwrap(),
        Actor::Member(id)
    );
    assert_eq!(code("admin".parse::<Actor>()), "invalid_input");
}
