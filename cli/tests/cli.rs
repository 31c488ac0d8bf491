//! The `memberkit` binary as an operator runs it, on a SQLite file and, when
//! `MEMBERKIT_TEST_POSTGRES` names a server, on PostgreSQL (a fresh schema): imports with a dry
//! run, a report and temporary passwords, the customer list, export, invites, grants, the
//! outbox and sweeps; every refusal exits with its code and changes nothing.

mod common;

use common::*;
use memberkit::*;
use std::process::Command;
fn an_operators_day(db: &Db) {
    let hub = db.hub();
    let t = hub.create_tenant("Ada's Academy").unwrap();
    let course = t
        .create_product(
            Actor::System,
            NewProduct::paid("Rust 101", ProductKind::Course),
        )
        .unwrap();
    let (tid, cid) = (t.id().to_string(), course.id.to_string());
    let csv = db.path("people.csv");
    std::fs::write(
        &csv,
        "name,email\nAda,ada@example.com\nGrace,grace@example.com\nBad,not-an-email\n",
    )
    .unwrap();
    let file = csv.to_str().unwrap();

    // A dry run changes nothing; an invalid row stops a real run unless skipped.
    let before = trail(&t);
    let dry = ok(db.run(&["--json", "import", file, "--tenant", &tid, "--dry-run"]));
    let dry: serde_json::Value = serde_json::from_str(&dry).unwrap();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["outcomes"]["invalid"], 1);
    assert_eq!(trail(&t), before);
    let stopped = db.run(&[
        "--json", "import", file, "--tenant", &tid, "--mode", "grant",
    ]);
    assert_eq!(refused(&stopped), (12, "invalid_input".into()));
    assert!(text(&stopped.stderr).contains("0 of 3 rows written"));
    assert_eq!(t.count_customers(&CustomerQuery::default()).unwrap(), 0);
    assert_eq!(trail(&t), before);

    let report = db.path("report.csv");
    let line = ok(db.run(&[
        "import",
        file,
        "--tenant",
        &tid,
        "--mode",
        "grant",
        "--product",
        &cid,
        "--skip-invalid",
        "--report",
        report.to_str().unwrap(),
    ]));
    assert!(
        line.contains("2 created") && line.contains("1 invalid"),
        "{line}"
    );
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(report.starts_with("line,email,name,outcome,reason,member_id"));
    assert!(report.contains("ada@example.com,Ada,created,,"), "{report}");
    assert!(report.contains("not-an-email,Bad,invalid,"), "{report}");
    let ada = t.member_by_email("ada@example.com").unwrap().unwrap();
    assert!(t.has_access(ada.id, course.id).unwrap());

    // The list, as a table and as JSON; an export.
    let table = ok(db.run(&["customers", "--tenant", &tid, "--search", "grace"]));
    assert!(
        table.contains("grace@example.com") && table.contains("Rust 101"),
        "{table}"
    );
    assert!(!table.contains("ada@example.com"));
    let listed: serde_json::Value =
        serde_json::from_str(&ok(db.run(&["--json", "customers", "--tenant", &tid]))).unwrap();
    assert_eq!(listed["total"], 2);
    let export = ok(db.run(&["export", "--tenant", &tid]));
    assert!(export.starts_with("name,email,external_id,status,products"));
    assert_eq!(export.lines().count(), 3);
    let tenants = ok(db.run(&["--json", "tenants"]));
    assert!(tenants.contains(&tid) && tenants.contains("Ada's Academy"));

    // Revoke and grant by email; the next check sees it.
    ok(db.run(&["revoke", "ada@example.com", &cid, "--tenant", &tid]));
    assert!(!t.has_access(ada.id, course.id).unwrap());
    ok(db.run(&["grant", &ada.id.to_string(), &cid, "--tenant", &tid]));
    assert!(t.has_access(ada.id, course.id).unwrap());

    // An invite: its link never reaches the screen; its email event is in the outbox.
    let invited = ok(db.run(&[
        "invite",
        "lin@example.com",
        "--tenant",
        &tid,
        "--product",
        &cid,
    ]));
    assert!(
        invited.contains("lin@example.com") && !invited.contains("mki_"),
        "{invited}"
    );
    let events = ok(db.run(&["outbox", "--ack"]));
    let kinds: Vec<String> = events
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"].to_string())
        .collect();
    assert!(
        kinds.iter().any(|k| k.contains("invite.created")),
        "{kinds:?}"
    );
    assert!(!events.contains("mki_"), "no token in an event");
    assert_eq!(ok(db.run(&["outbox"])), "", "acknowledged events are gone");
    assert!(ok(db.run(&["sweep"])).starts_with("swept"));

    // The hub's figures and checks.
    let stats: serde_json::Value = serde_json::from_str(&ok(db.run(&["--json", "stats"]))).unwrap();
    assert_eq!(stats["tenants"], 1);
    assert_eq!(stats["members"]["active"], 2);
    assert_eq!(stats["members"]["invited"], 1, "lin");
    assert_eq!(stats["invites"]["pending"], 1);
    assert_eq!(stats["open_grants"], 2);
    assert_eq!(stats["outbox_pending"], 0, "all acknowledged above");
    let table = ok(db.run(&["stats"]));
    assert!(
        table.contains("members active") && table.contains("database size"),
        "{table}"
    );
    let doctor = ok(db.run(&["doctor"]));
    assert!(doctor.contains("problems: none"), "{doctor}");
    let status = ok(db.run(&["migrate", "--status"]));
    assert!(status.contains("no migration was pending"), "{status}");

    // Refusals: the core's code in the exit status and the JSON error, nothing changed.
    let before = trail(&t);
    let ada_id = ada.id.to_string();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["grant", "nobody@example.com", &cid, "--tenant", &tid],
            10,
            "not_found",
        ),
        (
            vec!["grant", &ada_id, "not-an-id", "--tenant", &tid],
            12,
            "invalid_input",
        ),
        (
            vec![
                "customers",
                "--tenant",
                "00000000-0000-7000-8000-000000000000",
            ],
            10,
            "not_found",
        ),
        (
            vec!["import", "missing.csv", "--tenant", &tid],
            12,
            "invalid_input",
        ),
        (
            vec![
                "import",
                file,
                "--tenant",
                &tid,
                "--mode",
                "temporary_password",
            ],
            12,
            "invalid_input",
        ),
        (
            vec!["import", file, "--tenant", &tid, "--mode", "sometimes"],
            12,
            "invalid_input",
        ),
    ];
    for (args, status, code) in cases {
        let mut with_json = vec!["--json"];
        with_json.extend(&args);
        let out = db.run(&with_json);
        assert_eq!(refused(&out), (status, code.to_string()), "{args:?}");
    }
    assert_eq!(trail(&t), before, "refused commands wrote nothing");
    let usage = db.run(&["import"]);
    assert_eq!(usage.status.code(), Some(2), "a usage error");

    // Temporary passwords go only to a new file only its owner can read. A run stopped by an
    // invalid row wrote no one, and leaves no file, so it can be run again as it was.
    let passwords = db.path("passwords.csv");
    std::fs::write(&csv, "email\nnew1@example.com\nnot-an-email\n").unwrap();
    let stopped = db.run(&[
        "--json",
        "import",
        file,
        "--tenant",
        &tid,
        "--mode",
        "temporary_password",
        "--passwords",
        passwords.to_str().unwrap(),
    ]);
    assert_eq!(refused(&stopped), (12, "invalid_input".into()));
    assert!(
        !passwords.exists(),
        "no passwords file from a run that wrote no one"
    );
    std::fs::write(&csv, "email\nnew1@example.com\nnew2@example.com\n").unwrap();
    let shown = ok(db.run(&[
        "import",
        file,
        "--tenant",
        &tid,
        "--mode",
        "temporary_password",
        "--passwords",
        passwords.to_str().unwrap(),
    ]));
    let saved = std::fs::read_to_string(&passwords).unwrap();
    assert_eq!(
        saved.lines().count(),
        3,
        "a header and two passwords: {saved}"
    );
    for line in saved.lines().skip(1) {
        let password = line.rsplit(',').next().unwrap();
        assert!(password.len() >= 12 && !shown.contains(password));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&passwords).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = trail(&t);
    std::fs::write(&csv, "email\nnew3@example.com\n").unwrap();
    let again = db.run(&[
        "--json",
        "import",
        file,
        "--tenant",
        &tid,
        "--mode",
        "temporary_password",
        "--passwords",
        passwords.to_str().unwrap(),
    ]);
    assert_eq!(
        refused(&again),
        (12, "invalid_input".into()),
        "the file exists"
    );
    assert_eq!(trail(&t), before);
    assert!(t.member_by_email("new3@example.com").unwrap().is_none());
}

