//! # memberkit-sqlite
//!
//! The memberkit [`Store`] on SQLite (bundled, via rusqlite).
//!
//! - WAL journal, `synchronous=NORMAL`, a 5 s busy timeout (polling the lock every
//!   millisecond, so a writer gets in between an import's chunks), foreign keys on. A transaction
//!   that cannot start because another process holds the write lock keeps trying for up to
//!   60 s, so a long import elsewhere means a wait, not "database is locked".
//! - Writes run in `BEGIN IMMEDIATE` transactions on one writer connection, so a write never
//!   fails half-way on a lock upgrade.
//! - Reads run on a pool of read-only connections, each in its own snapshot, so readers on
//!   several threads neither queue behind one mutex nor behind the writer.
//! - Prepared statements are cached per connection.
//! - `":memory:"` gives an ephemeral database on one connection (reads share the writer).
//!
//! Apps usually open a hub by path or URL with `memberkit-open`; with this crate alone:
//!
//! ```no_run
//! use memberkit::Hub;
//! use memberkit_sqlite::SqliteStore;
//! let hub = Hub::new(SqliteStore::open("members.db")?);
//! # Ok::<(), memberkit::Error>(())
//! ```
#![warn(missing_docs)]

mod report;
mod rows;
mod schema;
mod search;
mod tx;

use memberkit::store::AccessFacts;
use memberkit::{Error, MemberId, ProductId, Result, Store, TenantId, Tx};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The schema version this crate creates and migrates files to.
pub const SCHEMA_VERSION: i64 = schema::MIGRATIONS[schema::MIGRATIONS.len() - 1].0;

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How often a connection waiting for the write lock tries again. SQLite's own busy handler
/// backs off to 100 ms between tries, so a waiter in another process kept missing the short
/// gaps a chunked import leaves between its chunks; polling every millisecond catches them.
const BUSY_POLL: Duration = Duration::from_millis(1);
/// How long a transaction keeps trying to start while another process holds the write lock
/// (a large import in another process can hold it for several seconds): callers see a wait,
/// not "database is locked".
const MAX_LOCK_WAIT: Duration = Duration::from_secs(60);
const STATEMENT_CACHE: usize = 128;
/// Idle read connections kept open; more are opened under load and closed after.
const MAX_IDLE_READERS: usize = 16;

/// A SQLite database holding any number of tenants.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// `None` for `:memory:`, whose only connection is the writer.
    readers: Option<ReaderPool>,
    /// The migrations `open` applied.
    migrated: Vec<i64>,
}

struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.readers {
            Some(pool) => write!(f, "SqliteStore({})", pool.path.display()),
            None => f.write_str("SqliteStore(:memory:)"),
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// `":memory:"` opens a private in-memory database.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        if path.as_os_str() == ":memory:" {
            let mut conn = Connection::open_in_memory().map_err(sql_err)?;
            configure(&mut conn, false)?;
            let mut store = Self {
                writer: Mutex::new(conn),
                readers: None,
                migrated: Vec::new(),
            };
            store.migrated = store.migrate()?;
            return Ok(store);
        }
        let mut conn = Connection::open(path).map_err(sql_err)?;
        configure(&mut conn, false)?;
        let mut store = Self {
            writer: Mutex::new(conn),
            readers: Some(ReaderPool {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            }),
            migrated: Vec::new(),
        };
        store.migrated = store.migrate()?;
        Ok(store)
    }

    /// The schema version this file is at.
    pub fn schema_version(&self) -> Result<i64> {
        let conn = lock(&self.writer);
        conn.query_row(
            "SELECT coalesce(max(version), 0) FROM memberkit_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(sql_err)
    }

    /// Brings the schema up to date; the versions it applied.
    fn migrate(&self) -> Result<Vec<i64>> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS memberkit_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
        )
        .map_err(sql_err)?;
        let current: i64 = tx
            .query_row(
                "SELECT coalesce(max(version), 0) FROM memberkit_migrations",
                [],
                |r| r.get(0),
            )
            .map_err(sql_err)?;
        let latest = schema::MIGRATIONS.last().map_or(0, |m| m.0);
        if current > latest {
            return Err(Error::Storage {
                message: format!(
                    "database schema version {current} is newer than this memberkit ({latest})"
                ),
                source: None,
            });
        }
        let mut applied = Vec::new();
        for (version, name, sql) in schema::MIGRATIONS.iter().filter(|m| m.0 > current) {
            applied.push(*version);
            tx.execute_batch(sql).map_err(sql_err)?;
            if *version == 3 {
                search::backfill_search_text(&tx)?;
            }
            if *version == 5 {
                schema::rekey_emails(&tx)?;
            }
            tx.execute(
                "INSERT INTO memberkit_migrations (version, name, applied_at)
                 VALUES (?1, ?2, unixepoch())",
                rusqlite::params![version, name],
            )
            .map_err(sql_err)?;
        }
        tx.commit().map_err(sql_err)?;
        Ok(applied)
    }

    fn checkout_reader(&self, pool: &ReaderPool) -> Result<Connection> {
        if let Some(conn) = lock(&pool.idle).pop() {
            return Ok(conn);
        }
        let mut conn = Connection::open_with_flags(
            &pool.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql_err)?;
        configure(&mut conn, true)?;
        Ok(conn)
    }

    fn checkin_reader(pool: &ReaderPool, conn: Connection) {
        let mut idle = lock(&pool.idle);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
    }
}

