//! Bulk import as a whole run: workspaces, progress and its callback, the export round trip,
//! and what a grant import does to invited members.

use super::import::{opts, outcomes};
use crate::fixture::*;
use memberkit::*;
use std::sync::{Arc, Mutex};

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(a_workspace_import_places_everyone_in_it_with_the_role),
    case!(an_atomic_import_reports_progress_inside_up_to_the_total),
    case!(an_export_imports_back_unchanged),
    case!(a_failing_progress_callback_stops_an_atomic_import_and_undoes_it),
    case!(calling_back_into_the_hub_from_inside_a_transaction_is_a_clear_error_not_a_hang),
    case!(a_grant_import_activates_an_invited_member_as_add_customer_does),
];

fn a_workspace_import_places_everyone_in_it_with_the_role() {
    let f = Fixture::new();
    let ws = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    let options = ImportOptions {
        workspace: Some(ws.id),
        role: Role::Member,
        ..opts(ImportMode::Grant, &[])
    };
    f.tenant
        .import_customers(
            Actor::System,
            ImportSource::Pasted("a@x.com\nb@x.com"),
            &options,
        )
        .unwrap();
    let members = f.tenant.workspace_members(ws.id).unwrap();
    assert_eq!(members.len(), 2);
    assert!(members.iter().all(|m| m.role == Role::Member));
    let staff = f.staff("staff@x.com", Role::Member);
    assert_eq!(
        code(f.tenant.import_customers(
            staff,
            ImportSource::Pasted("c@x.com"),
            &ImportOptions {
                role: Role::Admin,
                ..Default::default()
            }
        )),
        "permission_denied"
    );
}

fn an_atomic_import_reports_progress_inside_up_to_the_total() {
    let f = Fixture::new();
    let csv: String = std::iter::once("email".to_string())
        .chain((0..2500).map(|i| format!("p{i}@x.com")))
        .collect::<Vec<_>>()
        .join("\n");
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let options = ImportOptions {
        progress: Some(Arc::new(move |done, all| {
            seen.lock().unwrap().push((done, all));
            Ok(())
        })),
        atomic: Some(true),
        ..opts(ImportMode::Grant, &[])
    };
    let report = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(&csv), &options)
        .unwrap();
    assert!(report.applied);
    assert_eq!(report.written, 2500);
    // A store that retries the transaction starts the reports again: every attempt
    // reports the whole sequence.
    let calls = calls.lock().unwrap();
    assert!(!calls.is_empty());
    for attempt in calls.chunks(3) {
        assert_eq!(attempt, [(1000, 2500), (2000, 2500), (2500, 2500)]);
    }
}

fn an_export_imports_back_unchanged() {
    let f = Fixture::new();
    let rows = [
        ("=1+2", "formula@x.com", "crm-=1"),
        ("Zoë \"Z\", Müller", "zoë@exämple.de", "crm-2"),
        ("-minus", "+plus@x.com", "@at"),
        ("\"quoted\"", "quote@x.com", "+crm-4"),
        ("'=1+1", "apostrophe@x.com", "'@crm-5"),
        ("''-x", "two@x.com", "'plain"),
    ];
    for (name, email, ext) in rows {
        f.tenant
            .add_customer(
                Actor::System,
                NewCustomer::new(email).name(name).external_id(ext),
            )
            .unwrap();
    }
    let csv = f
        .tenant
        .export_customers(&CustomerQuery::default())
        .unwrap();
    let other = f.hub.create_tenant("Copy").unwrap();
    let r = other
        .import_customers(
            Actor::System,
            ImportSource::Csv(&csv),
            &opts(ImportMode::Grant, &[]),
        )
        .unwrap();
    assert_eq!(r.count(ImportOutcome::Created), rows.len(), "{:?}", r.rows);
    for (name, email, ext) in rows {
        let m = other.member_by_email(email).unwrap().unwrap();
        assert_eq!(
            (
                m.name.as_deref(),
                m.email.as_str(),
                m.external_id.as_deref()
            ),
            (Some(name), email, Some(ext))
        );
    }
    // And re-importing the export into the original tenant changes nothing.
    let again = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(&csv),
            &opts(ImportMode::Grant, &[]),
        )
        .unwrap();
    assert_eq!(
        again.count(ImportOutcome::Existing),
        rows.len(),
        "{:?}",
        again.rows
    );
}

