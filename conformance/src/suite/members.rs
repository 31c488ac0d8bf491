//! A member's lifecycle: deactivate and remove, the last admin, passwords, impersonation, and
//! reading the audit log they leave.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(deactivate_blocks_at_once_and_reactivate_restores),
    case!(remove_deletes_access_keeps_the_audit_trail_and_allows_a_new_invite),
    case!(the_last_admin_cannot_be_removed_demoted_or_deactivated),
    case!(passwords_are_argon2id_and_verify_without_revealing_emails),
    case!(an_unknown_email_costs_as_much_as_a_wrong_password),
    case!(impersonation_is_bounded_audited_and_ends_with_deactivation),
    case!(impersonation_never_reaches_up),
    case!(the_audit_log_filters_by_actor_subject_and_time_and_pages),
];

fn deactivate_blocks_at_once_and_reactivate_restores() {
    let f = Fixture::new();
    let course = f.course("C");
    let staff = f.staff("s@example.com", Role::Member);
    let Actor::Member(sid) = staff else {
        unreachable!()
    };
    let m = f.customer("c@example.com", &[course.id]);
    f.tenant.deactivate(staff, m.id).unwrap();
    assert!(!f.tenant.has_access(m.id, course.id).unwrap());
    assert!(f.event_kinds().contains(&"member.deactivated".to_string()));
    f.tenant.reactivate(staff, m.id).unwrap();
    assert!(
        f.tenant.has_access(m.id, course.id).unwrap(),
        "grants were kept"
    );

    // A team member is managed with users.manage: a `member` cannot deactivate another.
    let other = f.staff("o@example.com", Role::Member);
    let Actor::Member(oid) = other else {
        unreachable!()
    };
    assert_eq!(code(f.tenant.deactivate(staff, oid)), "permission_denied");
    f.tenant.deactivate(Actor::System, sid).unwrap();
    assert!(!f
        .tenant
        .can(sid, &Permission::CUSTOMERS_MANAGE, None)
        .unwrap());
    assert_eq!(
        code(
            f.tenant
                .grant(staff, m.id, course.id, GrantOptions::default())
        ),
        "permission_denied"
    );

    // A pending invite stays; accepting it while deactivated fails with its own code.
    let issued = f
        .tenant
        .invite(Actor::System, NewInvite::new("p@example.com"))
        .unwrap();
    f.tenant
        .deactivate(Actor::System, issued.invite.member_id)
        .unwrap();
    assert_eq!(
        f.tenant.get_invite(issued.invite.id).unwrap().status,
        InviteStatus::Pending
    );
    assert_eq!(
        code(f.tenant.accept(issued.token.expose(), None)),
        "member_deactivated"
    );
    let active = f.customer("z@example.com", &[]);
    assert_eq!(
        f.tenant
            .reactivate(Actor::System, active.id)
            .unwrap()
            .status,
        MemberStatus::Active
    );
    let invited = f
        .tenant
        .invite(Actor::System, NewInvite::new("q@example.com"))
        .unwrap();
    assert_eq!(
        code(f.tenant.reactivate(Actor::System, invited.invite.member_id)),
        "conflict"
    );
}

