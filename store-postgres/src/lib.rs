//! # memberkit-postgres
//!
//! The memberkit [`Store`] on PostgreSQL (the `postgres` crate, an `r2d2` connection pool), for
//! platforms that run several app servers on one database.
//!
//! - Reads run `REPEATABLE READ READ ONLY` (one snapshot). A write takes its tenant's row lock
//!   before it first touches the tenant: one tenant's writers take turns, as on SQLite, and other
//!   tenants' writers never wait for them (statements run at `READ COMMITTED`, so after the lock
//!   they see every earlier turn). A transaction that still loses to a concurrent one (a
//!   deadlock between hub-wide calls, a serialization failure, a unique index another
//!   transaction just filled) is rolled back and run again with backoff, so callers never see
//!   those failures: the core re-reads and decides on what committed.
//! - `has_access` is one prepared statement in autocommit mode (its own snapshot).
//! - Statements are prepared once per pooled connection.
//! - Imports write each table with one multi-row statement (`INSERT … SELECT FROM unnest(…)`).
//! - Migrations are recorded in the database (`memberkit_migrations`) and run under an
//!   advisory lock, so app servers starting together migrate once.
//! - Distributed by tenant: on a Citus coordinator, opening the store places every table
//!   ([`CITUS_PLACEMENT`]); see also the `schema` module docs and [`HUB_WIDE_TABLES`].
//! - No TLS in this build: connect over loopback or a private network (`sslmode=require` fails).
//!
//! Apps usually open a hub by URL with `memberkit-open`; with this crate alone:
//!
//! ```no_run
//! use memberkit::Hub;
//! use memberkit_postgres::PgStore;
//! let hub = Hub::new(PgStore::open("postgresql://app@db.internal/members")?);
//! # Ok::<(), memberkit::Error>(())
//! ```
#![warn(missing_docs)]

mod bulk;
mod conn;
mod counts;
mod delegated;
mod distribute;
mod report;
mod rows;
mod schema;
mod search;
mod stats;
mod transaction;
mod tx;
mod worker_reads;

pub use distribute::{Placement, CITUS_PLACEMENT, MULTI_SHARD_STATEMENTS};
pub use schema::HUB_WIDE_TABLES;

use conn::{Conn, Manager};
use memberkit::store::{AccessFacts, PermissionFacts};
use memberkit::{Error, MemberId, ProductId, Result, Store, TenantId, Tx, WorkspaceId};
use std::time::{Duration, Instant};
use transaction::Lost;

/// The schema version this crate creates and migrates databases to.
pub const SCHEMA_VERSION: i32 = schema::MIGRATIONS[schema::MIGRATIONS.len() - 1].0;

/// Connections a store keeps at most, unless [`PgStore::open_with_pool_size`] says otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 16;
/// How long a call waits for a free pooled connection before failing with `storage`.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a transaction keeps being retried after losing to concurrent ones.
const MAX_RETRY_TIME: Duration = Duration::from_secs(30);
/// How often a transaction is run again after hitting a unique index.
const MAX_UNIQUE_RETRIES: u32 = 3;