#[test]
fn an_operators_day_on_sqlite() {
    an_operators_day(&Db::sqlite());
}

#[test]
fn migrate_creates_the_schema_and_doctor_finds_a_broken_count() {
    let db = Db::sqlite();
    let first = ok(db.run(&["--json", "migrate"]));
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["engine"], "sqlite");
    assert_eq!(first["schema_version"], first["latest_schema_version"]);
    assert!(
        !first["migrated_now"].as_array().unwrap().is_empty(),
        "a new file is migrated"
    );
    let t = db.hub().create_tenant("T").unwrap();
    t.add_customer(Actor::System, NewCustomer::new("a@example.com"))
        .unwrap();
    // Break the kept count behind memberkit's back, as a bad manual edit would.
    let conn = rusqlite::Connection::open(&db.target).unwrap();
    conn.execute("UPDATE member_counts SET n = n + 5", [])
        .unwrap();
    drop(conn);
    let out = db.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(21), "storage");
    let said = text(&out.stdout);
    assert!(
        said.contains("problem: member_counts of tenant") && said.contains("the rows say 1"),
        "{said}"
    );
}

#[test]
fn an_operators_day_on_postgres() {
    let Some(db) = Db::postgres() else {
        return eprintln!("postgres: skipped, MEMBERKIT_TEST_POSTGRES is not set");
    };
    an_operators_day(&db);
}

