//! has_access and can beside the same questions answered by hand on the same file.
//!
//! `cargo bench -p memberkit-bench` (full: 199k members, 100 tenants), `-- --quick` (under a
//! minute once the dataset is cached), and `cargo test` runs a smoke pass. Every figure is the
//! median over interleaved repetitions; each memberkit figure is printed beside its baseline and
//! the ratio.

mod casbin_policy;
mod console_page;
mod languages;
mod mixed;
mod postgres;
mod search;
mod servers;
mod worker_reads;
mod writes;

use memberkit::*;
use memberkit_bench::{dataset, median, percentile, Population, Size};
use memberkit_open::OpenHub;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Statement, StatementStatus};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The statement memberkit's SQLite store runs for has_access, written out by hand.
const ACCESS_SQL: &str =
    "SELECT 0, m.status, p.paid, p.archived, g.product_id IS NOT NULL, g.expires_at, g.starts_at
     FROM members m INDEXED BY members_access
     JOIN products p INDEXED BY products_access ON p.tenant_id = m.tenant_id AND p.id = ?3
     LEFT JOIN grants g INDEXED BY grants_open_access ON g.tenant_id = m.tenant_id
          AND g.member_id = m.id AND g.product_id = p.id AND g.revoked_at IS NULL
     WHERE m.tenant_id = ?1 AND m.id = ?2
     UNION ALL
     SELECT 1, NULL, NULL, NULL, 1, g.expires_at, g.starts_at
     FROM bundle_items b
     JOIN grants g INDEXED BY grants_open_access ON g.tenant_id = b.tenant_id
          AND g.member_id = ?2 AND g.product_id = b.bundle_id AND g.revoked_at IS NULL
     WHERE b.tenant_id = ?1 AND b.product_id = ?3";

/// The floor: the one grant row, by its unique index.
const GRANT_ROW_SQL: &str = "SELECT expires_at FROM grants
     WHERE tenant_id = ?1 AND member_id = ?2 AND product_id = ?3 AND revoked_at IS NULL";

fn main() {
    let size = Size::from_args();
    // `-- --quick --servers`: only the PostgreSQL and Citus figures (no SQLite, no languages).
    if std::env::args().any(|a| a == "--servers") {
        return servers::compare(&size);
    }
    let path = dataset(&size);
    let pop = Population::read(&path);
    println!(
        "dataset {}: {} tenants, large tenant {} members and {} products; {} calls x {} reps",
        size.name,
        size.tenants,
        pop.members.len(),
        pop.products.len(),
        size.samples,
        size.reps
    );
    let hub = Hub::open(&path).expect("open the dataset");
    let tenant = hub.tenant(pop.tenant).unwrap();
    let hand = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut access_stmt = hand.prepare(ACCESS_SQL).unwrap();
    let mut grant_stmt = hand.prepare(GRANT_ROW_SQL).unwrap();

    agree(&tenant, &pop, &mut access_stmt);

    let mut figures = Figures::default();
    for rep in 0..size.reps {
        let pairs = pop.pairs(size.samples, 0x9e37_79b9 + rep as u64);
        let t = pop.tenant;
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
                    Box::new(|&(m, p)| by_hand_access(&mut access_stmt, t, m, p)),
                ),
                (
                    "grant row",
                    Box::new(|&(m, p)| grant_row(&mut grant_stmt, t, m, p)),
                ),
            ],
        );
    }
    figures.print("has_access", "memberkit", &["by hand", "grant row"]);
    println!(
        "  (re-prepares during the run: memberkit's statement is checked by a test; the \
         hand-written one: {})",
        access_stmt.get_status(StatementStatus::RePrepare)
    );

    casbin(&size, &pop, &tenant, &hand);

    let mut figures = Figures::default();
    let mut can_by_hand = CanByHand::new(&hand);
    for rep in 0..size.reps {
        let asks = pop.pairs(size.samples, 0x51_7cc1 + rep as u64);
        let perm = |i: usize| Permission::CATALOGUE[i % Permission::CATALOGUE.len()].clone();
        let asks: Vec<(MemberId, Permission)> = asks
            .into_iter()
            .enumerate()
            .map(|(i, (m, _))| (m, perm(i)))
            .collect();
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
                    Box::new(|(m, p)| can_by_hand.can(pop.tenant, *m, p)),
                ),
            ],
        );
    }
    figures.print("can", "memberkit", &["by hand"]);

    search::compare(&size, &hand, &tenant, &pop);
    console_page::compare(&size, &hub, &tenant, &pop);
    threads(&size, &path, &pop, &tenant);
    languages::compare(&size, &path);
    writes::compare(&size);
    servers::compare(&size);
}

