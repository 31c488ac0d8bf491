//! Pooled connections, each with its own prepared statements.

use crate::pg_err;
use memberkit::{Error, Result};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;

/// A connection and the statements prepared on it, by SQL text.
pub(crate) struct Conn {
    pub(crate) client: Client,
    /// Whether the database is a Citus coordinator (the hot reads call delegated functions).
    pub(crate) on_citus: bool,
    statements: HashMap<String, Statement>,
}

impl Conn {
    /// The statement for `sql`, prepared on first use on this connection.
    pub(crate) fn prepared(&mut self, sql: &str) -> Result<Statement> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(sql).map_err(pg_err)?;
        self.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }

    /// Drops every prepared statement, so each is planned afresh on next use.
    pub(crate) fn forget_statements(&mut self) {
        self.statements.clear();
    }
}

/// Opens connections for the pool.
pub(crate) struct Manager {
    config: postgres::Config,
    /// Whether the database is a Citus coordinator, known once the store has opened.
    pub(crate) on_citus: bool,
}

impl Manager {
    pub(crate) fn new(config: postgres::Config) -> Self {
        Self {
            config,
            on_citus: false,
        }
    }

    /// `host:port/dbname`: enough to tell databases apart, never the password.
    pub(crate) fn label(&self) -> String {
        let host = self
            .config
            .get_hosts()
            .first()
            .map(|h| match h {
                postgres::config::Host::Tcp(name) => name.clone(),
                postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .unwrap_or_else(|| "localhost".into());
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let db = self.config.get_dbname().unwrap_or("");
        format!("{host}:{port}/{db}")
    }

    /// A new connection, with a clear error naming the server when it cannot be made.
    pub(crate) fn connect_now(&self) -> Result<Conn> {
        // The driver's own text is "error connecting to server"; the cause says why.
        let client = self
            .config
            .connect(NoTls)
            .map_err(|e| match Error::storage(e) {
                Error::Storage { message, source } => Error::Storage {
                    message: format!(
                        "cannot connect to PostgreSQL at {}: {message}",
                        self.label()
                    ),
                    source,
                },
                other => other,
            })?;
        Ok(Conn {
            client,
            on_citus: self.on_citus,
            statements: HashMap::new(),
        })
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = Error;

    fn connect(&self) -> Result<Conn> {
        self.connect_now()
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<()> {
        conn.client.simple_query("").map(drop).map_err(pg_err)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}