/// A PostgreSQL database holding any number of tenants.
pub struct PgStore {
    pool: r2d2::Pool<Manager>,
    /// host:port/dbname, for `Debug` (never the password).
    label: String,
    /// The migrations `open` applied.
    migrated: Vec<i64>,
    /// Whether the database is a Citus coordinator.
    on_citus: bool,
    /// `memberkit_reads=workers` on Citus: the hot reads' connections to the workers.
    worker_reads: Option<worker_reads::WorkerReads>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgStore({})", self.label)
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgresql://user:password@host:port/dbname`, or
    /// key=value pairs) and brings its schema up to date. Tables are created in the first
    /// schema of the connection's `search_path` (add `?options=-csearch_path%3Dmyschema`).
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with_pool_size(url, DEFAULT_POOL_SIZE)
    }

    /// [`PgStore::open`] keeping at most `max_connections` connections open.
    pub fn open_with_pool_size(url: &str, max_connections: u32) -> Result<Self> {
        if max_connections == 0 {
            return Err(Error::invalid("max_connections", "must be at least 1"));
        }
        let (url, reads_on_workers) = worker_reads::split_url(url)?;
        let config: postgres::Config = url.parse().map_err(|e| {
            Error::invalid("target", format!("not a PostgreSQL connection URL: {e}"))
        })?;
        let mut manager = Manager::new(config.clone());
        let label = manager.label();
        // Connect once now, so a wrong URL or a server that is down fails here, clearly.
        let mut first = manager.connect_now()?;
        let migrated = migrate(&mut first)?;
        manager.on_citus = distribute::distribute(&mut first.client)?;
        let on_citus = manager.on_citus;
        // Off a coordinator the parameter changes nothing, so one URL serves every setup.
        let worker_reads = match reads_on_workers && on_citus {
            true => Some(worker_reads::WorkerReads::new(
                &config,
                max_connections,
                &mut first.client,
            )?),
            false => None,
        };
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            .min_idle(Some(0))
            .connection_timeout(CHECKOUT_TIMEOUT)
            .test_on_check_out(false)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(manager);
        Ok(Self {
            pool,
            label,
            migrated,
            on_citus,
            worker_reads,
        })
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i32> {
        let mut conn = self.checkout()?;
        let row = conn
            .client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM memberkit_migrations",
                &[],
            )
            .map_err(pg_err)?;
        row.try_get(0).map_err(pg_err)
    }

    fn checkout(&self) -> Result<r2d2::PooledConnection<Manager>> {
        self.pool.get().map_err(|e| Error::Storage {
            message: format!("no PostgreSQL connection available ({}): {e}", self.label),
            source: None,
        })
    }

    /// Runs `f`'s one statement in autocommit mode (its own snapshot, without BEGIN and
    /// COMMIT), again with fresh plans while Citus moves the shard under it.
    fn one_statement<R>(&self, f: impl Fn(&transaction::PgTx<'_>) -> Result<R>) -> Result<R> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            let mut conn = self.checkout()?;
            match transaction::one_statement(&mut conn, &f) {
                Ok(out) => return Ok(out),
                Err(failure)
                    if failure.lost == Some(Lost::ShardMove)
                        && started.elapsed() < MAX_RETRY_TIME =>
                {
                    attempt += 1;
                    RETRIED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    std::thread::sleep(backoff(attempt));
                }
                Err(failure) => return Err(failure.error),
            }
        }
    }

    /// [`PgStore::one_statement`] on the worker holding `tenant`'s shard when reads go to the
    /// workers; on the coordinator when they do not, or when the worker cannot answer (the
    /// coordinator's answer, or its error, is then the caller's).
    fn hot_read<R>(
        &self,
        tenant: TenantId,
        f: impl Fn(&transaction::PgTx<'_>) -> Result<R>,
    ) -> Result<R> {
        if let Some(workers) = &self.worker_reads {
            if let Some(mut conn) = workers.checkout(tenant, || self.checkout()) {
                match transaction::one_statement(&mut conn, &f) {
                    Ok(out) => return Ok(out),
                    Err(_) => workers.forget(tenant),
                }
            }
        }
        self.one_statement(f)
    }

    /// Runs `f` in a transaction, again with backoff while it loses to concurrent ones.
    fn run(&self, mode: Mode, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        let started = Instant::now();
        let (mut attempt, mut unique_losses) = (0u32, 0u32);
        loop {
            let mut conn = self.checkout()?;
            let failure = match transaction::in_transaction(&mut conn, mode, f) {
                Ok(()) => return Ok(()),
                Err(failure) => failure,
            };
            drop(conn);
            let again = match failure.lost {
                Some(Lost::Concurrent) | Some(Lost::ShardMove) => true,
                // Run again so the core sees the committed row and answers with its own
                // error; a duplicate the core did not foresee is a conflict after a few tries.
                Some(Lost::UniqueIndex) => {
                    unique_losses += 1;
                    unique_losses <= MAX_UNIQUE_RETRIES
                }
                None => false,
            };
            if !again || started.elapsed() >= MAX_RETRY_TIME {
                return Err(failure.error);
            }
            attempt += 1;
            RETRIED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            std::thread::sleep(backoff(attempt));
        }
    }
}

static RETRIED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many transactions this process ran again after losing to a concurrent one (over all
/// stores): for tests and monitoring; callers never see those losses.
pub fn retried_transactions() -> u64 {
    RETRIED.load(std::sync::atomic::Ordering::Relaxed)
}

/// What kind of transaction to open.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    Read,
    Write,
    Rehearse,
}

/// Exponential backoff from 1 ms to 100 ms, with jitter so that racing transactions spread.
fn backoff(attempt: u32) -> Duration {
    let base = 1u64 << attempt.min(7);
    let mut byte = [0u8; 1];
    let jitter = match getrandom::fill(&mut byte) {
        Ok(()) => u64::from(byte[0]) * base / 255,
        Err(_) => base / 2,
    };
    Duration::from_micros(((base + jitter) * 1000).min(100_000))
}

