//! The benchmark's dataset and statistics, shared by its benches.
//!
//! The dataset is one SQLite file made through memberkit's own API and kept under
//! `target/memberkit-bench/` (rebuilt when missing or when its shape changes):
//! - tenants: one large tenant of `largest` members plus `tenants - 1` of `others` members;
//! - per tenant: 3 paid courses, a free community and an archived course; 2 custom roles;
//! - every member holds the first two courses (bulk import, grant mode), the large tenant's
//!   also the third; every 50th member has that grant revoked, every 50th (another slice) holds
//!   a grant to the archived course's sibling that expired before the benchmark runs, every
//!   100th is deactivated, every 100th holds a custom role and every 500th is a `member`.
//!
//! At full size that is 199k members in 100 tenants, about 500k grants and a 100k-member
//! tenant the samples are drawn from.

use memberkit::time::{Duration, OffsetDateTime};
use memberkit::*;
use memberkit_open::OpenHub;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How big a run is.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// A name for the cached file and the printout.
    pub name: &'static str,
    /// How many tenants.
    pub tenants: usize,
    /// Members of the large tenant.
    pub largest: usize,
    /// Members of each other tenant.
    pub others: usize,
    /// Calls per contender per repetition.
    pub samples: usize,
    /// Interleaved repetitions (the printed figures are their medians).
    pub reps: usize,
}

impl Size {
    /// From the command line: `cargo bench` passes `--bench` (full, or `--quick`); `cargo
    /// test` passes neither and gets a smoke run that only proves the bench works.
    pub fn from_args() -> Size {
        let args: Vec<String> = std::env::args().collect();
        let has = |a: &str| args.iter().any(|x| x == a);
        match (has("--bench"), has("--quick")) {
            (true, false) => Size {
                name: "full",
                tenants: 100,
                largest: 100_000,
                others: 1_000,
                samples: 50_000,
                reps: 5,
            },
            (true, true) => Size {
                name: "quick",
                tenants: 10,
                largest: 20_000,
                others: 1_000,
                samples: 20_000,
                reps: 3,
            },
            _ => Size {
                name: "smoke",
                tenants: 2,
                largest: 1_000,
                others: 200,
                samples: 300,
                reps: 1,
            },
        }
    }
}

/// Bump when the dataset's shape changes, so cached files are rebuilt.
const SHAPE: u32 = 2;

/// The dataset file for `size`, built on first use.
pub fn dataset(size: &Size) -> PathBuf {
    let dir = target_dir().join("memberkit-bench");
    std::fs::create_dir_all(&dir).expect("bench folder");
    let path = dir.join(format!("access-{}-v{SHAPE}.db", size.name));
    if !path.exists() {
        let started = std::time::Instant::now();
        let tmp = dir.join(format!("access-{}-building.db", size.name));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
        build(tmp.to_str().expect("a UTF-8 target folder"), size);
        std::fs::rename(&tmp, &path).expect("move the dataset into place");
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
        println!(
            "built {} in {:.1} s ({} MB)",
            path.display(),
            started.elapsed().as_secs_f64(),
            bytes / 1_000_000
        );
    }
    path
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
        })
}

/// The PostgreSQL dataset for `size`: the same shape, built through memberkit on first use in
/// the schema `memberkit_bench_<size>_v<shape>` of `server`. Returns a URL that opens it.
pub fn pg_dataset(server: &str, size: &Size) -> String {
    let schema = format!("memberkit_bench_{}_v{SHAPE}", size.name);
    let url = url_with_schema(server, &schema);
    let mut client = postgres::Client::connect(server, postgres::NoTls).expect("PostgreSQL");
    let complete: bool = client
        .query_one(
            "SELECT coalesce(obj_description(oid, 'pg_namespace') = 'complete', false)
             FROM pg_namespace WHERE nspname = $1
             UNION ALL SELECT false LIMIT 1",
            &[&schema],
        )
        .unwrap()
        .get(0);
    if !complete {
        let started = std::time::Instant::now();
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE EXTENSION IF NOT EXISTS pg_trgm"
            ))
            .unwrap();
        build(&url, size);
        client
            .batch_execute(&format!(
                "ANALYZE; COMMENT ON SCHEMA {schema} IS 'complete'"
            ))
            .unwrap();
        println!(
            "built PostgreSQL schema {schema} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    url
}

/// `server` with its tables in `schema` (created by the store when missing).
pub fn url_with_schema(server: &str, schema: &str) -> String {
    let sep = if server.contains('?') { '&' } else { '?' };
    format!("{server}{sep}options=-csearch_path%3D{schema},public")
}