/// 100k rows through the binary, on each store given; prints the rate.
fn a_large_import(db: &Db, rows: usize) {
    let hub = db.hub();
    let t = hub.create_tenant("Large").unwrap();
    let file = db.path("large.csv");
    let mut csv = String::from("name,email\n");
    for i in 0..rows {
        csv.push_str(&format!("Person {i},p{i}@large.example\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let out = db.run(&[
        "import",
        file.to_str().unwrap(),
        "--tenant",
        &t.id().to_string(),
        "--mode",
        "grant",
        "--no-email",
    ]);
    // Not a terminal: plain progress lines on stderr, the last one at the end.
    let progress = text(&out.stderr);
    assert!(
        progress.contains(&format!("{rows}/{rows} rows")),
        "{progress}"
    );
    let line = ok(out);
    eprintln!("{line}");
    assert!(line.contains(&format!("{rows} created")), "{line}");
    assert_eq!(t.count_customers(&CustomerQuery::default()).unwrap(), rows);
}

#[test]
fn a_100k_row_import_through_the_binary() {
    a_large_import(&Db::sqlite(), 100_000);
    if let Some(db) = Db::postgres() {
        a_large_import(&db, 100_000);
    }
}

#[test]
fn outbox_follow_prints_new_events_as_they_come_and_acks_them() {
    use std::io::BufRead;
    let db = Db::sqlite();
    let t = db.hub().create_tenant("T").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_memberkit"))
        .args([
            "--db",
            &db.target,
            "outbox",
            "--follow",
            "--ack",
            "--interval",
            "0.05",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    // Written after the command started: it arrives on the next poll.
    t.invite(Actor::System, NewInvite::new("later@example.com"))
        .unwrap();
    let line = lines.next().unwrap().unwrap();
    let event: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["kind"], "invite.created");
    assert_eq!(event["tenant_id"], t.id().to_string());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !t.outbox(10).unwrap().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        t.outbox(10).unwrap().is_empty(),
        "acknowledged once printed"
    );
}