/// Brings the schema up to date; the versions it applied.
fn migrate(conn: &mut Conn) -> Result<Vec<i64>> {
    let client = &mut conn.client;
    create_first_schema(client)?;
    let mut tx = client.transaction().map_err(pg_err)?;
    // App servers starting at once: one migrates, the others wait and then find it done. The
    // key is per schema, so separate schemas (tests) migrate side by side.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('memberkit:' || current_schema()))",
        &[],
    )
    .map_err(pg_err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS memberkit_migrations (
            version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)",
    )
    .map_err(pg_err)?;
    let current: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM memberkit_migrations",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(pg_err)?;
    if current > SCHEMA_VERSION {
        return Err(Error::Storage {
            message: format!(
                "database schema version {current} is newer than this memberkit ({SCHEMA_VERSION})"
            ),
            source: None,
        });
    }
    let pending: Vec<_> = schema::MIGRATIONS
        .iter()
        .filter(|m| m.0 > current)
        .collect();
    if pending.is_empty() {
        tx.commit().map_err(pg_err)?;
        return Ok(Vec::new());
    }
    let applied = pending.iter().map(|m| i64::from(m.0)).collect();
    let trgm_ops = trigram_opclass(&mut tx)?;
    for (version, name, sql) in pending {
        tx.batch_execute(&sql.replace("{trgm_ops}", &trgm_ops))
            .map_err(pg_err)?;
        tx.execute(
            "INSERT INTO memberkit_migrations (version, name, applied_at) VALUES ($1, $2, now())",
            &[version, name],
        )
        .map_err(pg_err)?;
    }
    tx.commit().map_err(pg_err)?;
    Ok(applied)
}

/// Makes sure `pg_trgm` is installed (once per database, wherever it already is) and names its
/// GIN operator class with that schema, so the index works whatever the search_path.
fn trigram_opclass(tx: &mut postgres::Transaction<'_>) -> Result<String> {
    // Database-wide, unlike the migration lock: two schemas migrating at once must not both
    // create the extension.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('memberkit:pg_trgm'))",
        &[],
    )
    .map_err(pg_err)?;
    tx.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        .map_err(pg_err)?;
    let schema: String = tx
        .query_one(
            "SELECT n.nspname::text FROM pg_extension e
             JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(pg_err)?;
    Ok(format!("\"{}\".gin_trgm_ops", schema.replace('"', "\"\"")))
}

/// Creates the first schema of the connection's `search_path` if it is missing, so a URL
/// naming a schema of its own (one per environment, one per test) works on an empty database.
fn create_first_schema(client: &mut postgres::Client) -> Result<()> {
    let path: String = client
        .query_one("SELECT current_setting('search_path')", &[])
        .and_then(|r| r.try_get(0))
        .map_err(pg_err)?;
    let first = path.split(',').next().unwrap_or("").trim();
    let name = first
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .map_or_else(
            || first.to_lowercase(),
            |quoted| quoted.replace("\"\"", "\""),
        );
    if name.is_empty() || name == "$user" {
        return Ok(());
    }
    let exists = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[&name],
        )
        .and_then(|r| r.try_get::<_, bool>(0))
        .map_err(pg_err)?;
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {quoted}"))
            .map_err(pg_err)?;
    }
    Ok(())
}

pub(crate) fn pg_err(e: postgres::Error) -> Error {
    use postgres::error::SqlState;
    if let Some(code) = e.code() {
        if *code == SqlState::UNIQUE_VIOLATION
            || *code == SqlState::FOREIGN_KEY_VIOLATION
            || *code == SqlState::CHECK_VIOLATION
        {
            let detail = e
                .as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_owned());
            return Error::Conflict(format!("constraint violated: {detail}"));
        }
    }
    Error::storage(e)
}

impl Store for PgStore {
    fn read(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        self.run(Mode::Read, f)
    }

    fn write(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        self.run(Mode::Write, f)
    }

    fn rehearse(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        self.run(Mode::Rehearse, f)
    }

    fn report(&self) -> Result<memberkit::StoreReport> {
        report::report(&mut self.checkout()?.client, &self.migrated, self.on_citus)
    }

    fn access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<AccessFacts>> {
        self.hot_read(tenant, |tx| tx.access_facts(tenant, member, product))
    }

    fn permission_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        workspace: Option<WorkspaceId>,
    ) -> Result<Option<PermissionFacts>> {
        self.hot_read(tenant, |tx| tx.permission_facts(tenant, member, workspace))
    }
}
