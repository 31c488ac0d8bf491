//! No answer comes from before a change: the very next check after a revoke, a deactivation,
//! an archive or an expiry instant answers false, here and in another process on the same file.

use memberkit::time::{Duration, OffsetDateTime};
use memberkit::*;
use memberkit_sqlite::SqliteStore;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const CHILD: &str = "MEMBERKIT_TEST_CHECKER";

/// Runs in the child process: answers `has_access` for each "tenant member product" line on
/// stdin with "true" or "false", on its own hub over the same file.
#[test]
#[ignore = "helper run by another test in a child process"]
fn child_checker() {
    let Ok(path) = std::env::var(CHILD) else {
        return;
    };
    let hub = Hub::new(SqliteStore::open(&path).unwrap());
    let mut out = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let ids: Vec<&str> = line.split_whitespace().collect();
        let tenant = hub.tenant(ids[0].parse().unwrap()).unwrap();
        let answer = tenant
            .has_access(ids[1].parse().unwrap(), ids[2].parse().unwrap())
            .unwrap();
        writeln!(out, "answer {answer}").unwrap();
        out.flush().unwrap();
    }
}

struct Checker {
    child: std::process::Child,
    answers: BufReader<std::process::ChildStdout>,
}

impl Checker {
    fn spawn(path: &std::path::Path) -> Checker {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "child_checker",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let answers = BufReader::new(child.stdout.take().unwrap());
        Checker { child, answers }
    }

    fn has_access(&mut self, t: &Tenant, m: MemberId, p: ProductId) -> bool {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{} {m} {p}", t.id()).unwrap();
        stdin.flush().unwrap();
        loop {
            let mut line = String::new();
            assert!(
                self.answers.read_line(&mut line).unwrap() > 0,
                "the child ended"
            );
            // The test harness's own "test child_checker ... " has no newline after it.
            if let Some(at) = line.find("answer ") {
                return line[at + "answer ".len()..].trim() == "true";
            }
        }
    }
}

impl Drop for Checker {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

#[test]
fn the_next_check_after_a_change_answers_false_in_this_and_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.db");
    let hub = Hub::new(SqliteStore::open(&path).unwrap());
    let t = hub.create_tenant("T").unwrap();
    let host = Actor::System;
    let course = t
        .create_product(host, NewProduct::paid("C", ProductKind::Course))
        .unwrap();
    let free = t
        .create_product(host, NewProduct::free("F", ProductKind::Community))
        .unwrap();
    let add = |email: &str| {
        let new = NewCustomer::new(email).product(course.id);
        t.add_customer(host, new).unwrap().member.id
    };
    let (ada, bob) = (add("ada@x.com"), add("bob@x.com"));
    let mut other = Checker::spawn(&path);
    // Warm both sides up: each has answered true before the change.
    for (m, p) in [(ada, course.id), (bob, course.id), (bob, free.id)] {
        assert!(t.has_access(m, p).unwrap());
        assert!(other.has_access(&t, m, p));
    }

    t.revoke(host, ada, course.id).unwrap();
    assert!(
        !t.has_access(ada, course.id).unwrap(),
        "revoke, this process"
    );
    assert!(
        !other.has_access(&t, ada, course.id),
        "revoke, another process"
    );

    t.deactivate(host, bob).unwrap();
    assert!(
        !t.has_access(bob, course.id).unwrap(),
        "deactivate, this process"
    );
    assert!(
        !other.has_access(&t, bob, course.id),
        "deactivate, another process"
    );
    t.reactivate(host, bob).unwrap();

    t.archive_product(host, free.id).unwrap();
    assert!(
        !t.has_access(bob, free.id).unwrap(),
        "archive, this process"
    );
    assert!(
        !other.has_access(&t, bob, free.id),
        "archive, another process"
    );

    // An expiry instant: a grant that ends two seconds from now.
    let ends = OffsetDateTime::now_utc() + Duration::seconds(2);
    let options = GrantOptions {
        expires_at: Some(ends),
        ..Default::default()
    };
    t.grant(host, ada, course.id, options).unwrap();
    assert!(other.has_access(&t, ada, course.id));
    while OffsetDateTime::now_utc() < ends {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        !t.has_access(ada, course.id).unwrap(),
        "expiry, this process"
    );
    assert!(
        !other.has_access(&t, ada, course.id),
        "expiry, another process"
    );
}

const SWEEPER: &str = "MEMBERKIT_TEST_SWEEPER";

/// Runs in a child process: sweeps the hub on the file at `$MEMBERKIT_TEST_SWEEPER` five
/// times, at once with its siblings.
#[test]
#[ignore = "helper run by another test in a child process"]
fn child_sweeper() {
    let Ok(path) = std::env::var(SWEEPER) else {
        return;
    };
    let hub = Hub::new(SqliteStore::open(&path).unwrap());
    for _ in 0..5 {
        hub.sweep(None).unwrap();
    }
}

#[test]
fn sweeps_in_several_processes_at_once_write_each_event_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.db");
    let hub = Hub::new(SqliteStore::open(&path).unwrap());
    let t = hub.create_tenant("T").unwrap();
    let course = t
        .create_product(Actor::System, NewProduct::paid("C", ProductKind::Course))
        .unwrap();
    let ends = OffsetDateTime::now_utc() + Duration::seconds(2);
    for i in 0..30 {
        let new = NewCustomer::new(format!("m{i}@x.com"))
            .product(course.id)
            .expires_at(ends);
        t.add_customer(Actor::System, new).unwrap();
    }
    hub.sweep(None).unwrap();
    let granted = t.outbox(1000).unwrap();
    t.ack(&granted.iter().map(|e| e.id).collect::<Vec<_>>())
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["child_sweeper", "--exact", "--ignored", "--test-threads=1"])
                .env(SWEEPER, &path)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a sweeper failed");
    }
    let kinds: Vec<String> = t
        .outbox(1000)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    // Each grant ended once; its reminders came due before it existed, so none is told.
    assert_eq!(kinds.len(), 30, "{kinds:?}");
    assert!(kinds.iter().all(|k| k == "access.expired"));
}
