//! Bulk import, row by row: CSV and pasted text, dry run, all-or-nothing, dedupe, re-runs,
//! modes. How a run behaves as a whole is in `import_runs.rs`.

use crate::fixture::*;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(csv_with_bom_quotes_crlf_and_extra_columns_creates_pending_invites),
    case!(a_dry_run_reports_exactly_what_the_real_run_does_and_changes_nothing),
    case!(by_default_one_invalid_row_stops_the_whole_run),
    case!(rerunning_an_invite_import_reports_existing_and_sends_nothing),
    case!(existing_members_get_the_new_grants_and_duplicates_are_caught_by_external_id),
    case!(pasted_lists_accept_the_usual_shapes),
    case!(malformed_csv_is_a_clear_error_or_a_reported_row),
    case!(temporary_passwords_are_returned_once_and_stored_hashed),
    case!(notify_false_writes_no_events_but_still_audits),
];

pub(super) fn outcomes(r: &ImportReport) -> Vec<(usize, &'static str)> {
    r.rows
        .iter()
        .map(|r| (r.line, r.outcome.as_str()))
        .collect()
}

pub(super) fn opts(mode: ImportMode, products: &[ProductId]) -> ImportOptions {
    ImportOptions {
        mode,
        products: products.to_vec(),
        ..Default::default()
    }
}

pub(super) fn total(f: &Fixture) -> usize {
    f.tenant.count_customers(&CustomerQuery::default()).unwrap()
}

const CSV: &str = "\u{feff}Full Name,E-Mail,External ID,Plan\r\n\
    \"Lovelace, Ada\",ada@example.com,crm-1,gold\r\n\
    Grace Hopper,GRACE@example.com,,silver\r\n\
    \"Zoë \"\"Z\"\" Müller\",zoë@exämple.de,crm-3,\r\n";

fn csv_with_bom_quotes_crlf_and_extra_columns_creates_pending_invites() {
    let f = Fixture::new();
    let course = f.course("Course");
    let report = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(CSV),
            &opts(ImportMode::Invite, &[course.id]),
        )
        .unwrap();
    assert!(report.applied);
    assert_eq!(
        outcomes(&report),
        [(2, "created"), (3, "created"), (4, "created")]
    );
    let ada = f
        .tenant
        .member_by_email("ada@example.com")
        .unwrap()
        .unwrap();
    assert_eq!(ada.name.as_deref(), Some("Lovelace, Ada"));
    assert_eq!(ada.external_id.as_deref(), Some("crm-1"));
    assert_eq!(ada.status, MemberStatus::Invited);
    let zoe = f.tenant.member_by_email("ZOË@EXÄMPLE.DE").unwrap().unwrap();
    assert_eq!(zoe.name.as_deref(), Some("Zoë \"Z\" Müller"));
    assert_eq!(
        f.tenant.invites(Some(InviteStatus::Pending)).unwrap().len(),
        3
    );
    assert_eq!(
        f.event_kinds(),
        ["invite.created", "invite.created", "invite.created"]
    );
    // The report carries each invite link token once; it works.
    let token = report.rows[0]
        .invite_token
        .clone()
        .expect("token for a new invite");
    let accepted = f
        .tenant
        .accept(token.expose(), Some("ada@example.com"))
        .unwrap();
    assert!(f.tenant.has_access(accepted.member.id, course.id).unwrap());
}

fn a_dry_run_reports_exactly_what_the_real_run_does_and_changes_nothing() {
    let f = Fixture::new();
    let course = f.course("Course");
    f.customer("grace@example.com", &[]);
    let input = format!("{CSV}bad-email,x@,\r\nAda Again,ada@example.com,,\r\n");
    let options = ImportOptions {
        dry_run: true,
        skip_invalid: true,
        ..opts(ImportMode::Grant, &[course.id])
    };
    let before = (total(&f), f.footprint());
    let dry = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(&input), &options)
        .unwrap();
    assert!(!dry.applied && dry.dry_run);
    assert_eq!(
        (total(&f), f.footprint()),
        before,
        "a dry run writes nothing"
    );
    let real = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(&input),
            &ImportOptions {
                dry_run: false,
                ..options
            },
        )
        .unwrap();
    assert!(real.applied);
    let strip = |r: &ImportReport| {
        r.rows
            .iter()
            .map(|r| (r.line, r.outcome, r.reason.clone(), r.email.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&dry), strip(&real));
    assert_eq!(
        outcomes(&real),
        [
            (2, "created"),
            (3, "updated"),
            (4, "created"),
            (5, "invalid"),
            (6, "duplicate_in_file")
        ],
        "grace existed without a name: the import fills it in"
    );
    assert_eq!(
        real.rows[4].reason.as_deref(),
        Some("same person as line 2")
    );
    assert!(real.rows[3].reason.as_deref().unwrap().contains("email"));
}

