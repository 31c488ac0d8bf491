//! A default import writes in chunks: progress between them with no transaction open, whole
//! chunks kept when a run stops, a rerun of the same file finishing it, and the
//! temporary-password mode that is always one transaction.

use super::import::opts;
use super::import_runs::{big_csv, code_of};
use crate::fixture::*;
use memberkit::*;
use std::sync::{Arc, Mutex};

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(a_chunked_import_reports_progress_between_chunks_where_the_hub_can_be_called),
    case!(a_stopped_chunked_import_keeps_whole_chunks_and_the_same_file_finishes_it),
    case!(a_row_that_turns_invalid_mid_run_stops_at_its_chunk_and_the_report_says_where),
    case!(an_invalid_row_stops_a_chunked_import_before_anything_is_written),
    case!(a_temporary_password_import_is_always_one_transaction),
];

/// Imported people, and those of them holding `product`.
fn imported(f: &Fixture, product: ProductId) -> (usize, usize) {
    let all = f.tenant.count_customers(&CustomerQuery::default()).unwrap();
    let holders = CustomerQuery {
        product: Some(product),
        ..Default::default()
    };
    (all, f.tenant.count_customers(&holders).unwrap())
}

fn a_chunked_import_reports_progress_between_chunks_where_the_hub_can_be_called() {
    let f = Fixture::new();
    let course = f.course("Course");
    let tenant = f.tenant.clone();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let options = ImportOptions {
        progress: Some(Arc::new(move |done, all| {
            // No transaction is open: reads and writes from here just work.
            let read = code_of(tenant.products().map(drop));
            let write = code_of(tenant.create_workspace(Actor::System, &format!("ws {done}")));
            seen.lock().unwrap().push((done, all, read, write));
            Ok(())
        })),
        ..opts(ImportMode::Grant, &[course.id])
    };
    let report = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(&big_csv(2500)), &options)
        .unwrap();
    assert!(report.applied);
    assert_eq!(report.written, 2500);
    assert_eq!(report.count(ImportOutcome::Created), 2500);
    let calls = calls.lock().unwrap();
    assert!(calls.len() >= 2, "more than one chunk: {calls:?}");
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0), "{calls:?}");
    assert_eq!(calls.last().unwrap().0, 2500);
    assert!(calls.iter().all(|c| (c.1, c.2, c.3) == (2500, "ok", "ok")));
    assert_eq!(imported(&f, course.id), (2500, 2500));
    // One `import.completed` for the whole run, with its totals.
    let completed: Vec<AuditEntry> = f
        .tenant
        .audit(&AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "import.completed")
        .collect();
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0].details["changed"], 2500);
}

fn a_stopped_chunked_import_keeps_whole_chunks_and_the_same_file_finishes_it() {
    let f = Fixture::new();
    let course = f.course("Course");
    let csv = big_csv(2500);
    let options = ImportOptions {
        progress: Some(Arc::new(|done, _| match done {
            2500 => Ok(()),
            _ => Err(Error::Conflict(format!("stop at {done}"))),
        })),
        ..opts(ImportMode::Grant, &[course.id])
    };
    let err = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(&csv), &options)
        .unwrap_err();
    assert!(err.to_string().starts_with("conflict: stop at "), "{err}");
    // The first chunk is in, whole: every member with their grant, audit entry and event.
    let (people, holders) = imported(&f, course.id);
    assert!(people > 0 && people < 2500, "{people}");
    assert_eq!(holders, people);
    let granted = f
        .tenant
        .outbox(1000)
        .unwrap()
        .iter()
        .filter(|e| e.kind == "access.granted")
        .count();
    assert_eq!(granted, people.min(1000));

    let rerun = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(&csv),
            &opts(ImportMode::Grant, &[course.id]),
        )
        .unwrap();
    assert!(rerun.applied);
    assert_eq!(rerun.count(ImportOutcome::Existing), people);
    assert_eq!(rerun.count(ImportOutcome::Created), 2500 - people);
    assert_eq!(imported(&f, course.id), (2500, 2500));
}

