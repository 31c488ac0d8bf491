//! Crash safety on both stores: a process SIGKILLed in the middle of an import or of a burst
//! of grants leaves a database that reopens, passes its integrity check (SQLite), holds the
//! whole import or none of it, and keeps every grant that was acknowledged before the kill.

mod common;

use memberkit::*;
use memberkit_open::OpenHub;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const CHILD: &str = "MEMBERKIT_TEST_CRASH_CHILD";
/// Rows per import: large enough that a kill lands inside the write (debug builds write a few
/// thousand rows a second), small enough for CI.
const IMPORT_ROWS: usize = 5_000;
const MEMBERS: usize = 200;

/// Runs in the child: `import` imports one file; `grants` grants one member after another and
/// prints `ack <member id>` after each call returns.
#[test]
#[ignore = "helper run by another test in a child process"]
fn child() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let mut parts = spec.splitn(4, ' ');
    let (what, target, tenant, product) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let hub = Hub::open(target).unwrap();
    let t = hub.tenant(tenant.parse().unwrap()).unwrap();
    let product: ProductId = product.parse().unwrap();
    println!("started");
    match what.strip_prefix("import:") {
        Some(run) => {
            let csv = import_file(run);
            let options = ImportOptions {
                products: vec![product],
                mode: ImportMode::Grant,
                ..Default::default()
            };
            t.import_customers(Actor::System, ImportSource::Csv(&csv), &options)
                .unwrap();
            println!("imported");
        }
        _ => {
            let members = t
                .customers(&CustomerQuery {
                    limit: MEMBERS,
                    ..Default::default()
                })
                .unwrap();
            for row in members.rows {
                t.grant(
                    Actor::System,
                    row.member.id,
                    product,
                    GrantOptions::default(),
                )
                .unwrap();
                println!("ack {}", row.member.id);
            }
        }
    }
}

/// A file of new people for each run: re-importing a file adds nobody.
fn import_file(run: &str) -> String {
    let mut csv = String::from("name,email\n");
    for i in 0..IMPORT_ROWS {
        csv.push_str(&format!("Imported {run}-{i},imp{run}-{i}@crash.test\n"));
    }
    csv
}

/// Starts the child doing `what`, kills it `after` its start, and returns its output lines.
fn kill_during(
    what: &str,
    target: &str,
    t: TenantId,
    p: ProductId,
    after: Duration,
) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, format!("{what} {target} {t} {p}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    // Wait until the hub is open, then give it `after` to get into the work.
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the child ended early"
        );
        if line.contains("started") {
            break;
        }
    }
    std::thread::sleep(after);
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback, no flush
    child.wait().unwrap();
    for line in out.lines() {
        lines.push(line.unwrap());
    }
    lines
}

/// Kills imports and grant bursts at several points on `target` and checks what survived.
fn survive_kills(target: &str, check_integrity: &dyn Fn()) -> (usize, usize, usize) {
    let hub = Hub::open(target).unwrap();
    let t = hub.create_tenant("Crash").unwrap();
    let product = t
        .create_product(
            Actor::System,
            NewProduct::paid("Course", ProductKind::Course),
        )
        .unwrap()
        .id;
    let mut csv = String::from("email\n");
    for i in 0..MEMBERS {
        csv.push_str(&format!("m{i}@crash.test\n"));
    }
    let options = ImportOptions {
        mode: ImportMode::Grant,
        notify: Some(false),
        ..Default::default()
    };
    t.import_customers(Actor::System, ImportSource::Csv(&csv), &options)
        .unwrap();
    let (mut kills, mut whole_imports, mut acked) = (0, 0, 0);
    for ms in [20u64, 150, 400, 900, 1_500] {
        // The import: all of it or none of it, whenever it dies.
        let lines = kill_during(
            &format!("import:{ms}"),
            target,
            t.id(),
            product,
            Duration::from_millis(ms),
        );
        kills += 1;
        check_integrity();
        let hub = Hub::open(target).unwrap();
        let t = hub.tenant(t.id()).unwrap();
        let imported = t
            .count_customers(&CustomerQuery {
                search: Some("imported".into()),
                ..Default::default()
            })
            .unwrap();
        assert!(
            imported % IMPORT_ROWS == 0,
            "kill {kills}: {imported} imported rows is not a whole number of imports"
        );
        if lines.iter().any(|l| l.contains("imported")) {
            assert_eq!(
                imported / IMPORT_ROWS,
                whole_imports + 1,
                "an acknowledged import is there"
            );
        }
        whole_imports = imported / IMPORT_ROWS;

        // A burst of grants: every acknowledged one survived the kill.
        let lines = kill_during(
            "grants",
            target,
            t.id(),
            product,
            Duration::from_millis(ms / 3),
        );
        kills += 1;
        check_integrity();
        let hub = Hub::open(target).unwrap();
        let t = hub.tenant(t.id()).unwrap();
        for line in lines.iter().filter_map(|l| l.strip_prefix("ack ")) {
            let member: MemberId = line.trim().parse().unwrap();
            assert!(
                t.has_access(member, product).unwrap(),
                "acknowledged grant lost"
            );
            acked += 1;
        }
        // Grants are idempotent: the next burst grants the same members again.
    }
    (kills, whole_imports, acked)
}

#[test]
fn sqlite_survives_sigkill_during_imports_and_grants() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let target = path.to_str().unwrap().to_owned();
    let check = || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    };
    let (kills, imports, acked) = survive_kills(&target, &check);
    eprintln!("sqlite: {kills} kills; {imports} whole imports and {acked} acknowledged grants survived; integrity ok");
}

#[test]
fn postgres_survives_sigkill_during_imports_and_grants() {
    let Some(target) = common::postgres_target("mk_crash") else {
        return;
    };
    let (kills, imports, acked) = survive_kills(&target, &|| {});
    eprintln!(
        "postgres: {kills} kills; {imports} whole imports and {acked} acknowledged grants survived"
    );
}