/// has_access against casbin-rs `enforce` on the equivalent policy, which casbin holds in
/// memory (loaded once from the same file).
fn casbin(size: &Size, pop: &Population, tenant: &Tenant, conn: &Connection) {
    let started = Instant::now();
    let (enforcer, rules) = casbin_policy::enforcer(conn, pop.tenant);
    println!(
        "casbin-rs: {rules} policy and grouping rules loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let dom = pop.tenant.to_string();
    // A host using casbin holds ids as strings: they are made before the clock starts.
    let with_strings = |pairs: Vec<(MemberId, ProductId)>| -> Vec<_> {
        pairs
            .into_iter()
            .map(|(m, p)| (m, p, m.to_string(), p.to_string()))
            .collect()
    };
    for (m, p, ms, ps) in with_strings(pop.pairs(2_000, 11)) {
        let ours = tenant.has_access(m, p).unwrap();
        assert_eq!(
            ours,
            casbin_policy::enforce(&enforcer, &dom, &ms, &ps),
            "{m} {p}"
        );
    }
    let mut figures = Figures::default();
    for rep in 0..size.reps {
        let inputs = with_strings(pop.pairs(size.samples, 0xca5b + rep as u64));
        interleave(
            &mut figures,
            &inputs,
            vec![
                (
                    "memberkit",
                    Box::new(|(m, p, _, _)| tenant.has_access(*m, *p).unwrap()),
                ),
                (
                    "casbin",
                    Box::new(|(_, _, m, p)| casbin_policy::enforce(&enforcer, &dom, m, p)),
                ),
            ],
        );
    }
    figures.print("has_access vs casbin enforce", "memberkit", &["casbin"]);
}

/// Every contender answers the same question: check they agree before timing them.
fn agree(tenant: &Tenant, pop: &Population, stmt: &mut Statement<'_>) {
    let mut yes = 0;
    for (m, p) in pop.pairs(2_000, 7) {
        let ours = tenant.has_access(m, p).unwrap();
        assert_eq!(ours, by_hand_access(stmt, pop.tenant, m, p), "{m} {p}");
        yes += usize::from(ours);
    }
    println!("has_access agrees with the hand-written check on 2000 pairs ({yes} with access)");
}

fn now_micros() -> i64 {
    to_unix_micros(memberkit::time::OffsetDateTime::now_utc())
}

/// has_access written by hand: the same statement, and the same rule in a few lines.
fn by_hand_access(stmt: &mut Statement<'_>, t: TenantId, m: MemberId, p: ProductId) -> bool {
    let now = now_micros();
    let (mut facts, mut granted) = (None, false);
    let mut rows = stmt
        .query(params![t.as_uuid(), m.as_uuid(), p.as_uuid()])
        .unwrap();
    while let Some(r) = rows.next().unwrap() {
        let (has_grant, expires, starts): (bool, Option<i64>, Option<i64>) =
            (r.get(4).unwrap(), r.get(5).unwrap(), r.get(6).unwrap());
        granted |= has_grant && expires.is_none_or(|e| now < e) && starts.is_none_or(|s| s <= now);
        if r.get::<_, i64>(0).unwrap() == 0 {
            let facts_row: (String, bool, bool) =
                (r.get(1).unwrap(), r.get(2).unwrap(), r.get(3).unwrap());
            facts = Some(facts_row);
        }
    }
    match facts {
        Some((status, _, _)) if status != "active" => false,
        Some((_, false, archived)) => !archived,
        Some((_, true, _)) => granted,
        None => false,
    }
}

fn grant_row(stmt: &mut Statement<'_>, t: TenantId, m: MemberId, p: ProductId) -> bool {
    stmt.query_row(params![t.as_uuid(), m.as_uuid(), p.as_uuid()], |r| {
        r.get::<_, Option<i64>>(0)
    })
    .optional()
    .unwrap()
    .is_some_and(|expires| expires.is_none_or(|e| now_micros() < e))
}

/// `can` by hand: the member's status, their tenant-wide role, and a custom role's
/// permissions when they hold one.
struct CanByHand<'c> {
    status: Statement<'c>,
    role: Statement<'c>,
    custom: Statement<'c>,
}

impl<'c> CanByHand<'c> {
    fn new(conn: &'c Connection) -> Self {
        CanByHand {
            status: conn
                .prepare("SELECT status FROM members WHERE tenant_id = ?1 AND id = ?2")
                .unwrap(),
            role: conn
                .prepare(
                    "SELECT role FROM role_assignments
                     WHERE tenant_id = ?1 AND member_id = ?2 AND workspace_id = x''",
                )
                .unwrap(),
            custom: conn
                .prepare("SELECT permissions FROM custom_roles WHERE tenant_id = ?1 AND id = ?2")
                .unwrap(),
        }
    }

