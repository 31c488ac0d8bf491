//! The same figures on PostgreSQL, each beside the same work written by hand with the
//! `postgres` crate on the same database: has_access, can, search, single grants and an import.
//! Runs when a server is given (`MEMBERKIT_BENCH_POSTGRES`, or the tests' server).

use crate::writes::import_beside_a_writer;
use crate::{interleave, Figures};
use memberkit::time::OffsetDateTime;
use memberkit::*;
use memberkit_bench::{pg_dataset, url_with_schema, Population, Size};
use memberkit_open::OpenHub;
use postgres::{Client, NoTls, Statement};
use std::time::{Duration, Instant};

/// The statement memberkit's PostgreSQL store runs for has_access, written out by hand.
pub(crate) const ACCESS_SQL: &str =
    "SELECT 0, m.status, p.paid, p.archived, g.product_id IS NOT NULL, g.expires_at, g.starts_at
     FROM members m
     JOIN products p ON p.tenant_id = m.tenant_id AND p.id = $3
     LEFT JOIN grants g ON g.tenant_id = m.tenant_id AND g.member_id = m.id
          AND g.product_id = p.id AND g.revoked_at IS NULL
     WHERE m.tenant_id = $1 AND m.id = $2
     UNION ALL
     SELECT 1, NULL, NULL, NULL, true, g.expires_at, g.starts_at
     FROM bundle_items b
     JOIN grants g ON g.tenant_id = b.tenant_id AND g.member_id = $2
          AND g.product_id = b.bundle_id AND g.revoked_at IS NULL
     WHERE b.tenant_id = $1 AND b.product_id = $3";

/// The floor: the one grant row, by its unique index.
const GRANT_ROW_SQL: &str = "SELECT expires_at FROM grants
     WHERE tenant_id = $1 AND member_id = $2 AND product_id = $3 AND revoked_at IS NULL";

/// A name search as a developer with pg_trgm writes it: the newest 50 matches in the tenant.
const SEARCH_SQL: &str = "SELECT id, email, name FROM members
     WHERE tenant_id = $1 AND search_text LIKE $2 ORDER BY seq DESC LIMIT 50";

/// The paid products the page's members hold now, as a developer adds them to each row (what
/// memberkit's list rows carry), after [`SEARCH_SQL`].
const PAGE_PRODUCTS_SQL: &str = "SELECT g.member_id, p.id, p.name FROM grants g
     JOIN products p ON p.tenant_id = g.tenant_id AND p.id = g.product_id
     WHERE g.tenant_id = $1 AND g.member_id = ANY($2) AND g.revoked_at IS NULL
       AND (g.expires_at IS NULL OR g.expires_at > now())
       AND (g.starts_at IS NULL OR g.starts_at <= now()) AND p.paid";

/// `can` written by hand: the member's status, role, and a custom role's permissions.
pub(crate) const CAN_SQL: [&str; 3] = [
    "SELECT status FROM members WHERE tenant_id = $1 AND id = $2",
    "SELECT role FROM role_assignments
     WHERE tenant_id = $1 AND member_id = $2
       AND workspace_id = '00000000-0000-0000-0000-000000000000'",
    "SELECT permissions FROM custom_roles WHERE tenant_id = $1 AND id = $2::text::uuid",
];

/// memberkit's own figures from one server, for the comparison between servers.
pub struct Summary {
    /// `has_access` p50 (µs).
    pub has_access: f64,
    /// `can` p50 (µs).
    pub can: f64,
    /// Single grants per second.
    pub grants: f64,
    /// Import rows per second.
    pub import: f64,
    /// The hub's URL on the dataset.
    pub url: String,
}

