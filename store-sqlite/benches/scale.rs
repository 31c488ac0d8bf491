//! Scale benchmark for the customer list and bulk import.
//!
//! `cargo bench -p memberkit-sqlite --bench scale` builds 1M members in 1k tenants (one tenant of
//! 100k, the rest ~900 each; three quarters of members hold 4 paid products = 3M grants), then
//! prints: search p50/p95 on the largest tenant, "no access" first page p50, a 100k-row CSV
//! import in invite and grant mode (rows/s and the importing process's peak memory) and, in the
//! same run, raw rusqlite inserts of the same rows as ratios: into a bare 2-index table, and
//! the same writes the import makes, by hand (the floor for this schema). Under `cargo test` it
//! runs a tiny version so the code stays working. `MEMBERKIT_BENCH_MEMBERS` overrides the total
//! size.

use memberkit::*;
use memberkit_sqlite::SqliteStore;
use std::path::Path;
use std::time::Instant;

struct Scale {
    tenants: usize,
    members: usize,
    largest: usize,
    import_rows: usize,
    samples: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child-import") {
        let mode = args[i + 3].parse().unwrap();
        child_import(Path::new(&args[i + 1]), args[i + 2].parse().unwrap(), mode);
        return;
    }
    let full = args.iter().any(|a| a == "--bench");
    let members = std::env::var("MEMBERKIT_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1_000_000 } else { 3_000 });
    let scale = Scale {
        tenants: if full { 1000 } else { 10 },
        members,
        largest: members / 10,
        import_rows: if full { 100_000 } else { 2_000 },
        samples: if full { 200 } else { 20 },
    };
    run(&scale);
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FIRST: &[&str] = &[
    "Ada", "Grace", "Linus", "Zoë", "Émile", "Hana", "Ravi", "Olu", "Mia", "Søren", "Yuki",
    "Carlos", "Amara", "Jonas", "Lena", "Omar",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Müller",
    "Dubois",
    "Sato",
    "Patel",
    "Adeyemi",
    "Rossi",
    "Kierkegaard",
    "Tanaka",
    "García",
    "Okafor",
    "Berg",
    "Novak",
    "Haddad",
];

fn person(rng: &mut Rng, tenant: usize, i: usize) -> (String, String) {
    let (f, l) = (FIRST[rng.below(FIRST.len())], LAST[rng.below(LAST.len())]);
    let name = format!("{f} {l}");
    let email = format!(
        "{}.{}{i}@mail{}.example",
        f.to_lowercase(),
        l.to_lowercase(),
        tenant % 97
    );
    (name, email)
}

fn csv_of(rows: &[(String, String)]) -> String {
    let mut out = String::with_capacity(rows.len() * 48);
    out.push_str("name,email\n");
    for (name, email) in rows {
        out.push_str(name);
        out.push(',');
        out.push_str(email);
        out.push('\n');
    }
    out
}

fn run(scale: &Scale) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let hub = Hub::new(SqliteStore::open(&path).unwrap());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);

    // ----- build -----
    let started = Instant::now();
    let rest = (scale.members - scale.largest) / (scale.tenants - 1).max(1);
    let mut largest = None;
    let mut grants = 0usize;
    for t in 0..scale.tenants {
        let tenant = hub.create_tenant(&format!("Tenant {t}")).unwrap();
        let products: Vec<ProductId> = (0..4)
            .map(|p| {
                let new = NewProduct::paid(format!("Product {p}"), ProductKind::Course);
                tenant.create_product(Actor::System, new).unwrap().id
            })
            .collect();
        let size = if t == 0 { scale.largest } else { rest };
        let people: Vec<(String, String)> = (0..size).map(|i| person(&mut rng, t, i)).collect();
        let with_access = size * 3 / 4;
        for (chunk, products) in [
            (&people[..with_access], &products[..]),
            (&people[with_access..], &[][..]),
        ] {
            let options = ImportOptions {
                products: products.to_vec(),
                mode: ImportMode::Grant,
                notify: Some(false),
                ..Default::default()
            };
            let report = tenant
                .import_customers(Actor::System, ImportSource::Csv(&csv_of(chunk)), &options)
                .unwrap();
            assert_eq!(report.count(ImportOutcome::Created), chunk.len());
            grants += chunk.len() * products.len();
        }
        if t == 0 {
            largest = Some((tenant, people));
        }
    }
    let built = started.elapsed();
    let (tenant, people) = largest.unwrap();
    println!(
        "built {} members in {} tenants ({} grants; largest tenant {}) in {:.1} s",
        scale.members,
        scale.tenants,
        grants,
        scale.largest,
        built.as_secs_f64()
    );

    // ----- search on the largest tenant -----
    let mut times = Vec::new();
    let mut hits = 0;
    for _ in 0..scale.samples {
        let (name, email) = &people[rng.below(people.len())];
        let source = if rng.below(2) == 0 { name } else { email };
        let chars: Vec<char> = source.chars().collect();
        let len = 3 + rng.below(4);
        let start = rng.below(chars.len().saturating_sub(len).max(1));
        let term: String = chars[start..(start + len).min(chars.len())]
            .iter()
            .collect();
        let q = CustomerQuery {
            search: Some(term),
            ..Default::default()
        };
        let t0 = Instant::now();
        hits += tenant.customers(&q).unwrap().rows.len();
        times.push(t0.elapsed());
    }
    let (p50, p95) = percentiles(&mut times);
    println!("search (largest tenant, 3-6 char substrings, first page of 50): p50 {p50:.2} ms  p95 {p95:.2} ms  ({:.1} rows/page)", hits as f64 / scale.samples as f64);

    let mut times = Vec::new();
    for _ in 0..scale.samples {
        let q = CustomerQuery {
            no_access: true,
            ..Default::default()
        };
        let t0 = Instant::now();
        let page = tenant.customers(&q).unwrap();
        times.push(t0.elapsed());
        assert_eq!(page.rows.len(), 50.min(scale.largest / 4));
    }
    let (p50, p95) = percentiles(&mut times);
    println!("\"no access\" first page (largest tenant): p50 {p50:.2} ms  p95 {p95:.2} ms");

    let t0 = Instant::now();
    let count = tenant
        .count_customers(&CustomerQuery {
            no_access: true,
            ..Default::default()
        })
        .unwrap();
    println!(
        "\"no access\" count ({count}): {:.1} ms",
        t0.elapsed().as_secs_f64() * 1e3
    );
    drop(tenant);
    drop(hub);

    // ----- import vs raw inserts, same rows, same run -----
    let rows = scale.import_rows as f64;
    // Shared machines are noisy: each figure is the median of interleaved runs.
    let runs = if scale.import_rows >= 10_000 { 3 } else { 1 };
    let mut plains: Vec<f64> = (0..runs)
        .map(|run| {
            raw_insert_plain(
                &dir.path().join(format!("plain-{run}.db")),
                scale.import_rows,
            )
        })
        .collect();
    let plain = median(&mut plains);
    println!(
        "raw rusqlite, same {} rows into a bare 2-index table: {:.2} s = {:.0} rows/s",
        scale.import_rows,
        plain,
        rows / plain
    );
    for mode in [ImportMode::Invite, ImportMode::Grant] {
        let (mut floors, mut imports, mut peaks) = (Vec::new(), Vec::new(), Vec::new());
        for run in 0..runs {
            let floor_path = dir.path().join(format!("raw-{}-{run}.db", mode.as_str()));
            floors.push(raw_same_writes(
                &floor_path,
                scale.import_rows,
                mode,
                Writes::All,
            ));
            let (secs, peak_kib) = import_in_child(
                &dir.path()
                    .join(format!("import-{}-{run}.db", mode.as_str())),
                scale.import_rows,
                mode,
            );
            imports.push(secs);
            peaks.push(peak_kib);
        }
        let (floor, secs) = (median(&mut floors), median(&mut imports));
        let peak_mb = *peaks.iter().max().unwrap() as f64 / 1024.0;
        println!(
            "import {} rows, {} mode, 1 product, notify on: {secs:.2} s = {:.0} rows/s, peak RSS \
             {peak_mb:.0} MB; {:.2}x the bare-table rate; the same writes by hand take {floor:.2} s, \
             import = {:.2}x that",
            scale.import_rows,
            mode.as_str(),
            rows / secs,
            plain / secs,
            secs / floor
        );
    }
    let mut parts = Vec::new();
    for (upto, label) in [
        (Writes::Member, "member + search index"),
        (Writes::Access, "+ invite"),
        (Writes::Audit, "+ audit entry"),
        (Writes::All, "+ outbox event"),
    ] {
        let path = dir.path().join(format!("raw-part-{label}.db"));
        let secs = raw_same_writes(&path, scale.import_rows, ImportMode::Invite, upto);
        parts.push(format!("{label} {secs:.2} s"));
    }
    println!(
        "invite-mode writes by hand, cumulative: {}",
        parts.join(", ")
    );
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs an import in a child process (so its peak memory is the import's alone); returns the
/// import's seconds and the child's peak RSS in KiB.
fn import_in_child(path: &Path, rows: usize, mode: ImportMode) -> (f64, u64) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--child-import", path.to_str().unwrap()])
        .args([rows.to_string(), mode.as_str().to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8(out.stdout).unwrap();
    let mut fields = report.split_whitespace();
    (
        fields.next().unwrap().parse().unwrap(),
        fields.next().unwrap().parse().unwrap(),
    )
}

fn percentiles(times: &mut [std::time::Duration]) -> (f64, f64) {
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    (
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100]),
    )
}

