//! Crash safety on both stores: a process SIGKILLed inside a 100k-row import or a burst of
//! grants leaves a database that reopens, passes its integrity check (SQLite), holds whole
//! chunks of a chunked import (the default) and the whole of an atomic import or none of it,
//! and keeps every grant that was acknowledged before the kill; running the killed chunked
//! import's file again finishes it.
//!
//! Atomic-import kills are aimed, not timed: the child reports where it is from the import's
//! progress callback, which runs inside the write transaction there, and right before each
//! kill the parent proves that the child holds the write lock (on SQLite no other connection
//! can `BEGIN IMMEDIATE`; on PostgreSQL the tenant's row lock cannot be taken `NOWAIT`).
//! Chunked-import kills land after a given number of chunks, at a moment the parent sees the
//! lock held (a chunk being written).

mod common;

use memberkit::*;
use memberkit_open::OpenHub;
use std::io::{BufRead, BufReader, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

const CHILD: &str = "MEMBERKIT_TEST_CRASH_CHILD";
/// Rows per import: a whole import is 500k rows written in one transaction (member, role,
/// grant, audit entry and outbox event per person).
const IMPORT_ROWS: usize = 100_000;
const MEMBERS: usize = 200;

/// Runs in the child. `import:<run>:hold` imports a file atomically and, once every row is
/// written, stops inside the transaction until it is killed; `import:<run>:finish` commits.
/// `chunks` imports the chunked file by default options, printing `chunk <done>` after each
/// chunk and `imported <created> <existing>` at the end. `grants` grants one member after
/// another and prints `ack <member id>` after each call returns.
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
    say("started");
    if what == "chunks" {
        let options = ImportOptions {
            products: vec![product],
            mode: ImportMode::Grant,
            progress: Some(Arc::new(|done, _| {
                say(&format!("chunk {done}"));
                Ok(())
            })),
            ..Default::default()
        };
        let csv = import_file("chunked");
        let report = t
            .import_customers(Actor::System, ImportSource::Csv(&csv), &options)
            .unwrap();
        let (created, existing) = (
            report.count(ImportOutcome::Created),
            report.count(ImportOutcome::Existing),
        );
        say(&format!("imported {created} {existing}"));
    } else if let Some(import) = what.strip_prefix("import:") {
        let (run, hold) = import.split_once(':').unwrap();
        let hold = hold == "hold";
        let ends = AtomicUsize::new(0);
        let progress = move |done: usize, total: usize| {
            // Called every 1,000 planned rows, once planning ends and once more after the rows
            // are written, all before COMMIT.
            if done == total / 2 {
                say("phase planning");
            } else if done == total {
                if ends.fetch_add(1, Ordering::SeqCst) == 0 {
                    say("phase writing");
                } else {
                    say("phase written");
                    if hold {
                        // Stay inside the transaction until the parent kills this process.
                        loop {
                            std::thread::sleep(Duration::from_secs(3600));
                        }
                    }
                }
            }
            Ok(())
        };
        let options = ImportOptions {
            products: vec![product],
            mode: ImportMode::Grant,
            progress: Some(Arc::new(progress)),
            atomic: Some(true),
            ..Default::default()
        };
        t.import_customers(
            Actor::System,
            ImportSource::Csv(&import_file(run)),
            &options,
        )
        .unwrap();
        say("imported");
    } else {
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
            say(&format!("ack {}", row.member.id));
        }
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").unwrap();
    out.flush().unwrap();
}

/// A file of new people for each run: re-importing a file adds nobody.
fn import_file(run: &str) -> String {
    let mut csv = String::from("name,email\n");
    for i in 0..IMPORT_ROWS {
        csv.push_str(&format!("Imported {run}-{i},imp{run}-{i}@crash.test\n"));
    }
    csv
}

/// A child process and the lines it has printed so far.
struct Child {
    process: std::process::Child,
    out: mpsc::Receiver<String>,
    lines: Vec<String>,
}

/// The longest a child may take to reach the next line it is waited for; past it the test
/// prints what the database is doing and fails instead of hanging CI.
const STEP_DEADLINE: Duration = Duration::from_secs(240);

impl Child {
    fn start(what: &str, target: &str, t: TenantId, p: ProductId) -> Child {
        let mut process = common::spawn_helper("child", CHILD, &format!("{what} {target} {t} {p}"));
        let stdout = BufReader::new(process.stdout.take().unwrap());
        let (send, out) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut child = Child {
            process,
            out,
            lines: Vec::new(),
        };
        child.wait_for("started", &|| String::new());
        child
    }