    fn can(&mut self, t: TenantId, m: MemberId, perm: &Permission) -> bool {
        let one = |stmt: &mut Statement<'_>, a: uuid::Uuid, b: &dyn rusqlite::ToSql| {
            stmt.query_row(params![a, b], |r| r.get::<_, String>(0))
                .optional()
                .unwrap()
        };
        let t = *t.as_uuid();
        if one(&mut self.status, t, m.as_uuid()).as_deref() != Some("active") {
            return false;
        }
        match one(&mut self.role, t, m.as_uuid()).as_deref() {
            Some("admin") => true,
            Some("member") => !["pricing", "payment", "users.manage"].contains(&perm.as_str()),
            Some("customer") | None => false,
            Some(custom) => {
                let id: uuid::Uuid = custom.parse().unwrap();
                one(&mut self.custom, t, &id)
                    .is_some_and(|json| json.contains(&format!("\"{}\"", perm.as_str())))
            }
        }
    }
}

/// Checks per second with two threads, memberkit against the hand-written check (each thread
/// with its own connection, as a web server's workers would have).
fn threads(size: &Size, path: &std::path::Path, pop: &Population, tenant: &Tenant) {
    let window = match size.name {
        "full" => Duration::from_secs(2),
        "quick" => Duration::from_secs(1),
        _ => Duration::from_millis(100),
    };
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for rep in 0..size.reps {
        let pairs = pop.pairs(10_000, 0xabc + rep as u64);
        ours.push(per_second(window, |stop| {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let (m, p) = pairs[n % pairs.len()];
                tenant.has_access(m, p).unwrap();
                n += 1;
            }
            n
        }));
        theirs.push(per_second(window, |stop| {
            let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let mut stmt = conn.prepare(ACCESS_SQL).unwrap();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let (m, p) = pairs[n % pairs.len()];
                by_hand_access(&mut stmt, pop.tenant, m, p);
                n += 1;
            }
            n
        }));
    }
    let (ours, theirs) = (median(&ours), median(&theirs));
    println!(
        "has_access, 2 threads: memberkit {ours:.0}/s | by hand {theirs:.0}/s ({:.2}x the \
         hand-written rate)",
        ours / theirs
    );
}

/// Runs `work` on two threads for `window`; their combined calls per second.
fn per_second(window: Duration, work: impl Fn(&AtomicBool) -> usize + Sync) -> f64 {
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let total: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2).map(|_| s.spawn(|| work(&stop))).collect();
        std::thread::sleep(window);
        stop.store(true, Ordering::Relaxed);
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

/// A contender: answers one input.
type Contender<'a, T> = (&'static str, Box<dyn FnMut(&T) -> bool + 'a>);

/// Times every contender on the same inputs, taking turns every 500 calls so that all of them
/// meet the same machine (a shared, noisy one), and adds each one's p50 and p99.
fn interleave<T>(figures: &mut Figures, inputs: &[T], mut contenders: Vec<Contender<'_, T>>) {
    let mut times: Vec<Vec<u64>> = vec![Vec::with_capacity(inputs.len()); contenders.len()];
    for (turn, chunk) in inputs.chunks(500).enumerate() {
        let n = contenders.len();
        for k in 0..n {
            let i = (k + turn) % n;
            let call = &mut contenders[i].1;
            for input in chunk {
                let start = Instant::now();
                black_box(call(input));
                times[i].push(start.elapsed().as_nanos() as u64);
            }
        }
    }
    for ((who, _), mut t) in contenders.into_iter().zip(times) {
        t.sort_unstable();
        figures.add(who, t);
    }
}

/// p50 and p99 of each contender in each repetition.
#[derive(Default)]
struct Figures {
    runs: Vec<(&'static str, f64, f64)>,
}

impl Figures {
    fn add(&mut self, who: &'static str, sorted: Vec<u64>) {
        let us = |ns: u64| ns as f64 / 1000.0;
        self.runs.push((
            who,
            us(percentile(&sorted, 50.0)),
            us(percentile(&sorted, 99.0)),
        ));
    }

    fn stat(&self, who: &str) -> (f64, f64) {
        let pick = |f: fn(&(&str, f64, f64)) -> f64| {
            let v: Vec<f64> = self.runs.iter().filter(|r| r.0 == who).map(f).collect();
            median(&v)
        };
        (pick(|r| r.1), pick(|r| r.2))
    }

    fn print(&self, what: &str, ours: &str, baselines: &[&str]) {
        let (p50, p99) = self.stat(ours);
        for (label, value, index) in [("p50", p50, 0), ("p99", p99, 1)] {
            let mut line = format!("{what} {label}: {ours} {value:.1} µs");
            for base in baselines {
                let b = self.stat(base);
                let b = if index == 0 { b.0 } else { b.1 };
                line.push_str(&format!(" | {base} {b:.1} µs ({:.2}x)", value / b));
            }
            println!("{line}");
        }
    }
}