fn remove_deletes_access_keeps_the_audit_trail_and_allows_a_new_invite() {
    let f = Fixture::new();
    let course = f.course("C");
    let ws = f.tenant.create_workspace(Actor::System, "W").unwrap();
    let m = f.customer("gone@example.com", &[course.id]);
    f.tenant
        .add_to_workspace(Actor::System, m.id, ws.id, Role::Member)
        .unwrap();
    f.tenant
        .set_password(Actor::System, m.id, "long enough pw", false)
        .unwrap();
    f.tenant.remove_member(Actor::System, m.id).unwrap();
    assert_eq!(code(f.tenant.member(m.id)), "not_found");
    assert_eq!(code(f.tenant.has_access(m.id, course.id)), "not_found");
    assert!(f.tenant.workspace_members(ws.id).unwrap().is_empty());
    assert!(f
        .tenant
        .verify_password("gone@example.com", "long enough pw")
        .unwrap()
        .is_none());
    let trail = f
        .tenant
        .audit(&AuditQuery {
            subject: Some(m.id.to_string()),
            ..Default::default()
        })
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"member.removed") && actions.contains(&"access.granted"),
        "{actions:?}"
    );
    let again = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("gone@example.com").product(course.id),
        )
        .unwrap();
    let back = f.tenant.accept(again.token.expose(), None).unwrap();
    assert_ne!(back.member.id, m.id);
    assert!(f.tenant.has_access(back.member.id, course.id).unwrap());

    // Removing an invited member deletes their pending invite.
    let pending = f
        .tenant
        .invite(Actor::System, NewInvite::new("p@example.com"))
        .unwrap();
    let granted_before_accept = f.course("D");
    f.tenant
        .grant(
            Actor::System,
            pending.invite.member_id,
            granted_before_accept.id,
            GrantOptions::default(),
        )
        .unwrap();
    f.tenant
        .remove_member(Actor::System, pending.invite.member_id)
        .unwrap();
    assert_eq!(code(f.tenant.get_invite(pending.invite.id)), "not_found");
    assert_eq!(
        code(f.tenant.accept(pending.token.expose(), None)),
        "not_found"
    );
}

fn the_last_admin_cannot_be_removed_demoted_or_deactivated() {
    let f = Fixture::new();
    let admin = f.staff("a@example.com", Role::Admin);
    let Actor::Member(aid) = admin else {
        unreachable!()
    };
    let before = f.footprint();
    assert_eq!(code(f.tenant.remove_member(admin, aid)), "conflict");
    assert_eq!(code(f.tenant.deactivate(Actor::System, aid)), "conflict");
    assert_eq!(
        code(f.tenant.assign_role(admin, aid, Role::Member, None)),
        "conflict"
    );
    assert_eq!(f.footprint(), before);
    let second = f.staff("b@example.com", Role::Admin);
    let Actor::Member(bid) = second else {
        unreachable!()
    };
    f.tenant
        .assign_role(second, aid, Role::Member, None)
        .unwrap();
    assert_eq!(f.tenant.role(aid).unwrap(), Some(Role::Member));
    assert_eq!(code(f.tenant.remove_member(Actor::System, bid)), "conflict");
}

fn passwords_are_argon2id_and_verify_without_revealing_emails() {
    let f = Fixture::new();
    let m = f.customer("p@example.com", &[]);
    f.tenant
        .set_password(Actor::Member(m.id), m.id, "correct horse battery", false)
        .unwrap();
    let ok = f
        .tenant
        .verify_password("P@Example.com", "correct horse battery")
        .unwrap()
        .unwrap();
    assert_eq!(ok.member.id, m.id);
    assert!(!ok.must_change);
    assert!(f
        .tenant
        .verify_password("p@example.com", "wrong horse battery")
        .unwrap()
        .is_none());
    assert!(f
        .tenant
        .verify_password("nobody@example.com", "correct horse battery")
        .unwrap()
        .is_none());
    assert_eq!(
        code(f.tenant.set_password(Actor::System, m.id, "short", false)),
        "invalid_input"
    );

    // Staff setting someone's password always flags must-change.
    let staff = f.staff("s@example.com", Role::Member);
    f.tenant
        .set_password(staff, m.id, "temporary pass 1", false)
        .unwrap();
    assert!(
        f.tenant
            .verify_password("p@example.com", "temporary pass 1")
            .unwrap()
            .unwrap()
            .must_change
    );
    let customer = f.staff("c@example.com", Role::Customer);
    assert_eq!(
        code(
            f.tenant
                .set_password(customer, m.id, "hijacked password", false)
        ),
        "permission_denied"
    );

    f.tenant.deactivate(Actor::System, m.id).unwrap();
    assert_eq!(
        code(
            f.tenant
                .verify_password("p@example.com", "temporary pass 1")
        ),
        "member_deactivated"
    );
    assert!(f
        .tenant
        .verify_password("p@example.com", "wrong one!")
        .unwrap()
        .is_none());
}

