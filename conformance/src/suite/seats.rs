//! Seat limits: a tenant and a workspace can cap how many people they hold (active members
//! plus live invites), and every call that would fill a seat past a cap fails with
//! `seat_limit` and changes nothing.

use super::import::total;
use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(active_members_and_live_invites_fill_the_tenant_seats),
    case!(every_call_that_fills_a_seat_past_the_cap_fails_and_changes_nothing),
    case!(freeing_a_seat_lets_the_next_person_in),
    case!(calls_that_fill_no_new_seat_pass_even_when_full),
    case!(a_workspace_cap_counts_its_members_and_invites_into_it),
    case!(an_import_past_the_cap_fails_whole_or_skips_the_rows_it_cannot_seat),
    case!(an_import_into_a_full_workspace_reports_its_rows),
    case!(only_the_platform_sets_seat_limits),
];

fn taken(f: &Fixture, workspace: Option<WorkspaceId>) -> usize {
    f.tenant.seats(workspace).unwrap().taken
}

fn cap(f: &Fixture, workspace: Option<WorkspaceId>, limit: u32) -> Seats {
    f.tenant
        .set_seat_limit(Actor::System, workspace, Some(limit))
        .unwrap()
}

fn active_members_and_live_invites_fill_the_tenant_seats() {
    let f = Fixture::new();
    let seats = f.tenant.seats(None).unwrap();
    assert_eq!(
        (seats.limit, seats.taken, seats.available()),
        (None, 0, None)
    );
    f.customer("ada@x.com", &[]);
    f.tenant
        .invite(Actor::System, NewInvite::new("bo@x.com"))
        .unwrap();
    let seats = cap(&f, None, 5);
    assert_eq!(
        (seats.limit, seats.taken, seats.available()),
        (Some(5), 2, Some(3))
    );
    assert_eq!(f.tenant.info().unwrap().settings.seat_limit, Some(5));

    // An expired invite, a deactivated member, a declined invite: none holds a seat.
    f.tenant
        .invite(
            Actor::System,
            NewInvite::new("cy@x.com").lifetime(Duration::hours(1)),
        )
        .unwrap();
    assert_eq!(taken(&f, None), 3);
    f.advance(Duration::hours(2));
    assert_eq!(taken(&f, None), 2, "cy's invite expired");
    let dee = f.customer("dee@x.com", &[]);
    f.tenant.deactivate(Actor::System, dee.id).unwrap();
    assert_eq!(taken(&f, None), 2, "dee is deactivated");
    f.tenant.decline_pending("bo@x.com").unwrap();
    assert_eq!(taken(&f, None), 1, "bo declined");
}

fn every_call_that_fills_a_seat_past_the_cap_fails_and_changes_nothing() {
    let f = Fixture::new();
    let course = f.course("Course");
    let ada = f.customer("ada@x.com", &[]);
    let lapsed = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("cy@x.com").lifetime(Duration::hours(1)),
        )
        .unwrap();
    f.advance(Duration::hours(2));
    let dee = f.customer("dee@x.com", &[]);
    f.tenant.deactivate(Actor::System, dee.id).unwrap();
    cap(&f, None, 1);
    assert_eq!(taken(&f, None), 1);

    let before = (f.footprint(), total(&f));
    assert_eq!(
        code(f.tenant.invite(Actor::System, NewInvite::new("bo@x.com"))),
        "seat_limit"
    );
    let err = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("bo@x.com").product(course.id),
        )
        .unwrap_err();
    assert_eq!(err.code().as_str(), "seat_limit");
    assert!(err.to_string().contains("1 seats"), "{err}");
    assert_eq!(
        code(f.tenant.resend_invite(Actor::System, lapsed.invite.id)),
        "seat_limit",
        "reviving an expired invite takes a seat again"
    );
    assert_eq!(
        code(f.tenant.reactivate(Actor::System, dee.id)),
        "seat_limit"
    );
    assert_eq!((f.footprint(), total(&f)), before);
    assert_eq!(
        f.tenant.member(dee.id).unwrap().status,
        MemberStatus::Deactivated
    );
    assert!(f.tenant.member_by_email("bo@x.com").unwrap().is_none());
    assert!(!f.tenant.has_access(ada.id, course.id).unwrap());
}

fn freeing_a_seat_lets_the_next_person_in() {
    let f = Fixture::new();
    cap(&f, None, 2);
    let ada = f.customer("ada@x.com", &[]);
    let bo = f
        .tenant
        .invite(Actor::System, NewInvite::new("bo@x.com"))
        .unwrap();
    assert_eq!(
        code(f.tenant.invite(Actor::System, NewInvite::new("cy@x.com"))),
        "seat_limit"
    );
    f.tenant.revoke_invite(Actor::System, bo.invite.id).unwrap();
    f.tenant
        .invite(Actor::System, NewInvite::new("cy@x.com"))
        .unwrap();
    f.tenant.deactivate(Actor::System, ada.id).unwrap();
    f.customer("dee@x.com", &[]);
    assert_eq!(
        code(f.tenant.reactivate(Actor::System, ada.id)),
        "seat_limit"
    );
    // Lifting the cap lets everyone in.
    f.tenant.set_seat_limit(Actor::System, None, None).unwrap();
    f.tenant.reactivate(Actor::System, ada.id).unwrap();
    assert_eq!(taken(&f, None), 3);
}

