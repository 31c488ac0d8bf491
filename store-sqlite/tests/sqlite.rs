//! What the SQLite store promises: WAL, tracked migrations, durability, concurrent readers.

mod common;
use common::*;
use memberkit::*;
use memberkit_sqlite::{SqliteStore, SCHEMA_VERSION};
use std::sync::Arc;

#[test]
fn the_file_is_in_wal_mode_and_records_its_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let applied: Vec<i64> = conn
        .prepare("SELECT version FROM memberkit_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        applied,
        (1..=SCHEMA_VERSION).collect::<Vec<_>>(),
        "each once, in order"
    );
    drop(conn);
    // Reopening applies nothing twice.
    assert_eq!(
        SqliteStore::open(&path).unwrap().schema_version().unwrap(),
        SCHEMA_VERSION
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM memberkit_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(rows, SCHEMA_VERSION);
}

#[test]
fn a_newer_schema_is_refused_with_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO memberkit_migrations VALUES (99, 'future', 0)",
        [],
    )
    .unwrap();
    drop(conn);
    assert_eq!(
        SqliteStore::open(&path).unwrap_err().code().as_str(),
        "storage"
    );
}

#[test]
fn data_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let (tenant_id, member, product) = {
        let hub = Hub::new(SqliteStore::open(&path).unwrap());
        let t = hub.create_tenant("T").unwrap();
        let p = t
            .create_product(Actor::System, NewProduct::paid("P", ProductKind::Course))
            .unwrap();
        let m = t
            .add_customer(
                Actor::System,
                NewCustomer::new("a@example.com").product(p.id),
            )
            .unwrap();
        (t.id(), m.member, p.id)
    };
    let hub = Hub::new(SqliteStore::open(&path).unwrap());
    let t = hub.tenant(tenant_id).unwrap();
    assert_eq!(
        t.member(member.id).unwrap(),
        member,
        "every field round-trips"
    );
    assert!(t.has_access(member.id, product).unwrap());
    assert_eq!(t.info().unwrap().name, "T");
}

#[test]
fn readers_on_several_threads_work_while_a_writer_writes() {
    let f = Fixture::new();
    let course = f.course("C");
    let members: Vec<MemberId> = (0..20)
        .map(|i| f.customer(&format!("m{i}@example.com"), &[course.id]).id)
        .collect();
    let tenant = Arc::new(f.tenant.clone());
    let writer = {
        let t = tenant.clone();
        std::thread::spawn(move || {
            for i in 0..50 {
                t.add_customer(Actor::System, NewCustomer::new(format!("w{i}@example.com")))
                    .unwrap();
            }
        })
    };
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (t, ms) = (tenant.clone(), members.clone());
            std::thread::spawn(move || {
                for _ in 0..50 {
                    for m in &ms {
                        assert!(t.has_access(*m, course.id).unwrap());
                    }
                }
            })
        })
        .collect();
    writer.join().unwrap();
    for r in readers {
        r.join().unwrap();
    }
    assert!(f
        .tenant
        .member_by_email("w49@example.com")
        .unwrap()
        .is_some());
}

#[test]
fn two_hubs_on_one_file_see_each_others_writes() {
    let f = Fixture::new();
    let second = Hub::new(SqliteStore::open(f.dir.path().join("hub.db")).unwrap());
    let course = f.course("C");
    let m = f.customer("a@example.com", &[course.id]);
    let t2 = second.tenant(f.tenant.id()).unwrap();
    assert!(t2.has_access(m.id, course.id).unwrap());
    t2.revoke(Actor::System, m.id, course.id).unwrap();
    assert!(!f.tenant.has_access(m.id, course.id).unwrap());
}

