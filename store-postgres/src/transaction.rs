//! One transaction on one pooled connection: how it begins, locks its tenants, runs
//! statements, and ends; and why a failed one may be run again.

use crate::conn::Conn;
use crate::rows::{get, AsUuid};
use crate::{pg_err, Mode};
use memberkit::*;
use postgres::types::{ToSql, Type};
use postgres::Row;
use std::cell::{Cell, RefCell};

/// A SQL string built once from the `*_COLS` constants (the statement cache is keyed by text).
macro_rules! const_sql {
    ($($fmt:tt)*) => {{
        static SQL: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| format!($($fmt)*));
        SQL.as_str()
    }};
}
pub(crate) use const_sql;

pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Arguments with their types, for a statement sent in one round trip
/// ([`PgTx::rows_planned_now`]).
pub(crate) type TypedParams<'a> = &'a [(&'a (dyn ToSql + Sync), Type)];

/// Why a transaction lost, when it did: it may be run again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Lost {
    /// A serialization failure or a deadlock.
    Concurrent,
    /// A unique index a concurrent transaction filled first (or a real duplicate: retried a
    /// few times only).
    UniqueIndex,
    /// Citus moved or split a shard under a statement planned for its old placement ("could
    /// not find valid entry for shard"): run again with fresh plans, it reaches the new one.
    ShardMove,
}

/// A failed transaction: the error, and whether running it again may succeed.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) lost: Option<Lost>,
}

/// Whether `e` means the transaction lost to a concurrent one, and how.
fn lost_by(e: &postgres::Error) -> Option<Lost> {
    use postgres::error::SqlState;
    let code = e.code()?;
    if *code == SqlState::UNIQUE_VIOLATION {
        Some(Lost::UniqueIndex)
    } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
        || *code == SqlState::T_R_DEADLOCK_DETECTED
    {
        Some(Lost::Concurrent)
    } else if e
        .as_db_error()
        .is_some_and(|d| d.message().contains("could not find valid entry for shard"))
    {
        Some(Lost::ShardMove)
    } else {
        None
    }
}

pub(crate) struct PgTx<'c> {
    conn: RefCell<&'c mut Conn>,
    mode: Mode,
    /// Tenants whose row this write transaction has locked (see [`PgTx::enter`]).
    locked: RefCell<Vec<TenantId>>,
    /// Set when a statement failed because of a concurrent transaction.
    lost: Cell<Option<Lost>>,
    /// Whether the transaction is still open (dropping it then rolls it back).
    open: Cell<bool>,
}

impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        if self.open.get() {
            // Also on panic: the connection goes back to the pool outside any transaction.
            let _ = self.conn.get_mut().client.batch_execute("ROLLBACK");
        }
    }
}

/// Runs `f` in one transaction of `mode` on `conn`.
pub(crate) fn in_transaction(
    conn: &mut Conn,
    mode: Mode,
    f: &mut dyn FnMut(&dyn Tx) -> Result<()>,
) -> std::result::Result<(), Failure> {
    // Reads: one snapshot. Writes: each tenant's writers take turns on its row lock (see
    // `PgTx::enter`), and every statement after the lock sees what earlier turns committed.
    let begin = match mode {
        Mode::Read => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        Mode::Write | Mode::Rehearse => "BEGIN ISOLATION LEVEL READ COMMITTED",
    };
    conn.client.batch_execute(begin).map_err(|e| Failure {
        lost: None,
        error: pg_err(e),
    })?;
    let tx = PgTx {
        conn: RefCell::new(conn),
        mode,
        locked: RefCell::new(Vec::new()),
        lost: Cell::new(None),
        open: Cell::new(true),
    };
    if let Err(error) = f(&tx) {
        return Err(Failure {
            error,
            lost: tx.lost.get(),
        });
    }
    if mode == Mode::Rehearse {
        return Ok(()); // dropping `tx` rolls back
    }
    tx.open.set(false);
    let committed = tx.conn.borrow_mut().client.batch_execute("COMMIT");
    committed.map_err(|e| Failure {
        lost: lost_by(&e),
        error: pg_err(e),
    })
}

/// Runs `f`, which issues one statement, in autocommit mode: the statement is its own
/// snapshot, without BEGIN and COMMIT (`has_access`'s and `can`'s facts).
pub(crate) fn one_statement<R>(
    conn: &mut Conn,
    f: impl FnOnce(&PgTx) -> Result<R>,
) -> std::result::Result<R, Failure> {
    let tx = PgTx {
        conn: RefCell::new(conn),
        mode: Mode::Read,
        locked: RefCell::new(Vec::new()),
        lost: Cell::new(None),
        open: Cell::new(false),
    };
    f(&tx).map_err(|error| Failure {
        error,
        lost: tx.lost.get(),
    })
}