/// Waits [`BUSY_POLL`] and tries again, for up to about [`BUSY_TIMEOUT`].
fn poll_while_busy(tries: i32) -> bool {
    let most = (BUSY_TIMEOUT.as_micros() / BUSY_POLL.as_micros()) as i32;
    if tries >= most {
        return false;
    }
    std::thread::sleep(BUSY_POLL);
    true
}

fn configure(conn: &mut Connection, reader: bool) -> Result<()> {
    conn.busy_handler(Some(poll_while_busy)).map_err(sql_err)?;
    // The query planner stability guarantee: a plan never depends on bound values. Without it
    // the bundled SQLite (STAT4) re-prepares a statement such as has_access's join every time
    // a new value is bound, which was 46% of has_access's time. memberkit's statements are
    // all keyed lookups whose best plan does not change with the values.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(sql_err)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    )
    .map_err(sql_err)?;
    if reader {
        // A read connection that tries to write fails loudly instead of racing the writer.
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA cache_size = -16384;")
            .map_err(sql_err)?;
    } else {
        // 64 MiB of page cache keeps a large import's transaction from spilling to disk.
        conn.execute_batch("PRAGMA cache_size = -65536;")
            .map_err(sql_err)?;
    }
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another thread leaves the connection usable: its transaction was rolled back
    // when the panic unwound through the rusqlite Transaction guard.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn sql_err(e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            return Error::Conflict(format!("constraint violated: {e}"));
        }
    }
    Error::storage(e)
}

impl Store for SqliteStore {
    fn read(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        let Some(pool) = &self.readers else {
            // In memory: one connection; a deferred transaction gives the same snapshot.
            return in_transaction(&lock(&self.writer), Begin::Deferred, End::Commit, f);
        };
        let conn = self.checkout_reader(pool)?;
        let result = in_transaction(&conn, Begin::Deferred, End::Commit, f);
        Self::checkin_reader(pool, conn);
        result
    }

    fn write(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        in_transaction(&lock(&self.writer), Begin::Immediate, End::Commit, f)
    }

    fn rehearse(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        in_transaction(&lock(&self.writer), Begin::Immediate, End::Rollback, f)
    }

    fn report(&self) -> Result<memberkit::StoreReport> {
        report::report(&lock(&self.writer), &self.migrated)
    }

    fn access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<AccessFacts>> {
        // One statement in autocommit mode: its own snapshot, without BEGIN and COMMIT.
        let Some(pool) = &self.readers else {
            return tx::SqlTx::new(&lock(&self.writer)).access_facts(tenant, member, product);
        };
        let conn = self.checkout_reader(pool)?;
        let result = tx::SqlTx::new(&conn).access_facts(tenant, member, product);
        Self::checkin_reader(pool, conn);
        result
    }