fn a_row_that_turns_invalid_mid_run_stops_at_its_chunk_and_the_report_says_where() {
    let f = Fixture::new();
    let mut csv = String::from("email,external_id\n");
    for i in 0..2500 {
        csv.push_str(&format!("p{i}@x.com,crm-{i}\n"));
    }
    let tenant = f.tenant.clone();
    let options = ImportOptions {
        // After the first chunk, the last row's email and its external id go to two
        // different people.
        progress: Some(Arc::new(move |done, _| {
            if done < 2500 {
                let other = NewCustomer::new("someone.else@x.com").external_id("crm-2499");
                let _ = tenant.add_customer(Actor::System, other);
                let _ = tenant.add_customer(Actor::System, NewCustomer::new("p2499@x.com"));
            }
            Ok(())
        })),
        ..opts(ImportMode::Invite, &[])
    };
    let report = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(&csv), &options)
        .unwrap();
    assert!(!report.applied);
    assert!(
        report.written > 0 && report.written < 2500,
        "{}",
        report.written
    );
    let last = &report.rows[2499];
    assert_eq!(last.outcome, ImportOutcome::Invalid);
    assert!(last.reason.is_some());
    // The rows written have their members and links; the rest have neither.
    let (done, rest) = report.rows.split_at(report.written);
    assert!(done
        .iter()
        .all(|r| r.member_id.is_some() && r.invite_token.is_some()));
    assert!(rest.iter().all(|r| r.invite_token.is_none()));
    assert_eq!(
        f.tenant.count_customers(&CustomerQuery::default()).unwrap(),
        report.written + 2
    );
}

fn an_invalid_row_stops_a_chunked_import_before_anything_is_written() {
    let f = Fixture::new();
    for (email, crm) in [("taken@x.com", "crm-7"), ("two@x.com", "crm-8")] {
        let customer = NewCustomer::new(email).external_id(crm);
        f.tenant.add_customer(Actor::System, customer).unwrap();
    }
    let before = f.footprint();
    let mut csv = String::from("email,external_id\n");
    for i in 0..2500 {
        csv.push_str(&format!("p{i}@x.com,crm-{}\n", i + 100));
    }
    csv.push_str("taken@x.com,crm-8\n"); // one person's email, another's external id
    let report = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(&csv),
            &opts(ImportMode::Grant, &[]),
        )
        .unwrap();
    assert!(!report.applied);
    assert_eq!(report.written, 0);
    assert_eq!(report.rows[2500].outcome, ImportOutcome::Invalid);
    assert!(report
        .rows
        .iter()
        .all(|r| r.member_id.is_none() || r.outcome != ImportOutcome::Created));
    assert_eq!(f.footprint(), before, "nothing written");
}

fn a_temporary_password_import_is_always_one_transaction() {
    let f = Fixture::new();
    let before = f.footprint();
    let csv = "email\na@x.com\nb@x.com\n";
    let chunked = ImportOptions {
        atomic: Some(false),
        ..opts(ImportMode::TemporaryPassword, &[])
    };
    let err = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(csv), &chunked)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    // By default it is one transaction: a failure at the last report leaves nothing.
    let failing = ImportOptions {
        progress: Some(Arc::new(|_, _| Err(Error::Conflict("no".into())))),
        ..opts(ImportMode::TemporaryPassword, &[])
    };
    let err = f
        .tenant
        .import_customers(Actor::System, ImportSource::Csv(csv), &failing)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(f.footprint(), before);
    let report = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Csv(csv),
            &opts(ImportMode::TemporaryPassword, &[]),
        )
        .unwrap();
    assert!(report.applied);
    assert_eq!(report.written, 2);
    assert!(report.rows.iter().all(|r| r.temporary_password.is_some()));
}