    /// Reads lines until one contains `what`; returns when it came. Fails with `diagnose()`'s
    /// report when the child takes longer than [`STEP_DEADLINE`].
    fn wait_for(&mut self, what: &str, diagnose: &dyn Fn() -> String) -> Instant {
        let deadline = Instant::now() + STEP_DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(what);
                    self.lines.push(line);
                    if found {
                        return Instant::now();
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => panic!(
                    "the child ended before printing {what:?}; it printed {:?}",
                    self.lines
                ),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let report = diagnose();
                    let _ = self.process.kill();
                    panic!(
                        "no {what:?} from the child within {STEP_DEADLINE:?}; it printed {:?}; \
                         the database: {report}",
                        self.lines
                    )
                }
            }
        }
    }

    /// SIGKILL: no destructor, no rollback, no flush. Returns everything the child printed.
    fn kill(mut self) -> Vec<String> {
        self.process.kill().unwrap();
        self.process.wait().unwrap();
        self.drain()
    }

    fn finish(mut self, diagnose: &dyn Fn() -> String) -> Vec<String> {
        self.wait_for("imported", diagnose);
        assert!(self.process.wait().unwrap().success(), "the child failed");
        self.drain()
    }

    fn drain(mut self) -> Vec<String> {
        self.lines.extend(self.out.iter());
        self.lines
    }
}

/// How one store is checked from outside the child.
struct Store<'a> {
    target: &'a str,
    /// True when another writer cannot get the tenant's write lock right now.
    write_locked: &'a dyn Fn(TenantId) -> bool,
    check_integrity: &'a dyn Fn(),
    /// The number `SELECT count(*) …` answers (the same SQL serves both stores).
    count: &'a dyn Fn(&str) -> i64,
    /// What the database is doing, for a child that stalls.
    diagnose: &'a dyn Fn() -> String,
}

/// What a run of kills showed.
#[derive(Debug)]
struct Report {
    import_kills: usize,
    kills_while_writing_rows: usize,
    write_phase: Duration,
    grant_kills: usize,
    acked_grants: usize,
    chunk_kills: usize,
    /// Rows of the chunked file in after each kill.
    chunked_rows_kept: Vec<usize>,
}

/// People of the atomic imports' files.
fn imported(store: &Store) -> usize {
    (store.count)(
        "SELECT count(*) FROM members WHERE email LIKE 'imp%' AND email NOT LIKE 'impchunked-%'",
    ) as usize
}

/// The chunked file's people, and their grants, role assignments, `member.created` audit
/// entries and `access.granted` events beyond `baseline`: all five equal when only whole
/// chunks are in.
fn chunked_rows(store: &Store, baseline: (i64, i64)) -> [i64; 5] {
    let people = "SELECT id FROM members WHERE email LIKE 'impchunked-%'";
    [
        (store.count)(&format!("SELECT count(*) FROM ({people}) p")),
        (store.count)(&format!(
            "SELECT count(*) FROM grants WHERE member_id IN ({people})"
        )),
        (store.count)(&format!(
            "SELECT count(*) FROM role_assignments WHERE member_id IN ({people})"
        )),
        (store.count)("SELECT count(*) FROM audit_log WHERE action = 'member.created'")
            - baseline.0,
        (store.count)("SELECT count(*) FROM outbox WHERE kind = 'access.granted'") - baseline.1,
    ]
}

/// Kills a chunked 100k-row import after 1, 3 and 6 chunks, each while a chunk is being
/// written where the timing allows; after each only whole chunks are in; then the same file
/// runs to the end and reports the rows already in as `existing`.
fn kill_chunked_import(store: &Store, t: TenantId, product: ProductId, report: &mut Report) {
    let baseline = (
        (store.count)("SELECT count(*) FROM audit_log WHERE action = 'member.created'"),
        (store.count)("SELECT count(*) FROM outbox WHERE kind = 'access.granted'"),
    );
    for chunks in [1, 3, 6] {
        let mut child = Child::start("chunks", store.target, t, product);
        for _ in 0..chunks {
            child.wait_for("chunk ", store.diagnose);
        }
        // Kill at a moment a chunk holds the lock, if one comes within 2 s.
        let deadline = Instant::now() + Duration::from_secs(2);
        while !(store.write_locked)(t) && Instant::now() < deadline {}
        child.kill();
        report.chunk_kills += 1;
        (store.check_integrity)();
        let counts = chunked_rows(store, baseline);
        assert!(
            counts.iter().all(|&n| n == counts[0]),
            "after {chunks} chunks: whole chunks only (people, grants, roles, audit, events): \
             {counts:?}"
        );
        report.chunked_rows_kept.push(counts[0] as usize);
    }
    let before = *report.chunked_rows_kept.last().unwrap();
    let lines = Child::start("chunks", store.target, t, product).finish(store.diagnose);
    let done = lines
        .iter()
        .find_map(|l| l.strip_prefix("imported "))
        .unwrap();
    assert_eq!(
        done,
        format!("{} {before}", IMPORT_ROWS - before),
        "the rerun creates the rest and finds the rows already in"
    );
    assert_eq!(chunked_rows(store, baseline), [IMPORT_ROWS as i64; 5]);
}