fn calls_that_fill_no_new_seat_pass_even_when_full() {
    let f = Fixture::new();
    let course = f.course("Course");
    let ada = f.customer("ada@x.com", &[]);
    let bo = f
        .tenant
        .invite(Actor::System, NewInvite::new("bo@x.com"))
        .unwrap();
    f.customer("cy@x.com", &[]);
    // A cap below what is taken: nobody is removed.
    let seats = cap(&f, None, 2);
    assert_eq!((seats.taken, seats.available()), (3, Some(0)));
    // Granting, re-adding an existing customer, merging into a pending invite, resending a
    // live one, copying its link and accepting it take no new seat.
    f.tenant
        .grant(Actor::System, ada.id, course.id, GrantOptions::default())
        .unwrap();
    f.tenant
        .add_customer(Actor::System, NewCustomer::new("ada@x.com").name("Ada"))
        .unwrap();
    f.tenant
        .invite(Actor::System, NewInvite::new("bo@x.com").product(course.id))
        .unwrap();
    let resent = f.tenant.resend_invite(Actor::System, bo.invite.id).unwrap();
    f.tenant
        .copy_invite_link(Actor::System, bo.invite.id)
        .unwrap();
    f.tenant.accept(resent.token.expose(), None).unwrap();
    assert_eq!(taken(&f, None), 3);
    assert_eq!(
        code(
            f.tenant
                .add_customer(Actor::System, NewCustomer::new("dee@x.com"))
        ),
        "seat_limit"
    );
}

fn a_workspace_cap_counts_its_members_and_invites_into_it() {
    let f = Fixture::new();
    let acme = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    let globex = f.tenant.create_workspace(Actor::System, "Globex").unwrap();
    let ada = f.customer("ada@x.com", &[]);
    let bo = f.customer("bo@x.com", &[]);
    let seats = cap(&f, Some(acme.id), 2);
    assert_eq!((seats.workspace, seats.taken), (Some(acme.id), 0));
    assert_eq!(f.tenant.workspace(acme.id).unwrap().seat_limit, Some(2));
    f.tenant
        .add_to_workspace(Actor::System, ada.id, acme.id, Role::Member)
        .unwrap();
    f.tenant
        .invite(
            Actor::System,
            NewInvite::new("cy@x.com")
                .workspace(acme.id)
                .role(Role::Member),
        )
        .unwrap();
    assert_eq!(taken(&f, Some(acme.id)), 2);

    let before = f.footprint();
    let err = f
        .tenant
        .add_to_workspace(Actor::System, bo.id, acme.id, Role::Member)
        .unwrap_err();
    assert_eq!(err.code().as_str(), "seat_limit");
    assert!(err.to_string().contains(&acme.id.to_string()), "{err}");
    assert_eq!(
        code(
            f.tenant.invite(
                Actor::System,
                NewInvite::new("dee@x.com")
                    .workspace(acme.id)
                    .role(Role::Member),
            )
        ),
        "seat_limit"
    );
    assert_eq!(f.footprint(), before);
    assert_eq!(f.tenant.workspace_members(acme.id).unwrap().len(), 1);

    // Other workspaces and the tenant have no cap; a role change inside Acme takes no seat.
    f.tenant
        .add_to_workspace(Actor::System, bo.id, globex.id, Role::Member)
        .unwrap();
    f.tenant
        .assign_role(Actor::System, ada.id, Role::Admin, Some(acme.id))
        .unwrap();
    // Leaving frees the seat.
    f.tenant
        .remove_from_workspace(Actor::System, ada.id, acme.id)
        .unwrap();
    f.tenant
        .add_to_workspace(Actor::System, bo.id, acme.id, Role::Member)
        .unwrap();
    // A deactivated member frees their workspace seat; back, they need it again.
    f.tenant.deactivate(Actor::System, bo.id).unwrap();
    f.tenant
        .add_to_workspace(Actor::System, ada.id, acme.id, Role::Member)
        .unwrap();
    assert_eq!(
        code(f.tenant.reactivate(Actor::System, bo.id)),
        "seat_limit"
    );
}

const FIVE: &str = "email\na@x.com\nb@x.com\nc@x.com\nd@x.com\ne@x.com\n";

fn import(f: &Fixture, options: &ImportOptions) -> Result<ImportReport> {
    f.tenant
        .import_customers(Actor::System, ImportSource::Csv(FIVE), options)
}