fn an_unknown_email_costs_as_much_as_a_wrong_password() {
    let f = Fixture::new();
    let m = f.customer("p@example.com", &[]);
    f.tenant
        .set_password(Actor::System, m.id, "correct horse battery", false)
        .unwrap();
    let time = |email: &str| {
        let t = std::time::Instant::now();
        f.tenant.verify_password(email, "wrong password!").unwrap();
        t.elapsed()
    };
    // Interleaved, so load from tests running beside this one falls on both alike.
    let (mut known, mut unknown): (Vec<_>, Vec<_>) = (0..7)
        .map(|_| (time("p@example.com"), time("ghost@example.com")))
        .unzip();
    known.sort();
    unknown.sort();
    let (known, unknown) = (known[3], unknown[3]);
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    // A ratio, not a duration: both must run argon2 (an early return would be ~1000x faster).
    assert!(
        ratio > 0.3 && ratio < 3.0,
        "known {known:?} unknown {unknown:?}"
    );
}

fn impersonation_is_bounded_audited_and_ends_with_deactivation() {
    let f = Fixture::new();
    let admin = f.staff("a@example.com", Role::Admin);
    let Actor::Member(aid) = admin else {
        unreachable!()
    };
    let c = f.customer("c@example.com", &[]);
    assert_eq!(
        code(f.tenant.impersonate(admin, c.id, "  ", None)),
        "invalid_input"
    );
    assert_eq!(
        code(f.tenant.impersonate(Actor::System, c.id, "why", None)),
        "invalid_input"
    );
    assert_eq!(
        code(
            f.tenant
                .impersonate(admin, c.id, "why", Some(Duration::hours(2)))
        ),
        "invalid_input"
    );
    let issued = f
        .tenant
        .impersonate(admin, c.id, "ticket #42", None)
        .unwrap();
    assert_eq!(issued.session.ends_at, f.hub.now() + Duration::hours(1));
    let live = f
        .tenant
        .verify_impersonation(issued.token.expose())
        .unwrap();
    assert_eq!((live.actor_id, live.target_id), (aid, c.id));
    f.advance(Duration::hours(1) - Duration::seconds(1));
    f.tenant
        .verify_impersonation(issued.token.expose())
        .unwrap();
    f.advance(Duration::seconds(1));
    assert_eq!(
        code(f.tenant.verify_impersonation(issued.token.expose())),
        "impersonation_ended"
    );

    let second = f
        .tenant
        .impersonate(admin, c.id, "follow-up", Some(Duration::minutes(10)))
        .unwrap();
    f.tenant.deactivate(Actor::System, c.id).unwrap();
    assert_eq!(
        code(f.tenant.verify_impersonation(second.token.expose())),
        "impersonation_ended"
    );
    f.tenant.reactivate(Actor::System, c.id).unwrap();
    assert_eq!(
        code(f.tenant.verify_impersonation(second.token.expose())),
        "impersonation_ended",
        "stays ended"
    );

    let third = f.tenant.impersonate(admin, c.id, "again", None).unwrap();
    f.tenant.end_impersonation(third.token.expose()).unwrap();
    assert_eq!(
        code(f.tenant.verify_impersonation(third.token.expose())),
        "impersonation_ended"
    );
    let actions: Vec<String> = f
        .tenant
        .audit(&last(100))
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "impersonation.started")
            .count(),
        3
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "impersonation.ended")
            .count(),
        2,
        "{actions:?}"
    );
    assert_eq!(
        code(
            f.tenant
                .verify_impersonation(InviteToken::generate().unwrap().expose())
        ),
        "not_found"
    );
}