    fn try_access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Option<Result<Option<AccessFacts>>> {
        match &self.readers {
            // WAL readers never wait for the writer.
            Some(_) => Some(self.access_facts(tenant, member, product)),
            // In memory the one connection may be inside a write: answer only if it is free.
            None => {
                let conn = match self.writer.try_lock() {
                    Ok(conn) => conn,
                    Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(std::sync::TryLockError::WouldBlock) => return None,
                };
                Some(tx::SqlTx::new(&conn).access_facts(tenant, member, product))
            }
        }
    }
}

/// Runs BEGIN, trying again while another connection holds the lock, up to [`MAX_LOCK_WAIT`]
/// (each try already waits up to the busy timeout inside SQLite).
fn begin_waiting(conn: &Connection, sql: &str) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.prepare_cached(sql).and_then(|mut s| s.execute([])) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < MAX_LOCK_WAIT =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(sql_err(e)),
        }
    }
}

#[derive(Clone, Copy)]
enum Begin {
    Deferred,
    Immediate,
}

#[derive(Clone, Copy, PartialEq)]
enum End {
    Commit,
    Rollback,
}

/// Runs `f` in one transaction, with BEGIN and COMMIT as cached statements: rusqlite's
/// `Transaction` prepares both anew on every use, a measurable share of a has_access call.
/// The transaction is rolled back when `f` fails, when `end` says so, when COMMIT fails, and
/// when `f` panics (the guard's drop), so the connection is never left inside one.
fn in_transaction(
    conn: &Connection,
    begin: Begin,
    end: End,
    f: &mut dyn FnMut(&dyn Tx) -> Result<()>,
) -> Result<()> {
    struct Open<'c>(Option<&'c Connection>);
    impl Drop for Open<'_> {
        fn drop(&mut self) {
            if let Some(conn) = self.0 {
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
    }
    let sql = match begin {
        Begin::Deferred => "BEGIN",
        Begin::Immediate => "BEGIN IMMEDIATE",
    };
    begin_waiting(conn, sql)?;
    let mut open = Open(Some(conn));
    f(&tx::SqlTx::new(conn))?;
    if end == End::Rollback {
        return Ok(()); // the guard rolls back
    }
    conn.prepare_cached("COMMIT")
        .and_then(|mut s| s.execute([]))
        .map_err(sql_err)?;
    open.0 = None;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use memberkit::*;
    use rusqlite::StatementStatus;

    /// SQLite re-prepares a statement whose plan may depend on a bound value each time a new
    /// value is bound, unless told not to; `has_access` runs on every page view, so its
    /// statement must be prepared once per connection and then only re-run.
    #[test]
    fn the_access_statement_is_prepared_once_not_on_every_call() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let (tenant, pairs) = {
            let hub = Hub::new(SqliteStore::open(&path).unwrap());
            let t = hub.create_tenant("T").unwrap();
            let course = t
                .create_product(Actor::System, NewProduct::paid("C", ProductKind::Course))
                .unwrap();
            let pairs: Vec<(MemberId, ProductId)> = (0..50)
                .map(|i| {
                    let new = NewCustomer::new(format!("m{i}@x.com")).product(course.id);
                    (
                        t.add_customer(Actor::System, new).unwrap().member.id,
                        course.id,
                    )
                })
                .collect();
            (t.id(), pairs)
        };
        let store = SqliteStore::open(&path).unwrap();
        for (member, product) in pairs.iter().cycle().take(200) {
            let facts =
                memberkit::store::read(&store, |tx| tx.access_facts(tenant, *member, *product))
                    .unwrap();
            assert!(facts.is_some());
        }
        let pool = store.readers.as_ref().unwrap();
        let conn = lock(&pool.idle).pop().unwrap();
        let stmt = conn.prepare_cached(tx::ACCESS_FACTS_SQL).unwrap();
        assert!(
            stmt.get_status(StatementStatus::VmStep) > 0,
            "it is the statement that ran"
        );
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
    }
}