fn by_default_one_invalid_row_stops_the_whole_run() {
    let f = Fixture::new();
    let mut csv = String::from("name,email\n");
    for i in 0..10_000 {
        if i == 6_789 {
            csv.push_str("Broken Row,not-an-email\n");
        } else {
            csv.push_str(&format!("Person {i},p{i}@example.com\n"));
        }
    }
    let before = f.footprint();
    let stopped = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(&csv),
            &opts(ImportMode::Grant, &[]),
        )
        .unwrap();
    assert!(!stopped.applied);
    assert_eq!(stopped.rows.len(), 10_000, "every row has an outcome");
    let bad: Vec<_> = stopped
        .rows
        .iter()
        .filter(|r| r.outcome == ImportOutcome::Invalid)
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 6_791, "header is line 1");
    assert_eq!((total(&f), f.footprint()), (0, before), "nothing half-done");

    let options = ImportOptions {
        skip_invalid: true,
        ..opts(ImportMode::Grant, &[])
    };
    let done = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(&csv), &options)
        .unwrap();
    assert!(done.applied);
    assert_eq!(done.count(ImportOutcome::Created), 9_999);
    assert_eq!(total(&f), 9_999);
    // Re-running the same file changes nothing and reports every good row existing.
    let footprint = f.footprint();
    let again = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(&csv), &options)
        .unwrap();
    assert_eq!(again.count(ImportOutcome::Existing), 9_999);
    assert_eq!(again.count(ImportOutcome::Invalid), 1);
    assert_eq!(
        f.footprint(),
        footprint,
        "no audit, event or invite from a no-op re-run"
    );
}

fn rerunning_an_invite_import_reports_existing_and_sends_nothing() {
    let f = Fixture::new();
    let course = f.course("C");
    let options = opts(ImportMode::Invite, &[course.id]);
    f.tenant
        .import_customers(Actor::System, ImportSource::Csv(CSV), &options)
        .unwrap();
    let before = f.footprint();
    let again = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(CSV), &options)
        .unwrap();
    assert!(
        again
            .rows
            .iter()
            .all(|r| r.outcome == ImportOutcome::Existing),
        "{:?}",
        outcomes(&again)
    );
    assert_eq!(f.footprint(), before);
}

fn existing_members_get_the_new_grants_and_duplicates_are_caught_by_external_id() {
    let f = Fixture::new();
    let (a, b) = (f.course("A"), f.course("B"));
    let m = f.customer("old@example.com", &[a.id]);
    let csv = "email,name,external_id\nold@example.com,,\nnew@example.com,New,crm-9\nother@example.com,Other,crm-9\n";
    let r = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(csv),
            &opts(ImportMode::Grant, &[b.id]),
        )
        .unwrap();
    assert_eq!(
        outcomes(&r),
        [(2, "existing"), (3, "created"), (4, "duplicate_in_file")]
    );
    assert!(
        f.tenant.has_access(m.id, b.id).unwrap(),
        "existing member got the new grant"
    );
    let new = f
        .tenant
        .member_by_email("new@example.com")
        .unwrap()
        .unwrap();
    assert_eq!(new.status, MemberStatus::Active);
    assert!(f.tenant.has_access(new.id, b.id).unwrap());
    // Filling in a name is an update.
    let r = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Pasted("Old Timer, old@example.com"),
            &opts(ImportMode::Grant, &[]),
        )
        .unwrap();
    assert_eq!(outcomes(&r), [(1, "updated")]);
    // An email of one member with the external id of another is reported, not applied.
    let r = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv("email,external_id\nold@example.com,crm-9\n"),
            &ImportOptions {
                skip_invalid: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(outcomes(&r), [(2, "invalid")]);
    // Found only when applying, it still stops a default run: nothing of the file lands.
    let before = (total(&f), f.footprint());
    let csv = "email,external_id\nfresh@example.com,\nold@example.com,crm-9\n";
    let r = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(csv),
            &opts(ImportMode::Grant, &[]),
        )
        .unwrap();
    assert!(!r.applied);
    assert_eq!(outcomes(&r), [(2, "created"), (3, "invalid")]);
    assert_eq!((total(&f), f.footprint()), before);
    assert_eq!(
        r.rows[0].member_id, None,
        "no id for a member that was not created"
    );
}