/// The figures on `server`, each line starting with `label` (`postgres`, `citus`).
pub fn compare(size: &Size, label: &str, server: &str) -> Summary {
    let url = pg_dataset(server, size);
    let pop = Population::read_pg(&url);
    println!(
        "{label}: same dataset shape ({} members in the large tenant), a raw `postgres` client \
         beside memberkit on the same database:",
        pop.members.len()
    );
    let hub = Hub::open(&url).unwrap();
    let tenant = hub.tenant(pop.tenant).unwrap();
    let mut client = Client::connect(&url, NoTls).unwrap();
    let access = client.prepare(ACCESS_SQL).unwrap();
    let grant_row = client.prepare(GRANT_ROW_SQL).unwrap();

    for (m, p) in pop.pairs(2_000, 7) {
        let hand = by_hand_access(&mut client, &access, pop.tenant, m, p);
        assert_eq!(tenant.has_access(m, p).unwrap(), hand, "{m} {p}");
    }
    let samples = size.samples / 4; // every call is a network round trip
    let mut figures = Figures::default();
    for rep in 0..size.reps {
        let pairs = pop.pairs(samples, 0x9e37_79b9 + rep as u64);
        let t = pop.tenant;
        let client = std::cell::RefCell::new(&mut client);
        interleave(
            &mut figures,
            &pairs,
            vec![
                (
                    "memberkit",
                    Box::new(|&(m, p)| tenant.has_access(m, p).unwrap()),
                ),
                (
                    "by hand",
                    Box::new(|&(m, p)| by_hand_access(&mut client.borrow_mut(), &access, t, m, p)),
                ),
                (
                    "grant row",
                    Box::new(|&(m, p)| {
                        let row = client
                            .borrow_mut()
                            .query_opt(&grant_row, &[t.as_uuid(), m.as_uuid(), p.as_uuid()])
                            .unwrap();
                        row.is_some_and(|r| {
                            r.get::<_, Option<OffsetDateTime>>(0)
                                .is_none_or(|e| OffsetDateTime::now_utc() < e)
                        })
                    }),
                ),
            ],
        );
    }
    figures.print(
        &format!("{label} has_access"),
        "memberkit",
        &["by hand", "grant row"],
    );
    let has_access = figures.stat("memberkit").0;

    let mut figures = Figures::default();
    let can_sql = CAN_SQL.map(|sql| client.prepare(sql).unwrap());
    for rep in 0..size.reps {
        let perm = |i: usize| Permission::CATALOGUE[i % Permission::CATALOGUE.len()].clone();
        let asks: Vec<(MemberId, Permission)> = pop
            .pairs(samples, 0x51_7cc1 + rep as u64)
            .into_iter()
            .enumerate()
            .map(|(i, (m, _))| (m, perm(i)))
            .collect();
        let t = *pop.tenant.as_uuid();
        let client = std::cell::RefCell::new(&mut client);
        interleave(
            &mut figures,
            &asks,
            vec![
                (
                    "memberkit",
                    Box::new(|(m, p)| tenant.can(*m, p, None).unwrap()),
                ),
                (
                    "by hand",
                    Box::new(|(m, p)| can_by_hand(&mut client.borrow_mut(), &can_sql, t, *m, p)),
                ),
            ],
        );
    }
    figures.print(&format!("{label} can"), "memberkit", &["by hand"]);
    let can = figures.stat("memberkit").0;

    search(size, label, &mut client, &tenant, &pop);
    let (grants, import) = writes(size, label, server);
    Summary {
        has_access,
        can,
        grants,
        import,
        url,
    }
}

pub(crate) fn by_hand_access(
    client: &mut Client,
    stmt: &Statement,
    t: TenantId,
    m: MemberId,
    p: ProductId,
) -> bool {
    let rows = client
        .query(stmt, &[t.as_uuid(), m.as_uuid(), p.as_uuid()])
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let (mut facts, mut granted) = (None, false);
    for row in &rows {
        let (has_grant, expires, starts): (bool, Option<OffsetDateTime>, Option<OffsetDateTime>) =
            (row.get(4), row.get(5), row.get(6));
        granted |= has_grant && expires.is_none_or(|e| now < e) && starts.is_none_or(|s| s <= now);
        if row.get::<_, i32>(0) == 0 {
            facts = Some((
                row.get::<_, String>(1),
                row.get::<_, bool>(2),
                row.get::<_, bool>(3),
            ));
        }
    }
    match facts {
        Some((status, false, archived)) if status == "active" => !archived,
        Some((status, true, _)) if status == "active" => granted,
        _ => false,
    }
}

pub(crate) fn can_by_hand(
    client: &mut Client,
    [status, role, custom]: &[Statement; 3],
    t: uuid::Uuid,
    m: MemberId,
    perm: &Permission,
) -> bool {
    let status = client.query_opt(status, &[&t, m.as_uuid()]).unwrap();
    if status.is_none_or(|r| r.get::<_, &str>(0) != "active") {
        return false;
    }
    let role = client.query_opt(role, &[&t, m.as_uuid()]).unwrap();
    match role.as_ref().map(|r| r.get::<_, &str>(0)) {
        Some("admin") => true,
        Some("member") => !["pricing", "payment", "users.manage"].contains(&perm.as_str()),
        Some("customer") | None => false,
        Some(id) => client
            .query_opt(custom, &[&t, &id])
            .unwrap()
            .is_some_and(|r| {
                r.get::<_, Vec<String>>(0)
                    .iter()
                    .any(|p| p == perm.as_str())
            }),
    }
}