fn an_import_past_the_cap_fails_whole_or_skips_the_rows_it_cannot_seat() {
    let f = Fixture::new();
    let course = f.course("Course");
    f.customer("a@x.com", &[]);
    f.customer("zed@x.com", &[]);
    cap(&f, None, 4);
    let grant = ImportOptions {
        mode: ImportMode::Grant,
        products: vec![course.id],
        ..Default::default()
    };

    let before = (f.footprint(), total(&f));
    assert_eq!(code(import(&f, &grant)), "seat_limit");
    assert_eq!((f.footprint(), total(&f)), before);

    let dry = import(
        &f,
        &ImportOptions {
            dry_run: true,
            ..grant.clone()
        },
    )
    .unwrap();
    let outcomes: Vec<&str> = dry.rows.iter().map(|r| r.outcome.as_str()).collect();
    // a@x.com is already a member (no new seat); two new rows fit; the last two do not.
    assert_eq!(
        outcomes,
        ["existing", "created", "created", "seat_limit", "seat_limit"]
    );
    assert!(dry.rows[3]
        .reason
        .as_deref()
        .unwrap()
        .contains("seat limit"));
    assert_eq!((f.footprint(), total(&f)), before);

    let report = import(
        &f,
        &ImportOptions {
            skip_invalid: true,
            ..grant.clone()
        },
    )
    .unwrap();
    assert!(report.applied);
    assert_eq!(report.count(ImportOutcome::SeatLimit), 2);
    assert!(f.tenant.member_by_email("d@x.com").unwrap().is_none());
    let c = f.tenant.member_by_email("c@x.com").unwrap().unwrap();
    assert!(f.tenant.has_access(c.id, course.id).unwrap());
    assert_eq!(
        taken(&f, None),
        4,
        "the store counts what the import planned"
    );

    // In invite mode a new invite is a seat too; rows already in change nothing.
    let invites = ImportOptions {
        skip_invalid: true,
        ..Default::default()
    };
    let again = import(&f, &invites).unwrap();
    assert_eq!(again.count(ImportOutcome::SeatLimit), 2);
    assert_eq!(taken(&f, None), 4);
}

fn an_import_into_a_full_workspace_reports_its_rows() {
    let f = Fixture::new();
    let acme = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    let a = f.customer("a@x.com", &[]);
    f.tenant
        .add_to_workspace(Actor::System, a.id, acme.id, Role::Member)
        .unwrap();
    f.customer("b@x.com", &[]);
    cap(&f, Some(acme.id), 3);
    let options = ImportOptions {
        workspace: Some(acme.id),
        role: Role::Member,
        skip_invalid: true,
        ..Default::default()
    };
    let report = import(&f, &options).unwrap();
    let outcomes: Vec<&str> = report.rows.iter().map(|r| r.outcome.as_str()).collect();
    // a is in Acme already; b (active) is placed in it; c is invited into it; d and e do not fit.
    assert_eq!(
        outcomes,
        [
            "existing",
            "existing",
            "created",
            "seat_limit",
            "seat_limit"
        ]
    );
    assert_eq!(taken(&f, Some(acme.id)), 3);
    assert_eq!(
        taken(&f, None),
        3,
        "the tenant has no cap: a, b and c's invite"
    );
}

fn only_the_platform_sets_seat_limits() {
    let f = Fixture::new();
    let admin = f.staff("admin@x.com", Role::Admin);
    let acme = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    let before = f.footprint();
    assert_eq!(
        code(f.tenant.set_seat_limit(admin, None, Some(100))),
        "permission_denied"
    );
    assert_eq!(
        code(f.tenant.set_seat_limit(admin, Some(acme.id), Some(100))),
        "permission_denied"
    );
    assert_eq!(f.footprint(), before);
    assert_eq!(f.tenant.info().unwrap().settings.seat_limit, None);
    assert_eq!(
        code(
            f.tenant
                .set_seat_limit(Actor::System, Some(WorkspaceId::new()), Some(1))
        ),
        "not_found"
    );
    assert_eq!(code(f.tenant.seats(Some(WorkspaceId::new()))), "not_found");
    for bad in [0, MAX_SEAT_LIMIT + 1] {
        assert_eq!(
            code(f.tenant.set_seat_limit(Actor::System, None, Some(bad))),
            "invalid_input"
        );
    }
    assert_eq!(f.footprint(), before);

    cap(&f, Some(acme.id), 7);
    f.tenant
        .set_seat_limit(Actor::System, Some(acme.id), None)
        .unwrap();
    assert_eq!(f.tenant.workspace(acme.id).unwrap().seat_limit, None);
    let entries = f.tenant.audit(&last(2)).unwrap();
    assert_eq!(entries[0].action, "seats.limit_set");
    assert_eq!(entries[0].details["previous"], 7);
    assert_eq!(entries[0].details["limit"], serde_json::Value::Null);
    assert!(
        f.tenant.outbox(100).unwrap().is_empty(),
        "the platform set it: nobody to notify"
    );
}
