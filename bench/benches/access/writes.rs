//! Writes: single grants per second beside the same rows written by hand, invite + claim pairs
//! per second, and an import's rows per second with how long it makes another writer wait.

use memberkit::*;
use memberkit_bench::Size;
use memberkit_open::OpenHub;
use rusqlite::{params, Connection};
use std::time::{Duration, Instant};

/// Prints the write figures, on a fresh file of their own (the read dataset stays as built).
pub fn compare(size: &Size) {
    let (grants, import_rows) = match size.name {
        "full" => (4_000, 100_000),
        "quick" => (2_000, 20_000),
        _ => (100, 1_000),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("writes.db");
    let hub = Hub::open(&path).unwrap();
    let t = hub.create_tenant("Writes").unwrap();
    let host = Actor::System;
    let course = |name: &str| {
        let new = NewProduct::paid(name, ProductKind::Course);
        t.create_product(host, new).unwrap().id
    };
    let (ours_product, theirs_product) = (course("A"), course("B"));
    let members = members(&t, grants);

    // Single grants: memberkit's call (checks, grant, audit entry, outbox event, one
    // transaction each) against the same three rows inserted by hand in one transaction each.
    // By hand as carefully as memberkit's writer: WAL is already on in the file; the same
    // synchronous level and immediate write transactions.
    let conn = Connection::open(&path).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute_batch("PRAGMA synchronous = NORMAL").unwrap();
    let mut ours = Duration::ZERO;
    let mut theirs = Duration::ZERO;
    for (turn, chunk) in members.chunks(250).enumerate() {
        let mut run_ours = || {
            let started = Instant::now();
            for &m in chunk {
                t.grant(host, m, ours_product, GrantOptions::default())
                    .unwrap();
            }
            ours += started.elapsed();
        };
        let mut run_theirs = || {
            let started = Instant::now();
            for &m in chunk {
                grant_by_hand(&conn, t.id(), m, theirs_product);
            }
            theirs += started.elapsed();
        };
        if turn % 2 == 0 {
            run_ours();
            run_theirs();
        } else {
            run_theirs();
            run_ours();
        }
    }
    let rate = |d: Duration| members.len() as f64 / d.as_secs_f64();
    println!(
        "grant, one per transaction: memberkit {:.0}/s | the same rows by hand {:.0}/s ({:.2}x the \
         hand-written rate)",
        rate(ours),
        rate(theirs),
        rate(ours) / rate(theirs)
    );

    // Invite + claim: the sign-up path.
    let pairs = grants / 4;
    let started = Instant::now();
    for i in 0..pairs {
        let email = format!("p{i}@claim.example");
        t.invite(host, NewInvite::new(&email).product(ours_product))
            .unwrap();
        assert_eq!(hub.claim(&email).unwrap().len(), 1);
    }
    println!(
        "invite + claim: {:.0} pairs/s",
        pairs as f64 / started.elapsed().as_secs_f64()
    );

    for (atomic, how) in [(None, "chunked, the default"), (Some(true), "atomic")] {
        let Beside {
            elapsed,
            longest,
            writes,
        } = import_beside_a_writer(&t, import_rows, atomic);
        println!(
            "import {import_rows} rows (grant mode, {how}): {:.2} s = {:.0} rows/s; a writer in \
             the same tenant did {writes} writes and waited at most {:.0} ms (target for the \
             default: at most 1000 ms)",
            elapsed.as_secs_f64(),
            import_rows as f64 / elapsed.as_secs_f64(),
            longest.as_secs_f64() * 1000.0
        );
    }
}

fn members(t: &Tenant, n: usize) -> Vec<MemberId> {
    let csv: String = std::iter::once("email".to_string())
        .chain((0..n).map(|i| format!("w{i}@writes.example")))
        .collect::<Vec<_>>()
        .join("\n");
    let options = ImportOptions {
        mode: ImportMode::Grant,
        notify: Some(false),
        ..Default::default()
    };
    let report = t
        .import_customers(Actor::System, ImportSource::Csv(&csv), &options)
        .unwrap();
    report.rows.iter().filter_map(|r| r.member_id).collect()
}

/// The rows memberkit writes for one grant, by hand: the grant, its audit entry and its outbox
/// event, in one transaction.
fn grant_by_hand(conn: &Connection, t: TenantId, m: MemberId, p: ProductId) {
    let now = to_unix_micros(memberkit::time::OffsetDateTime::now_utc());
    let payload = format!(r#"{{"member_id":"{m}","product_id":"{p}","source":"manual"}}"#);
    let run = |sql: &str| conn.prepare_cached(sql).unwrap().execute([]).unwrap();
    run("BEGIN IMMEDIATE");
    let tx = conn;
    tx.prepare_cached(
        "INSERT INTO grants (tenant_id, id, member_id, product_id, source, granted_by, granted_at)
         VALUES (?1, ?2, ?3, ?4, 'manual', 'system', ?5)",
    )
    .unwrap()
    .execute(params![
        t.as_uuid(),
        uuid::Uuid::now_v7(),
        m.as_uuid(),
        p.as_uuid(),
        now
    ])
    .unwrap();
    tx.prepare_cached(
        "INSERT INTO audit_log (tenant_id, id, at, actor, action, subject, details)
         VALUES (?1, ?2, ?3, 'system', 'access.granted', ?4, ?5)",
    )
    .unwrap()
    .execute(params![
        t.as_uuid(),
        uuid::Uuid::now_v7(),
        now,
        m.to_string(),
        payload
    ])
    .unwrap();
    tx.prepare_cached(
        "INSERT INTO outbox (tenant_id, id, kind, payload, created_at)
         VALUES (?1, ?2, 'access.granted', ?3, ?4)",
    )
    .unwrap()
    .execute(params![t.as_uuid(), uuid::Uuid::now_v7(), payload, now])
    .unwrap();
    run("COMMIT");
}

/// How an import went while a writer in the same tenant kept writing.
pub struct Beside {
    /// How long the import took.
    pub elapsed: Duration,
    /// The other writer's longest wait for one write.
    pub longest: Duration,
    /// How many writes the other writer made meanwhile.
    pub writes: usize,
}

/// Imports `rows` customers (grant mode, one product; `atomic` as the import option) while a
/// writer in the same tenant grants and revokes in a loop, as the rest of a live site keeps
/// writing.
pub fn import_beside_a_writer(t: &Tenant, rows: usize, atomic: Option<bool>) -> Beside {
    let other = t;
    // Each run imports people of its own.
    let run = if atomic == Some(true) {
        "atomic"
    } else {
        "chunked"
    };
    let product = other
        .create_product(
            Actor::System,
            NewProduct::paid(format!("P {run}"), ProductKind::Course),
        )
        .unwrap()
        .id;
    let member = other
        .add_customer(
            Actor::System,
            NewCustomer::new(format!("busy-{run}@meanwhile.example")),
        )
        .unwrap()
        .member
        .id;
    let product_for_import = t
        .create_product(
            Actor::System,
            NewProduct::paid(format!("Imported {run}"), ProductKind::Course),
        )
        .unwrap()
        .id;
    let csv: String = std::iter::once("name,email".to_string())
        .chain((0..rows).map(|i| format!("Person {i},i{i}-{run}@import.example")))
        .collect::<Vec<_>>()
        .join("\n");
    let done = std::sync::atomic::AtomicBool::new(false);
    let (elapsed, (longest, writes)) = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut longest = Duration::ZERO;
            let mut writes = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let started = Instant::now();
                if writes % 2 == 0 {
                    other
                        .grant(Actor::System, member, product, GrantOptions::default())
                        .unwrap();
                } else {
                    other.revoke(Actor::System, member, product).unwrap();
                }
                longest = longest.max(started.elapsed());
                writes += 1;
                std::thread::sleep(Duration::from_millis(2));
            }
            (longest, writes)
        });
        let started = Instant::now();
        let options = ImportOptions {
            products: vec![product_for_import],
            mode: ImportMode::Grant,
            atomic,
            ..Default::default()
        };
        let report = t
            .import_customers(Actor::System, ImportSource::Csv(&csv), &options)
            .unwrap();
        assert_eq!(report.count(ImportOutcome::Created), rows);
        let elapsed = started.elapsed();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (elapsed, writer.join().unwrap())
    });
    Beside {
        elapsed,
        longest,
        writes,
    }
}