/// A search box: "member 1234"-style terms, the newest 50 matches.
fn search(size: &Size, label: &str, client: &mut Client, tenant: &Tenant, pop: &Population) {
    let stmt = client.prepare(SEARCH_SQL).unwrap();
    let products_stmt = client.prepare(PAGE_PRODUCTS_SQL).unwrap();
    let terms: Vec<String> = (0..200)
        .map(|i| format!("member {}", (i * 7919) % pop.members.len()))
        .collect();
    for term in &terms[..20] {
        let ours = tenant
            .customers(&CustomerQuery {
                search: Some(term.clone()),
                limit: 50,
                ..Default::default()
            })
            .unwrap();
        let pattern = format!("%{term}%");
        let theirs = client
            .query(&stmt, &[pop.tenant.as_uuid(), &pattern])
            .unwrap();
        assert_eq!(ours.rows.len(), theirs.len(), "{term}");
    }
    let mut figures = Figures::default();
    for _ in 0..size.reps {
        let client = std::cell::RefCell::new(&mut *client);
        interleave(
            &mut figures,
            &terms,
            vec![
                (
                    "memberkit",
                    Box::new(|term: &String| {
                        let q = CustomerQuery {
                            search: Some(term.clone()),
                            limit: 50,
                            ..Default::default()
                        };
                        !tenant.customers(&q).unwrap().rows.is_empty()
                    }),
                ),
                (
                    "by hand",
                    Box::new(|term: &String| {
                        let pattern = format!("%{term}%");
                        let rows = client
                            .borrow_mut()
                            .query(&stmt, &[pop.tenant.as_uuid(), &pattern])
                            .unwrap();
                        !rows.is_empty()
                    }),
                ),
                (
                    "by hand with products",
                    Box::new(|term: &String| {
                        let pattern = format!("%{term}%");
                        let mut client = client.borrow_mut();
                        let rows = client
                            .query(&stmt, &[pop.tenant.as_uuid(), &pattern])
                            .unwrap();
                        let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.get(0)).collect();
                        let products = client
                            .query(&products_stmt, &[pop.tenant.as_uuid(), &ids])
                            .unwrap();
                        rows.len() + products.len() > 0
                    }),
                ),
            ],
        );
    }
    figures.print(
        &format!("{label} search (newest 50)"),
        "memberkit",
        &["by hand", "by hand with products"],
    );
}