fn pasted_lists_accept_the_usual_shapes() {
    let f = Fixture::new();
    let text = "Ada Lovelace, ada@example.com\n\ngrace@example.com\nlin@example.com, Lin Wu\n\"Sam Lee\" <sam@example.com>\n  \nnot an email\n";
    let r = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Pasted(text),
            &ImportOptions {
                skip_invalid: true,
                mode: ImportMode::Grant,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        outcomes(&r),
        [
            (1, "created"),
            (3, "created"),
            (4, "created"),
            (5, "created"),
            (7, "invalid")
        ]
    );
    let names: Vec<Option<String>> = [
        "ada@example.com",
        "grace@example.com",
        "lin@example.com",
        "sam@example.com",
    ]
    .iter()
    .map(|e| f.tenant.member_by_email(e).unwrap().unwrap().name)
    .collect();
    assert_eq!(
        names,
        [
            Some("Ada Lovelace".into()),
            None,
            Some("Lin Wu".into()),
            Some("Sam Lee".into())
        ]
    );
}

fn malformed_csv_is_a_clear_error_or_a_reported_row() {
    let f = Fixture::new();
    assert_eq!(
        code(f.tenant.import_customers(
            Actor::System,
            ImportSource::Csv("name,phone\nA,123\n"),
            &ImportOptions::default()
        )),
        "invalid_input"
    );
    assert_eq!(
        code(f.tenant.import_customers(
            Actor::System,
            ImportSource::Csv(""),
            &ImportOptions::default()
        )),
        "invalid_input"
    );
    // Ragged rows are read as far as they go.
    let r = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv("name,email\nOnly a name\nB,b@x.com,extra,cells\n"),
            &ImportOptions {
                skip_invalid: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(outcomes(&r), [(2, "invalid"), (3, "created")]);
    assert!(r.rows[0].reason.as_deref().unwrap().contains("email"));
    assert_eq!(
        code(f.tenant.import_customers(
            Actor::Member(MemberId::new()),
            ImportSource::Csv("email\na@x.com\n"),
            &ImportOptions::default()
        )),
        "permission_denied"
    );
    let free = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::free("Free", ProductKind::Community),
        )
        .unwrap();
    assert_eq!(
        code(f.tenant.import_customers(
            Actor::System,
            ImportSource::Csv("email\na@x.com\n"),
            &opts(ImportMode::Grant, &[free.id])
        )),
        "invalid_input"
    );
}

fn temporary_passwords_are_returned_once_and_stored_hashed() {
    let f = Fixture::new();
    let r = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Pasted("A, a@x.com\nB, b@x.com"),
            &opts(ImportMode::TemporaryPassword, &[]),
        )
        .unwrap();
    let pw = r.rows[0].temporary_password.clone().unwrap();
    assert_eq!(pw.expose().len(), 16);
    assert_ne!(Some(pw.clone()), r.rows[1].temporary_password);
    assert!(
        !format!("{r:?}").contains(pw.expose()),
        "never in Debug output"
    );
    let check = f
        .tenant
        .verify_password("a@x.com", pw.expose())
        .unwrap()
        .unwrap();
    assert!(check.must_change);
    assert_eq!(check.member.status, MemberStatus::Active);
    let csv = r.temporary_passwords_csv();
    assert!(csv.starts_with("email,name,temporary_password\r\na@x.com,A,"));
    assert!(csv.contains(pw.expose()));
    // A dry run shows no passwords, and a re-run generates none.
    let dry = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Pasted("C, c@x.com"),
            &ImportOptions {
                dry_run: true,
                ..opts(ImportMode::TemporaryPassword, &[])
            },
        )
        .unwrap();
    assert!(dry.rows[0].temporary_password.is_none());
    let again = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Pasted("A, a@x.com"),
            &opts(ImportMode::TemporaryPassword, &[]),
        )
        .unwrap();
    assert_eq!(outcomes(&again), [(1, "existing")]);
    assert!(again.rows[0].temporary_password.is_none());
    assert!(
        f.tenant
            .verify_password("a@x.com", pw.expose())
            .unwrap()
            .is_some(),
        "password unchanged"
    );
}

fn notify_false_writes_no_events_but_still_audits() {
    let f = Fixture::new();
    let course = f.course("C");
    let options = ImportOptions {
        notify: Some(false),
        ..opts(ImportMode::Grant, &[course.id])
    };
    f.tenant
        .import_customers(Actor::System, ImportSource::Pasted("a@x.com"), &options)
        .unwrap();
    assert!(f.event_kinds().is_empty());
    let entries = f.tenant.audit(&last(10)).unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"import.completed"), "{actions:?}");
    // One entry per imported row, listing what it was granted.
    let created = entries
        .iter()
        .find(|e| e.action == "member.created")
        .unwrap();
    assert_eq!(created.details["granted"][0], course.id.to_string());
}