fn impersonation_never_reaches_up() {
    let f = Fixture::new();
    let admin = f.staff("a@example.com", Role::Admin);
    let other_admin = f.staff("b@example.com", Role::Admin);
    let Actor::Member(other_admin_id) = other_admin else {
        unreachable!()
    };
    let member = f.staff("m@example.com", Role::Member);
    let Actor::Member(member_id) = member else {
        unreachable!()
    };
    let customer = f.staff("c@example.com", Role::Customer);
    let Actor::Member(customer_id) = customer else {
        unreachable!()
    };
    let finance = f
        .tenant
        .create_role(admin, "Finance", &[Permission::PAYMENT])
        .unwrap();
    let Actor::Member(fin_id) = f.staff("f@example.com", Role::Custom(finance.id)) else {
        unreachable!()
    };

    let before = f.footprint();
    assert_eq!(
        code(f.tenant.impersonate(admin, other_admin_id, "why", None)),
        "permission_denied"
    );
    assert_eq!(
        code(f.tenant.impersonate(member, fin_id, "why", None)),
        "permission_denied",
        "payment is above a member"
    );
    assert_eq!(
        code(f.tenant.impersonate(customer, member_id, "why", None)),
        "permission_denied"
    );
    let Actor::Member(admin_id) = admin else {
        unreachable!()
    };
    assert_eq!(
        code(f.tenant.impersonate(admin, admin_id, "why", None)),
        "invalid_input"
    );
    assert_eq!(f.footprint(), before);
    f.tenant
        .impersonate(member, customer_id, "support", None)
        .unwrap();
    f.tenant.impersonate(admin, fin_id, "audit", None).unwrap();

    // The tenant can lower the limit.
    f.tenant
        .update_settings(
            Actor::System,
            SettingsUpdate {
                max_impersonation: Some(Duration::minutes(15)),
                ..Default::default()
            },
        )
        .unwrap();
    let s = f
        .tenant
        .impersonate(admin, customer_id, "short", None)
        .unwrap();
    assert_eq!(s.session.ends_at, f.hub.now() + Duration::minutes(15));
}

fn the_audit_log_filters_by_actor_subject_and_time_and_pages() {
    let f = Fixture::new();
    let course = f.course("C");
    let staff = f.staff("s@example.com", Role::Member);
    let members: Vec<Member> = (0..5)
        .map(|i| f.customer(&format!("m{i}@example.com"), &[]))
        .collect();
    let t0 = f.hub.now();
    f.advance(Duration::minutes(1));
    for m in &members {
        f.tenant
            .grant(staff, m.id, course.id, GrantOptions::default())
            .unwrap();
    }
    let by_staff = f
        .tenant
        .audit(&AuditQuery {
            actor: Some(staff),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_staff.len(), 5);
    assert!(
        by_staff.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
    assert_eq!(by_staff[0].subject, members[4].id.to_string());
    let about = f
        .tenant
        .audit(&AuditQuery {
            subject: Some(members[2].id.to_string()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        about.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["access.granted", "member.created"]
    );
    let since = f
        .tenant
        .audit(&AuditQuery {
            since: Some(t0 + Duration::seconds(1)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(since.len(), 5);
    let until = f
        .tenant
        .audit(&AuditQuery {
            until: Some(t0 + Duration::seconds(1)),
            ..Default::default()
        })
        .unwrap();
    assert!(until.iter().all(|e| e.at <= t0));
    // Pages of two walk the whole log without overlap.
    let all = f.tenant.audit(&last(1000)).unwrap();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = f
            .tenant
            .audit(&AuditQuery {
                before,
                limit: 2,
                ..Default::default()
            })
            .unwrap();
        if page.is_empty() {
            break;
        }
        before = Some(page.last().unwrap().id);
        seen.extend(page.into_iter().map(|e| e.id));
    }
    assert_eq!(seen, all.iter().map(|e| e.id).collect::<Vec<_>>());
}