fn import_rows(n: usize) -> Vec<(String, String)> {
    let mut rng = Rng(42);
    (0..n).map(|i| person(&mut rng, 5000, i)).collect()
}

/// Runs in a child process so its peak memory is the import's alone.
fn child_import(path: &Path, n: usize, mode: ImportMode) {
    let hub = Hub::new(SqliteStore::open(path).unwrap());
    let tenant = hub.create_tenant("Import").unwrap();
    let product = tenant
        .create_product(
            Actor::System,
            NewProduct::paid("Course", ProductKind::Course),
        )
        .unwrap();
    let csv = csv_of(&import_rows(n));
    let options = ImportOptions {
        products: vec![product.id],
        mode,
        ..Default::default()
    };
    let t0 = Instant::now();
    let report = tenant
        .import_customers(Actor::System, ImportSource::Csv(&csv), &options)
        .unwrap();
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(report.count(ImportOutcome::Created), n);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    println!("{secs} {peak}");
}

/// A floor: one prepared INSERT per row into a bare table shaped like `members`.
fn raw_insert_plain(path: &Path, n: usize) -> f64 {
    let rows = import_rows(n);
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
         CREATE TABLE members (seq INTEGER PRIMARY KEY, tenant_id BLOB NOT NULL, id BLOB NOT NULL,
             email TEXT NOT NULL, email_key TEXT NOT NULL, name TEXT, status TEXT NOT NULL,
             created_at INTEGER NOT NULL, UNIQUE (tenant_id, id));
         CREATE UNIQUE INDEX members_email_key ON members (tenant_id, email_key);",
    )
    .unwrap();
    let tenant = uuid::Uuid::now_v7();
    let t0 = Instant::now();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO members (tenant_id, id, email, email_key, name, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6)",
            )
            .unwrap();
        for (name, email) in &rows {
            let key = email.to_lowercase();
            stmt.execute(rusqlite::params![
                tenant,
                uuid::Uuid::now_v7(),
                email,
                key,
                name,
                0i64
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    t0.elapsed().as_secs_f64()
}

/// How much of an import's writes [`raw_same_writes`] makes, cumulatively.
#[derive(Clone, Copy, PartialEq)]
enum Writes {
    /// The member and the search index.
    Member,
    /// And the invite (invite mode) or the role and grant (grant mode).
    Access,
    /// And the audit entry.
    Audit,
    /// And the outbox event: everything the import writes.
    All,
}

/// The floor for an import: the same rows written the way memberkit writes them, by hand with
/// prepared statements and no checks, lookups or error handling. Invite mode: an invited
/// member, a pending invite with its token digest, an audit entry and an `invite.created`
/// event. Grant mode: an active member, their role, a grant, an audit entry and an
/// `access.granted` event. Both end with the bulk search-index insert. Payloads are of the
/// same size as memberkit's. What an import costs above this is memberkit itself.
fn raw_same_writes(path: &Path, n: usize, mode: ImportMode, upto: Writes) -> f64 {
    use sha2::Digest;
    let rows = import_rows(n);
    let (tenant, product) = {
        let hub = Hub::new(SqliteStore::open(path).unwrap());
        let t = hub.create_tenant("Raw").unwrap();
        let p = t
            .create_product(
                Actor::System,
                NewProduct::paid("Course", ProductKind::Course),
            )
            .unwrap();
        (*t.id().as_uuid(), *p.id.as_uuid())
    };
    let mut conn = rusqlite::Connection::open(path).unwrap();
    // The store's own settings, so only the code differs.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;",
    )
    .unwrap();
    let invite_mode = mode == ImportMode::Invite;
    let t0 = Instant::now();
    let tx = conn.transaction().unwrap();
    {
        let after: i64 = tx
            .query_row("SELECT coalesce(max(seq), 0) FROM members", [], |r| {
                r.get(0)
            })
            .unwrap();
        let mut member = tx
            .prepare(
                "INSERT INTO members (tenant_id, id, email, email_key, name, status, created_at,
                     updated_at, search_text, sort_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, ?7, ?8)",
            )
            .unwrap();
        let mut invite = tx
            .prepare(
                "INSERT INTO invites (tenant_id, id, member_id, email, email_key, name, role,
                     products, token_digest, created_by, created_at, expires_at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'customer', ?7, ?8, 'system', 0, 0, 'pending')",
            )
            .unwrap();
        let mut role = tx
            .prepare(
                "INSERT INTO role_assignments (tenant_id, member_id, workspace_id, role)
                 VALUES (?1, ?2, x'', 'customer')",
            )
            .unwrap();
        let mut grant = tx
            .prepare(
                "INSERT INTO grants (tenant_id, id, member_id, product_id, source, granted_by,
                     granted_at) VALUES (?1, ?2, ?3, ?4, 'import', 'system', 0)",
            )
            .unwrap();
        let mut audit = tx
            .prepare(
                "INSERT INTO audit_log (tenant_id, id, at, actor, action, subject, details)
                 VALUES (?1, ?2, 0, 'system', 'member.created', ?3, ?4)",
            )
            .unwrap();
        let mut event = tx
            .prepare(
                "INSERT INTO outbox (tenant_id, id, kind, payload, created_at)
                 VALUES (?1, ?2, ?3, ?4, 0)",
            )
            .unwrap();
        let products = format!("[\"{product}\"]");
        let mut secret = [0u8; 32];
        for (i, (name, email)) in rows.iter().enumerate() {
            let id = uuid::Uuid::now_v7();
            let key = email.to_lowercase();
            let folded = name.to_lowercase();
            let text = format!("{folded} {key}");
            let status = if invite_mode { "invited" } else { "active" };
            member
                .execute(rusqlite::params![
                    tenant, id, email, key, name, status, text, folded
                ])
                .unwrap();
            if upto == Writes::Member {
                continue;
            }
            let (kind, payload, details) = if invite_mode {
                let invite_id = uuid::Uuid::now_v7();
                secret[..8].copy_from_slice(&(i as u64).to_le_bytes());
                let digest: [u8; 32] = sha2::Sha256::digest(secret).into();
                invite
                    .execute(rusqlite::params![
                        tenant,
                        invite_id,
                        id,
                        email,
                        key,
                        name,
                        products,
                        &digest[..]
                    ])
                    .unwrap();
                (
                    "invite.created",
                    format!(
                        "{{\"email\":\"{email}\",\"expires_at\":\"2026-11-29T06:51:56.849539Z\",\
                         \"invite_id\":\"{invite_id}\",\"name\":\"{name}\",\"products\":{products},\
                         \"role\":\"customer\",\"workspace_id\":null}}"
                    ),
                    format!(
                        "{{\"email\":\"{email}\",\"granted\":[],\"invite_id\":\"{invite_id}\",\
                         \"mode\":\"invite\",\"via\":\"import\"}}"
                    ),
                )
            } else {
                role.execute(rusqlite::params![tenant, id]).unwrap();
                grant
                    .execute(rusqlite::params![tenant, uuid::Uuid::now_v7(), id, product])
                    .unwrap();
                (
                    "access.granted",
                    format!(
                        "{{\"email\":\"{email}\",\"expires_at\":null,\"member_id\":\"{id}\",\
                         \"name\":\"{name}\",\"product_id\":\"{product}\",\
                         \"product_name\":\"Course\",\"source\":\"import\"}}"
                    ),
                    format!(
                        "{{\"email\":\"{email}\",\"granted\":{products},\"invite_id\":null,\
                         \"mode\":\"grant\",\"via\":\"import\"}}"
                    ),
                )
            };
            if upto == Writes::Access {
                continue;
            }
            audit
                .execute(rusqlite::params![
                    tenant,
                    uuid::Uuid::now_v7(),
                    id.to_string(),
                    details
                ])
                .unwrap();
            if upto == Writes::Audit {
                continue;
            }
            event
                .execute(rusqlite::params![
                    tenant,
                    uuid::Uuid::now_v7(),
                    kind,
                    payload
                ])
                .unwrap();
        }
        tx.execute(
            "INSERT INTO members_fts (rowid, search_text)
             SELECT seq, search_text FROM members WHERE seq > ?1",
            [after],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    t0.elapsed().as_secs_f64()
}