impl PgTx<'_> {
    /// Before a write transaction first touches a tenant, it takes that tenant's row lock
    /// (held to commit): one tenant's writers run one at a time, as on SQLite, while other
    /// tenants' writers never wait for them, and every check the core makes (the last admin,
    /// a role in use, an invite still pending) holds until commit. Statements run at READ
    /// COMMITTED, so after the lock they see every earlier writer's rows. A hub-wide call that
    /// reaches several tenants locks each as it reaches it; two that cross are a deadlock,
    /// which PostgreSQL breaks and the store retries.
    ///
    /// The lock is an UPDATE that changes nothing, not `SELECT … FOR NO KEY UPDATE`: on Citus
    /// only a modification holds the shard's metadata lock to commit, so a shard move waits for
    /// the lock holder. A SELECT's row lock stays on the old placement while the next writer
    /// locks the new one, and both run at once (found by the online test: an invite accepted
    /// twice during a move).
    pub(crate) fn enter(&self, tenant: TenantId) -> Result<()> {
        if self.mode == Mode::Read || self.locked.borrow().contains(&tenant) {
            return Ok(());
        }
        self.exec(
            "UPDATE tenants SET name = name WHERE tenant_id = $1",
            &[&tenant.u()],
        )?;
        self.locked.borrow_mut().push(tenant);
        Ok(())
    }

    fn check<T>(&self, r: std::result::Result<T, postgres::Error>) -> Result<T> {
        r.map_err(|e| {
            if let Some(lost) = lost_by(&e) {
                self.lost.set(Some(lost));
                if lost == Lost::ShardMove {
                    self.conn.borrow_mut().forget_statements();
                }
            }
            pg_err(e)
        })
    }

    pub(crate) fn exec(&self, sql: &str, params: Params<'_>) -> Result<u64> {
        let mut conn = self.conn.borrow_mut();
        let stmt = conn.prepared(sql)?;
        let r = conn.client.execute(&stmt, params);
        drop(conn);
        self.check(r)
    }

    /// Whether the database is a Citus coordinator.
    pub(crate) fn on_citus(&self) -> bool {
        self.conn.borrow().on_citus
    }

    pub(crate) fn rows(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        let mut conn = self.conn.borrow_mut();
        let stmt = conn.prepared(sql)?;
        let r = conn.client.query(&stmt, params);
        drop(conn);
        self.check(r)
    }

    /// Runs `sql` planned for these very values (the unnamed statement), not through the
    /// statement cache: PostgreSQL switches a cached statement to a generic plan after five
    /// runs, and a list query's best plan depends on its search term and page size (measured:
    /// a generic plan made the customer search 6x slower than the same query by hand). The
    /// arguments' types are given, so parse, bind and execute go in one round trip (asking the
    /// server for them took one more, and closing the statement a third).
    pub(crate) fn rows_planned_now(&self, sql: &str, params: TypedParams<'_>) -> Result<Vec<Row>> {
        let r = self.conn.borrow_mut().client.query_typed(sql, params);
        self.check(r)
    }

    /// [`PgTx::all`], planned for these very values ([`PgTx::rows_planned_now`]): for lookups by
    /// an array of thousands of keys, which a generic plan searches linearly for every row.
    pub(crate) fn all_planned_now<T>(
        &self,
        sql: &str,
        params: TypedParams<'_>,
        map: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.rows_planned_now(sql, params)?
            .iter()
            .map(map)
            .collect()
    }

    pub(crate) fn all<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        map: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.rows(sql, params)?.iter().map(map).collect()
    }

    pub(crate) fn one<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        map: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut conn = self.conn.borrow_mut();
        let stmt = conn.prepared(sql)?;
        let r = conn.client.query_opt(&stmt, params);
        drop(conn);
        self.check(r)?.as_ref().map(map).transpose()
    }

    /// The tenant a token digest routes to (the hub-wide `token_routes` lookup).
    pub(crate) fn token_tenant(&self, digest: &TokenDigest) -> Result<Option<uuid::Uuid>> {
        self.one(
            "SELECT tenant_id FROM token_routes WHERE token_digest = $1",
            &[&&digest.0[..]],
            |r| get(r, 0),
        )
    }
}