/// Single grants and an import on a fresh schema, each beside the same rows written by hand;
/// memberkit's grants per second and import rows per second.
fn writes(size: &Size, label: &str, server: &str) -> (f64, f64) {
    let (grants, import_rows) = match size.name {
        "full" => (2_000, 100_000),
        "quick" => (1_000, 20_000),
        _ => (100, 1_000),
    };
    let schema = format!("memberkit_bench_writes_{}", std::process::id());
    let url = url_with_schema(server, &schema);
    let hub = Hub::open(&url).unwrap();
    let t = hub.create_tenant("Writes").unwrap();
    let host = Actor::System;
    let course = |name: &str| {
        let new = NewProduct::paid(name, ProductKind::Course);
        t.create_product(host, new).unwrap().id
    };
    let (ours_product, theirs_product) = (course("A"), course("B"));
    let csv: String = std::iter::once("email".to_string())
        .chain((0..grants).map(|i| format!("w{i}@writes.example")))
        .collect::<Vec<_>>()
        .join("\n");
    let options = ImportOptions {
        mode: ImportMode::Grant,
        notify: Some(false),
        ..Default::default()
    };
    let members: Vec<MemberId> = t
        .import_customers(host, ImportSource::Csv(&csv), &options)
        .unwrap()
        .rows
        .iter()
        .filter_map(|r| r.member_id)
        .collect();
    let mut client = Client::connect(&url, NoTls).unwrap();
    let (mut ours, mut theirs) = (Duration::ZERO, Duration::ZERO);
    for (turn, chunk) in members.chunks(100).enumerate() {
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
                grant_by_hand(&mut client, t.id(), m, theirs_product);
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
    let grant_rate = rate(ours);
    println!(
        "{label} grant, one per transaction: memberkit {:.0}/s | the same rows by hand {:.0}/s \
         ({:.2}x the hand-written rate)",
        rate(ours),
        rate(theirs),
        rate(ours) / rate(theirs)
    );

    // An import (grant mode, one product) while another tenant keeps writing, against the
    // member, role and grant rows inserted by hand with the same bulk statements.
    let retried_before = memberkit_postgres::retried_transactions();
    let beside = import_beside_a_writer(&t, import_rows, None);
    let retried = memberkit_postgres::retried_transactions() - retried_before;
    let (ours, longest, writes) = (beside.elapsed, beside.longest, beside.writes);
    let product = course("By hand");
    let started = Instant::now();
    import_by_hand(&mut client, t.id(), product, import_rows);
    let theirs = started.elapsed();
    let rate = |d: Duration| import_rows as f64 / d.as_secs_f64();
    let import_rate = rate(ours);
    println!(
        "{label} import {import_rows} rows (grant mode): memberkit {:.0} rows/s | member, role \
         and grant rows by hand {:.0} rows/s ({:.2}x the hand-written rate; memberkit also \
         parses, validates, dedupes and writes audit and outbox rows)",
        rate(ours),
        rate(theirs),
        rate(ours) / rate(theirs)
    );
    println!(
        "  a writer in the same tenant beside that import did {writes} writes and waited at most \
         {:.0} ms; {retried} transactions were retried inside the store",
        longest.as_secs_f64() * 1000.0
    );
    drop(hub);
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
    (grant_rate, import_rate)
}

/// The rows memberkit writes for one grant, by hand: the grant, its audit entry and its outbox
/// event, in one transaction.
fn grant_by_hand(client: &mut Client, t: TenantId, m: MemberId, p: ProductId) {
    let now = OffsetDateTime::now_utc();
    let payload = serde_json_payload(m, p);
    let mut tx = client.transaction().unwrap();
    let (t, m, p) = (t.as_uuid(), m.as_uuid(), p.as_uuid());
    tx.execute(
        "INSERT INTO grants (tenant_id, id, member_id, product_id, source, granted_by, granted_at)
         VALUES ($1, $2, $3, $4, 'manual', 'system', $5)",
        &[t, &uuid::Uuid::now_v7(), m, p, &now],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO audit_log (tenant_id, id, at, actor, action, subject, details)
         VALUES ($1, $2, $3, 'system', 'access.granted', $4, $5::text::jsonb)",
        &[t, &uuid::Uuid::now_v7(), &now, &m.to_string(), &payload],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO outbox (tenant_id, id, kind, payload, created_at)
         VALUES ($1, $2, 'access.granted', $3::text::jsonb, $4)",
        &[t, &uuid::Uuid::now_v7(), &payload, &now],
    )
    .unwrap();
    tx.commit().unwrap();
}

fn serde_json_payload(m: MemberId, p: ProductId) -> String {
    format!(r#"{{"member_id":"{m}","product_id":"{p}","source":"manual"}}"#)
}

fn import_by_hand(client: &mut Client, t: TenantId, product: ProductId, rows: usize) {
    let now = OffsetDateTime::now_utc();
    let ids: Vec<uuid::Uuid> = (0..rows).map(|_| uuid::Uuid::now_v7()).collect();
    let emails: Vec<String> = (0..rows).map(|i| format!("h{i}@import.example")).collect();
    let names: Vec<String> = (0..rows).map(|i| format!("Person {i}")).collect();
    let texts: Vec<String> = names
        .iter()
        .zip(&emails)
        .map(|(n, e)| format!("{} {e}", n.to_lowercase()))
        .collect();
    let sort: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let grant_ids: Vec<uuid::Uuid> = (0..rows).map(|_| uuid::Uuid::now_v7()).collect();
    let mut tx = client.transaction().unwrap();
    tx.execute(
        "INSERT INTO members (tenant_id, id, email, email_key, name, status, created_at,
             updated_at, search_text, sort_name)
         SELECT $1, id, e, e, n, 'active', $5, $5, s, o
         FROM unnest($2::uuid[], $3::text[], $4::text[], $6::text[], $7::text[])
             AS x (id, e, n, s, o)",
        &[t.as_uuid(), &ids, &emails, &names, &now, &texts, &sort],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO role_assignments (tenant_id, member_id, workspace_id, role)
         SELECT $1, id, '00000000-0000-0000-0000-000000000000', 'customer'
         FROM unnest($2::uuid[]) AS x (id)",
        &[t.as_uuid(), &ids],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO grants (tenant_id, id, member_id, product_id, source, granted_by, granted_at)
         SELECT $1, g, m, $4, 'import', 'system', $5 FROM unnest($2::uuid[], $3::uuid[]) AS x (g, m)",
        &[t.as_uuid(), &grant_ids, &ids, product.as_uuid(), &now],
    )
    .unwrap();
    tx.commit().unwrap();
}