pub(super) fn big_csv(rows: usize) -> String {
    std::iter::once("email".to_string())
        .chain((0..rows).map(|i| format!("p{i}@x.com")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn a_failing_progress_callback_stops_an_atomic_import_and_undoes_it() {
    let f = Fixture::new();
    let before = f.footprint();
    for fail_at in [1000, 2500] {
        let options = ImportOptions {
            progress: Some(Arc::new(move |done, _| {
                if done == fail_at {
                    Err(Error::Conflict(format!("stop at {done}")))
                } else {
                    Ok(())
                }
            })),
            atomic: Some(true),
            ..opts(ImportMode::Invite, &[])
        };
        let err = f
            .tenant
            .import_customers(Actor::System, ImportSource::Csv(&big_csv(2500)), &options)
            .unwrap_err();
        assert_eq!(err.to_string(), format!("conflict: stop at {fail_at}"));
        assert_eq!(
            f.footprint(),
            before,
            "rolled back, even at the last report"
        );
    }
}

/// In an atomic import and in a dry run the callback runs inside the transaction.
fn calling_back_into_the_hub_from_inside_a_transaction_is_a_clear_error_not_a_hang() {
    for dry_run in [false, true] {
        let f = Fixture::new();
        let tenant = f.tenant.clone();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let errors = seen.clone();
        let options = ImportOptions {
            progress: Some(Arc::new(move |_, _| {
                let read = tenant.products().map(drop);
                let write = tenant.create_workspace(Actor::System, "From the callback");
                errors.lock().unwrap().push((code_of(read), code_of(write)));
                Ok(())
            })),
            atomic: Some(true),
            dry_run,
            ..opts(ImportMode::Grant, &[])
        };
        let r = f
            .tenant
            .import_customers(Actor::System, ImportSource::Csv(&big_csv(10)), &options)
            .unwrap();
        assert_eq!(r.applied, !dry_run);
        let seen = seen.lock().unwrap();
        assert!(!seen.is_empty(), "once per attempt");
        assert!(seen.iter().all(|s| *s == ("conflict", "conflict")));
        // Outside the callback, the same calls work.
        f.tenant
            .create_workspace(Actor::System, "Afterwards")
            .unwrap();
    }
}

pub(super) fn code_of<T>(r: Result<T>) -> &'static str {
    r.err().map_or("ok", |e| e.code().as_str())
}

/// One matching routine serves `add_customer` and imports: adding someone directly (grant or
/// temporary-password mode) activates them even if they were invited, so the access the
/// import grants works at once; invite mode leaves them invited and adds to their invite.
fn a_grant_import_activates_an_invited_member_as_add_customer_does() {
    let f = Fixture::new();
    let course = f.course("Course");
    for email in ["ada@example.com", "grace@example.com"] {
        f.tenant
            .invite(Actor::System, NewInvite::new(email))
            .unwrap();
    }
    let report = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Pasted("ada@example.com"),
            &opts(ImportMode::Grant, &[course.id]),
        )
        .unwrap();
    assert_eq!(outcomes(&report), [(1, "updated")]);
    let ada = f
        .tenant
        .member_by_email("ada@example.com")
        .unwrap()
        .unwrap();
    assert_eq!(ada.status, MemberStatus::Active);
    assert!(f.tenant.has_access(ada.id, course.id).unwrap());
    assert_eq!(f.tenant.role(ada.id).unwrap(), Some(Role::Customer));

    let added = f
        .tenant
        .add_customer(Actor::System, NewCustomer::new("grace@example.com"))
        .unwrap();
    assert_eq!(added.member.status, MemberStatus::Active);

    let f2 = Fixture::new();
    let course2 = f2.course("Course");
    f2.tenant
        .invite(Actor::System, NewInvite::new("ada@example.com"))
        .unwrap();
    let report = f2
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Pasted("ada@example.com"),
            &opts(ImportMode::Invite, &[course2.id]),
        )
        .unwrap();
    assert_eq!(outcomes(&report), [(1, "existing")]);
    let ada = f2
        .tenant
        .member_by_email("ada@example.com")
        .unwrap()
        .unwrap();
    assert_eq!(ada.status, MemberStatus::Invited);
    let invite = &f2.tenant.invites(Some(InviteStatus::Pending)).unwrap()[0];
    assert_eq!(invite.products, [course2.id]);
}