/// Kills atomic 100k-row imports at aimed points, then lets one finish.
fn kill_imports(store: &Store, t: TenantId, product: ProductId, report: &mut Report) {
    // Fractions of the row-writing phase at which to kill; `None` kills once the rows are all
    // written, just before COMMIT, and measures how long writing takes.
    let aims = [None, Some(0.0), Some(0.5)];
    let mut aims: Vec<Option<f64>> = aims.to_vec();
    aims.push(Some(-1.0)); // while planning, before any row is written
    for (run, aim) in aims.into_iter().enumerate() {
        let mut child = Child::start(&format!("import:{run}:hold"), store.target, t, product);
        let writing;
        if aim == Some(-1.0) {
            child.wait_for("phase planning", store.diagnose);
        } else {
            writing = child.wait_for("phase writing", store.diagnose);
            match aim {
                None => {
                    report.write_phase = child.wait_for("phase written", store.diagnose) - writing
                }
                Some(fraction) => std::thread::sleep(report.write_phase.mul_f64(fraction)),
            }
        }
        assert!(
            (store.write_locked)(t),
            "kill {run}: the child holds the write lock"
        );
        let lines = child.kill();
        report.import_kills += 1;
        if aim != Some(-1.0) && !lines.iter().any(|l| l.contains("phase written")) {
            report.kills_while_writing_rows += 1;
        }
        (store.check_integrity)();
        assert_eq!(
            imported(store),
            0,
            "kill {run} ({aim:?}): none of the import is there"
        );
    }
    let lines = Child::start("import:done:finish", store.target, t, product).finish(store.diagnose);
    assert!(lines.iter().any(|l| l.contains("imported")));
    assert_eq!(imported(store), IMPORT_ROWS, "the whole import is there");
}

/// Kills bursts of grants at timed points; every acknowledged grant survives.
fn kill_grants(store: &Store, t: TenantId, product: ProductId, report: &mut Report) {
    for ms in [5u64, 50, 150, 300, 500] {
        let child = Child::start("grants", store.target, t, product);
        std::thread::sleep(Duration::from_millis(ms));
        let lines = child.kill();
        report.grant_kills += 1;
        (store.check_integrity)();
        let hub = Hub::open(store.target).unwrap();
        let tenant = hub.tenant(t).unwrap();
        for line in lines.iter().filter_map(|l| l.strip_prefix("ack ")) {
            let member: MemberId = line.trim().parse().unwrap();
            assert!(
                tenant.has_access(member, product).unwrap(),
                "acknowledged grant lost"
            );
            report.acked_grants += 1;
        }
        // Grants are idempotent: the next burst grants the same members again.
    }
}

fn survive_kills(store: &Store) -> Report {
    let hub = Hub::open(store.target).unwrap();
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
    let mut report = Report {
        import_kills: 0,
        kills_while_writing_rows: 0,
        write_phase: Duration::ZERO,
        grant_kills: 0,
        acked_grants: 0,
        chunk_kills: 0,
        chunked_rows_kept: Vec::new(),
    };
    kill_grants(store, t.id(), product, &mut report);
    kill_chunked_import(store, t.id(), product, &mut report);
    kill_imports(store, t.id(), product, &mut report);
    assert!(
        report.kills_while_writing_rows >= 2,
        "kills landed while rows were being written: {report:?}"
    );
    report
}

#[test]
fn sqlite_survives_sigkill_during_imports_and_grants() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let target = path.to_str().unwrap().to_owned();
    let check_integrity = || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    };
    let write_locked = |_: TenantId| {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.busy_timeout(Duration::ZERO).unwrap();
        match conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => {
                conn.execute_batch("ROLLBACK").unwrap();
                false
            }
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => true,
            Err(e) => panic!("{e}"),
        }
    };
    let count = |sql: &str| -> i64 {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    };
    let report = survive_kills(&Store {
        target: &target,
        write_locked: &write_locked,
        check_integrity: &check_integrity,
        count: &count,
        diagnose: &|| "a SQLite file".into(),
    });
    eprintln!("sqlite: {report:?}; integrity ok after every kill");
}

#[test]
fn postgres_survives_sigkill_during_imports_and_grants() {
    let Some(target) = common::postgres_target("mk_crash") else {
        return;
    };
    let write_locked = |t: TenantId| {
        let mut conn = postgres::Client::connect(&target, postgres::NoTls).unwrap();
        let mut tx = conn.transaction().unwrap();
        // The id written out: Citus routes a row lock only by the distribution column's value.
        let lock =
            format!("SELECT 1 FROM tenants WHERE tenant_id = '{t}' FOR NO KEY UPDATE NOWAIT");
        match tx.query(&lock, &[]) {
            Ok(rows) => {
                assert_eq!(rows.len(), 1, "the tenant row exists");
                false
            }
            Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => true,
            Err(e) => panic!("{e}"),
        }
    };
    let count = |sql: &str| -> i64 {
        let mut conn = postgres::Client::connect(&target, postgres::NoTls).unwrap();
        conn.query_one(sql, &[]).unwrap().get(0)
    };
    let report = survive_kills(&Store {
        target: &target,
        write_locked: &write_locked,
        check_integrity: &|| {},
        count: &count,
        diagnose: &|| common::postgres_activity(&target),
    });
    eprintln!("postgres: {report:?}");
}