#[test]
fn the_bundled_sqlite_has_fts5_trigram() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram'); INSERT INTO t VALUES ('Zoë Müller zoe@example.com');").unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM t WHERE t MATCH '\"müll\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn pending_invites_survive_the_move_to_one_pending_invite_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let (tenant, product) = {
        let hub = Hub::new(SqliteStore::open(&path).unwrap());
        let t = hub.create_tenant("Before").unwrap();
        let p = t
            .create_product(Actor::System, NewProduct::paid("A", ProductKind::Course))
            .unwrap();
        t.invite(
            Actor::System,
            NewInvite::new("kim@example.com").product(p.id),
        )
        .unwrap();
        (t.id(), p.id)
    };
    // Put the file back to schema 3: the two indexes migration 4 replaces.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP INDEX invites_pending_by_email;
         CREATE UNIQUE INDEX invites_pending ON invites (tenant_id, email_key)
             WHERE status = 'pending';
         CREATE INDEX invites_pending_everywhere ON invites (email_key) WHERE status = 'pending';",
    )
    .unwrap();
    rewind_to(&conn, 3);
    drop(conn);

    let hub = Hub::new(SqliteStore::open(&path).unwrap());
    let t = hub.tenant(tenant).unwrap();
    // Still one pending invite per email per tenant: a second one merges into it.
    t.invite(Actor::System, NewInvite::new("KIM@example.com"))
        .unwrap();
    assert_eq!(t.invites(Some(InviteStatus::Pending)).unwrap().len(), 1);
    let claimed = hub.claim("kim@example.com").unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(t.has_access(claimed[0].member.id, product).unwrap());
    drop(hub);

    // Both lookups (within a tenant, and hub-wide on sign-up) use the one index.
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        "SELECT id FROM invites WHERE tenant_id = x'00' AND email_key = 'k' AND status = 'pending'",
        "SELECT id FROM invites WHERE email_key = 'k' AND status = 'pending' AND expires_at > 0",
    ] {
        let plan: String = conn
            .query_row(&format!("EXPLAIN QUERY PLAN {sql}"), [], |r| r.get(3))
            .unwrap();
        assert!(plan.contains("invites_pending_by_email"), "{sql}: {plan}");
    }
}

#[test]
fn schema_15_counts_the_members_a_file_already_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let tenant = {
        let hub = Hub::new(SqliteStore::open(&path).unwrap());
        let t = hub.create_tenant("Before").unwrap();
        for email in ["a@x.com", "b@x.com", "c@x.com"] {
            t.add_customer(Actor::System, NewCustomer::new(email))
                .unwrap();
        }
        t.invite(Actor::System, NewInvite::new("d@x.com")).unwrap();
        let c = t.member_by_email("c@x.com").unwrap().unwrap();
        t.deactivate(Actor::System, c.id).unwrap();
        t.id()
    };
    let conn = rusqlite::Connection::open(&path).unwrap();
    rewind_to(&conn, 14);
    drop(conn);

    let hub = Hub::new(SqliteStore::open(&path).unwrap());
    let t = hub.tenant(tenant).unwrap();
    let count = |status| {
        t.count_customers(&CustomerQuery {
            status,
            ..Default::default()
        })
        .unwrap()
    };
    assert_eq!(count(None), 4);
    assert_eq!(count(Some(MemberStatus::Active)), 2);
    assert_eq!(count(Some(MemberStatus::Invited)), 1);
    assert_eq!(count(Some(MemberStatus::Deactivated)), 1);
    t.add_customer(Actor::System, NewCustomer::new("e@x.com"))
        .unwrap();
    assert_eq!(count(None), 5);
}

#[test]
fn schema_5_rekeys_emails_that_full_case_folding_had_merged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let tenant = {
        let hub = Hub::new(SqliteStore::open(&path).unwrap());
        let t = hub.create_tenant("Before").unwrap();
        t.add_customer(Actor::System, NewCustomer::new("Straße@x.de"))
            .unwrap();
        t.invite(Actor::System, NewInvite::new("ſales@x.com"))
            .unwrap();
        t.id()
    };
    // Put the keys back the way schema 4 folded them.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE members SET email_key = 'strasse@x.de' WHERE email = 'Straße@x.de';
         UPDATE members SET email_key = 'sales@x.com' WHERE email = 'ſales@x.com';
         UPDATE invites SET email_key = 'sales@x.com' WHERE email = 'ſales@x.com';",
    )
    .unwrap();
    rewind_to(&conn, 4);
    drop(conn);

    let hub = Hub::new(SqliteStore::open(&path).unwrap());
    let t = hub.tenant(tenant).unwrap();
    assert!(t.member_by_email("strasse@x.de").unwrap().is_none());
    assert_eq!(
        t.member_by_email("STRAßE@x.de").unwrap().unwrap().email,
        "Straße@x.de"
    );
    assert!(
        hub.claim("sales@x.com").unwrap().is_empty(),
        "sales@ is someone else"
    );
    assert_eq!(hub.claim("ſales@x.com").unwrap().len(), 1);
}