fn build(target: &str, size: &Size) {
    // Written 30 days in the past, so grants that ended a day after that are expired now.
    let clock = Arc::new(ManualClock::new(
        OffsetDateTime::now_utc() - Duration::days(30),
    ));
    let hub = Hub::open_with_clock(target, clock.clone()).expect("open the dataset");
    let host = Actor::System;
    for t in 0..size.tenants {
        let members = if t == 0 { size.largest } else { size.others };
        let tenant = hub.create_tenant(&format!("Tenant {t}")).unwrap();
        let paid: Vec<Product> = (0..3)
            .map(|i| {
                let new = NewProduct::paid(format!("Course {i}"), ProductKind::Course);
                tenant.create_product(host, new).unwrap()
            })
            .collect();
        let free = NewProduct::free("Community", ProductKind::Community);
        tenant.create_product(host, free).unwrap();
        let old = NewProduct::paid("Old course", ProductKind::Course);
        let old = tenant.create_product(host, old).unwrap();
        tenant.archive_product(host, old.id).unwrap();
        let support = tenant
            .create_role(
                host,
                "Support",
                &[Permission::CUSTOMERS_MANAGE, Permission::IMPERSONATE],
            )
            .unwrap();
        let billing = tenant
            .create_role(
                host,
                "Billing",
                &[Permission::PAYMENT, Permission::CUSTOMERS_MANAGE],
            )
            .unwrap();
        let mut csv = String::from("name,email\n");
        for i in 0..members {
            csv.push_str(&format!("Member {i},m{i}@t{t}.example\n"));
        }
        let granted = if t == 0 { 3 } else { 2 };
        let options = ImportOptions {
            products: paid[..granted].iter().map(|p| p.id).collect(),
            mode: ImportMode::Grant,
            notify: Some(false),
            ..Default::default()
        };
        let report = tenant
            .import_customers(host, ImportSource::Csv(&csv), &options)
            .unwrap();
        let ids: Vec<MemberId> = report.rows.iter().filter_map(|r| r.member_id).collect();
        for (i, &m) in ids.iter().enumerate() {
            if i % 50 == 0 {
                tenant.revoke(host, m, paid[0].id).unwrap();
            }
            if i % 50 == 25 {
                let ends = GrantOptions {
                    expires_at: Some(clock.now() + Duration::days(1)),
                    ..Default::default()
                };
                tenant.grant(host, m, paid[2].id, ends).unwrap();
            }
            if i % 100 == 7 {
                tenant.deactivate(host, m).unwrap();
            }
            if i % 100 == 42 {
                let role = if i % 200 == 42 {
                    support.id
                } else {
                    billing.id
                };
                tenant
                    .assign_role(host, m, Role::Custom(role), None)
                    .unwrap();
            }
            if i % 500 == 99 {
                tenant.assign_role(host, m, Role::Member, None).unwrap();
            }
        }
        // Nobody sends these emails: keep the outbox small, as a running host would.
        loop {
            let events = hub.outbox(1000).unwrap();
            if events.is_empty() {
                break;
            }
            hub.ack(&events.iter().map(|e| e.id).collect::<Vec<_>>())
                .unwrap();
        }
    }
}

/// What the benchmark asks about: the large tenant, its members and products.
pub struct Population {
    /// The large tenant.
    pub tenant: TenantId,
    /// Its members.
    pub members: Vec<MemberId>,
    /// Its products (paid, free and archived).
    pub products: Vec<ProductId>,
}

impl Population {
    /// Reads the large tenant (the first one created) from the file.
    pub fn read(path: &Path) -> Population {
        let conn = rusqlite::Connection::open(path).unwrap();
        let tenant: uuid::Uuid = conn
            .query_row(
                "SELECT id FROM tenants ORDER BY created_at, id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let ids = |sql: &str| -> Vec<uuid::Uuid> {
            let mut stmt = conn.prepare(sql).unwrap();
            let rows = stmt.query_map([tenant], |r| r.get(0)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        Population {
            tenant: TenantId::from_uuid(tenant),
            members: ids("SELECT id FROM members WHERE tenant_id = ?1")
                .into_iter()
                .map(MemberId::from_uuid)
                .collect(),
            products: ids("SELECT id FROM products WHERE tenant_id = ?1")
                .into_iter()
                .map(ProductId::from_uuid)
                .collect(),
        }
    }

    /// Reads the large tenant from the PostgreSQL dataset at `url`.
    pub fn read_pg(url: &str) -> Population {
        let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let tenant: uuid::Uuid = client
            .query_one(
                "SELECT tenant_id FROM tenants ORDER BY created_at, tenant_id LIMIT 1",
                &[],
            )
            .unwrap()
            .get(0);
        let mut ids = |sql: &str| -> Vec<uuid::Uuid> {
            let rows = client.query(sql, &[&tenant]).unwrap();
            rows.iter().map(|r| r.get(0)).collect()
        };
        Population {
            tenant: TenantId::from_uuid(tenant),
            members: ids("SELECT id FROM members WHERE tenant_id = $1 ORDER BY seq")
                .into_iter()
                .map(MemberId::from_uuid)
                .collect(),
            products: ids("SELECT id FROM products WHERE tenant_id = $1 ORDER BY id")
                .into_iter()
                .map(ProductId::from_uuid)
                .collect(),
        }
    }

    /// `n` (member, product) pairs, the same for every contender (a fixed-seed xorshift).
    pub fn pairs(&self, n: usize, seed: u64) -> Vec<(MemberId, ProductId)> {
        let mut rng = Rng(seed | 1);
        (0..n)
            .map(|_| {
                (
                    self.members[rng.below(self.members.len())],
                    self.products[rng.below(self.products.len())],
                )
            })
            .collect()
    }
}

/// A small deterministic generator (xorshift64).
pub struct Rng(pub u64);

impl Rng {
    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The `p`-th percentile (0-100) of durations in nanoseconds.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// The median of a few figures.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