#[test]
fn try_has_access_answers_inline_unless_it_would_wait_for_a_write() {
    use std::sync::{mpsc, Arc};
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path().join("hub.db"), ":memory:".into()] {
        let hub = Hub::new(SqliteStore::open(&path).unwrap());
        let t = hub.create_tenant("T").unwrap();
        let course = t
            .create_product(Actor::System, NewProduct::paid("C", ProductKind::Course))
            .unwrap();
        let new = NewCustomer::new("ada@x.com").product(course.id);
        let ada = t.add_customer(Actor::System, new).unwrap().member.id;
        assert!(t.try_has_access(ada, course.id).unwrap().unwrap());
        // Unknown ids are left to has_access, which says which one is unknown.
        assert!(t.try_has_access(MemberId::new(), course.id).is_none());

        // A write is open on another thread (an atomic import paused in its progress callback,
        // which runs inside its transaction).
        let (inside_tx, inside) = mpsc::channel();
        let (release_tx, release) = mpsc::channel::<()>();
        let release = Arc::new(std::sync::Mutex::new(release));
        let writer = {
            let t = t.clone();
            std::thread::spawn(move || {
                let options = ImportOptions {
                    progress: Some(Arc::new(move |_, _| {
                        inside_tx.send(()).unwrap();
                        release.lock().unwrap().recv().unwrap();
                        Ok(())
                    })),
                    atomic: Some(true),
                    ..Default::default()
                };
                t.import_customers(Actor::System, ImportSource::Pasted("b@x.com"), &options)
                    .unwrap();
            })
        };
        inside.recv().unwrap();
        let answer = t.try_has_access(ada, course.id);
        if path.to_str() == Some(":memory:") {
            assert!(answer.is_none(), "in memory it would wait for the write");
        } else {
            assert!(
                answer.unwrap().unwrap(),
                "file readers never wait for the writer"
            );
        }
        release_tx.send(()).unwrap();
        writer.join().unwrap();
        assert!(t.try_has_access(ada, course.id).unwrap().unwrap());
    }
}

/// Puts a file back to schema `version` for a migration test: undoes what the later migrations
/// created that reapplying them would clash with, and forgets that they ran, so reopening the
/// file applies them again. A new migration that creates objects adds its undo here, once.
/// (Migration 4's own undo and migration 5's old keys are each test's setup.)
fn rewind_to(conn: &rusqlite::Connection, version: i64) {
    const UNDO: &[(i64, &str)] = &[
        (
            6,
            "DROP INDEX members_access; DROP INDEX products_access; DROP INDEX grants_open_access;",
        ),
        (
            7,
            "ALTER TABLE tenants DROP COLUMN max_invite_lifetime_secs;
             ALTER TABLE invites DROP COLUMN lifetime_secs;
             ALTER TABLE invites DROP COLUMN message;",
        ),
        (8, "DROP TABLE invite_links;"),
        (
            9,
            "ALTER TABLE invites DROP COLUMN declined_at;
             DROP INDEX members_by_email_everywhere;",
        ),
        (
            10,
            "ALTER TABLE tenants DROP COLUMN seat_limit;
             ALTER TABLE workspaces DROP COLUMN seat_limit;",
        ),
        (
            11,
            "ALTER TABLE members DROP COLUMN metadata;
             ALTER TABLE invites DROP COLUMN metadata;
             ALTER TABLE products DROP COLUMN metadata;",
        ),
        (
            12,
            "DROP INDEX grants_open_access;
             DROP INDEX grants_by_expiry;
             DROP INDEX grants_by_start;
             DROP INDEX invites_pending_by_expiry;
             ALTER TABLE tenants DROP COLUMN swept_until;
             ALTER TABLE tenants DROP COLUMN expiry_reminders;
             ALTER TABLE grants DROP COLUMN starts_at;
             CREATE INDEX grants_open_access
                 ON grants (tenant_id, member_id, product_id, expires_at, revoked_at)
                 WHERE revoked_at IS NULL;",
        ),
        (13, "DROP TABLE bundle_items;"),
        (
            14,
            "DROP TABLE workspace_domains; ALTER TABLE invites DROP COLUMN suggested;",
        ),
        (15, "DROP TABLE member_counts;"),
    ];
    for (later, sql) in UNDO.iter().rev() {
        if *later > version {
            conn.execute_batch(sql).unwrap();
        }
    }
    conn.execute(
        "DELETE FROM memberkit_migrations WHERE version > ?1",
        [version],
    )
    .unwrap();
}

/// Another process holding the write lock longer than SQLite's 5 s busy timeout (a large
/// import) makes a write wait, never fail with "database is locked".
#[test]
fn a_write_waits_out_a_lock_held_longer_than_the_busy_timeout() {
    let f = Fixture::new();
    let course = f.course("C");
    let m = f.customer("a@example.com", &[]);
    let holder = rusqlite::Connection::open(f.path()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(5600));
        holder.execute_batch("COMMIT").unwrap();
    });
    let started = std::time::Instant::now();
    f.tenant
        .grant(Actor::System, m.id, course.id, GrantOptions::default())
        .unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(5500));
    release.join().unwrap();
    assert!(f.tenant.has_access(m.id, course.id).unwrap());
}
