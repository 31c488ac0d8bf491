//! `memberkit_reads=workers` in the URL: on Citus, `has_access` and `can` go straight to the
//! worker that holds the tenant's shard, not through the coordinator.
//!
//! Why: through a coordinator every call is planned twice and crosses one more hop; on the
//! worker holding the shard Citus runs the same call locally (measured on the benchmark's
//! cluster: 1.4-1.5x the calls per second, and none of the coordinator's CPU). Citus runs any
//! query from any worker (its metadata is on every node), so where a call is sent decides only
//! its speed, never its answer: a route found before the shard moved reaches the old node,
//! which forwards it. Routes are therefore cached for a short while, and any failure on a
//! worker (down, unreachable, a pool that is busy) makes the coordinator answer the call, so
//! callers see the coordinator's result and errors exactly.
//!
//! Workers are reached at the address the coordinator knows them by (`pg_dist_node`) with the
//! URL's user, password, database and options.

use crate::conn::{Conn, Manager};
use crate::pg_err;
use memberkit::{Error, Result, TenantId};
use postgres::Client;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The URL query parameter that turns worker reads on (`workers`) or off (`coordinator`).
pub(crate) const PARAMETER: &str = "memberkit_reads";

/// How long a tenant's route is used before it is looked up again (a stale one is only slower).
const ROUTE_TTL: Duration = Duration::from_secs(10);
/// How long a worker that could not be reached is left alone before it is tried again.
const DOWN_FOR: Duration = Duration::from_secs(5);
/// How long a call waits for a worker connection before the coordinator answers it instead.
const WORKER_CHECKOUT: Duration = Duration::from_millis(500);
/// How long connecting to a worker may take (r2d2 connects in the background).
const WORKER_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Routes kept at most; past it the cache starts over (one lookup per tenant again).
const MAX_ROUTES: usize = 100_000;
/// How worker connections show in `pg_stat_activity` when the URL names no application.
const APPLICATION_NAME: &str = "memberkit worker reads";

/// Splits `memberkit_reads=…` off a URL's query: the URL the driver gets, and whether reads go
/// to the workers. `invalid_input` for a value other than `workers` or `coordinator`.
pub(crate) fn split_url(url: &str) -> Result<(String, bool)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), false));
    };
    let mut workers = false;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some((PARAMETER, "workers")) => workers = true,
            Some((PARAMETER, "coordinator")) => workers = false,
            Some((PARAMETER, other)) => {
                return Err(Error::invalid(
                    "target",
                    format!("{PARAMETER}={other}: use {PARAMETER}=workers or =coordinator"),
                ))
            }
            _ => kept.push(pair),
        }
    }
    let url = match kept.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", kept.join("&")),
    };
    Ok((url, workers))
}

/// A worker's address, as the coordinator knows it.
type Node = (String, u16);

/// Connections to the workers and where each tenant's shard is.
pub(crate) struct WorkerReads {
    config: postgres::Config,
    max_connections: u32,
    pools: Mutex<HashMap<Node, Worker>>,
    routes: Mutex<HashMap<TenantId, (Node, Instant)>>,
}

struct Worker {
    pool: r2d2::Pool<Manager>,
    /// Set when a connection could not be made: until then the coordinator answers.
    down_until: Option<Instant>,
}

impl WorkerReads {
    /// Worker reads for the store at `config`, after checking on the coordinator that the
    /// workers hold Citus's metadata (else they cannot run the calls).
    pub(crate) fn new(
        config: &postgres::Config,
        max_connections: u32,
        coordinator: &mut Client,
    ) -> Result<Self> {
        let synced: Option<bool> = coordinator
            .query_one(
                "SELECT bool_and(hasmetadata AND metadatasynced) FROM pg_dist_node
                 WHERE groupid <> 0 AND noderole = 'primary' AND isactive",
                &[],
            )
            .and_then(|r| r.try_get(0))
            .map_err(pg_err)?;
        if synced != Some(true) {
            return Err(Error::invalid(
                "target",
                format!(
                    "{PARAMETER}=workers needs workers that hold Citus's metadata \
                     (citus_activate_node); this cluster's do not"
                ),
            ));
        }
        let mut config = config.clone();
        if config.get_application_name().is_none() {
            config.application_name(APPLICATION_NAME);
        }
        Ok(Self {
            config,
            max_connections,
            pools: Mutex::new(HashMap::new()),
            routes: Mutex::new(HashMap::new()),
        })
    }

    /// A connection to the worker holding `tenant`'s shard, or `None` when the coordinator
    /// should answer (the route cannot be found, the worker is down or busy).
    pub(crate) fn checkout(
        &self,
        tenant: TenantId,
        coordinator: impl FnOnce() -> Result<r2d2::PooledConnection<Manager>>,
    ) -> Option<r2d2::PooledConnection<Manager>> {
        let node = self.route(tenant, coordinator)?;
        let pool = {
            let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
            let worker = pools
                .entry(node.clone())
                .or_insert_with(|| self.worker(&node));
            if worker.down_until.is_some_and(|t| Instant::now() < t) {
                return None;
            }
            worker.pool.clone()
        };
        match pool.get() {
            Ok(conn) => Some(conn),
            Err(_) => {
                // No connection at all means none could be made: the worker is down or
                // unreachable. (Some, all in use, means busy: only this call moves.)
                if pool.state().connections == 0 {
                    let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(worker) = pools.get_mut(&node) {
                        worker.down_until = Some(Instant::now() + DOWN_FOR);
                    }
                }
                None
            }
        }
    }

    /// Forgets `tenant`'s route, after a call on its worker failed.
    pub(crate) fn forget(&self, tenant: TenantId) {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        routes.remove(&tenant);
    }

    fn route(
        &self,
        tenant: TenantId,
        coordinator: impl FnOnce() -> Result<r2d2::PooledConnection<Manager>>,
    ) -> Option<Node> {
        {
            let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((node, found)) = routes.get(&tenant) {
                if found.elapsed() < ROUTE_TTL {
                    return Some(node.clone());
                }
            }
        }
        let mut conn = coordinator().ok()?;
        let node = lookup(&mut conn, tenant).ok()??;
        drop(conn);
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        if routes.len() >= MAX_ROUTES {
            routes.clear();
        }
        routes.insert(tenant, (node.clone(), Instant::now()));
        Some(node)
    }

    fn worker(&self, (host, port): &Node) -> Worker {
        let mut manager = Manager::new(worker_config(&self.config, host, *port));
        manager.on_citus = true;
        let pool = r2d2::Pool::builder()
            .max_size(self.max_connections)
            .min_idle(Some(0))
            .connection_timeout(WORKER_CHECKOUT)
            .test_on_check_out(false)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(manager);
        Worker {
            pool,
            down_until: None,
        }
    }
}

/// The URL's settings with the worker's address (the driver's `host` adds to a list, so the
/// settings are copied onto a new one).
fn worker_config(url: &postgres::Config, host: &str, port: u16) -> postgres::Config {
    let mut config = postgres::Config::new();
    config
        .host(host)
        .port(port)
        .connect_timeout(WORKER_CONNECT_TIMEOUT)
        .ssl_mode(url.get_ssl_mode())
        .keepalives(url.get_keepalives())
        .keepalives_idle(url.get_keepalives_idle());
    if let Some(user) = url.get_user() {
        config.user(user);
    }
    if let Some(password) = url.get_password() {
        config.password(password);
    }
    if let Some(dbname) = url.get_dbname() {
        config.dbname(dbname);
    }
    if let Some(options) = url.get_options() {
        config.options(options);
    }
    if let Some(name) = url.get_application_name() {
        config.application_name(name);
    }
    config
}

/// The worker holding `tenant`'s shard of `tenants` (all its tables are co-located with it).
fn lookup(conn: &mut Conn, tenant: TenantId) -> Result<Option<Node>> {
    let row = conn
        .client
        .query_opt(
            "SELECT n.nodename, n.nodeport FROM pg_dist_placement p
             JOIN pg_dist_node n ON n.groupid = p.groupid
             WHERE p.shardid = get_shard_id_for_distribution_column('tenants', $1::uuid)
               AND n.noderole = 'primary' AND n.isactive
             LIMIT 1",
            &[tenant.as_uuid()],
        )
        .map_err(pg_err)?;
    let Some(row) = row else { return Ok(None) };
    let host: String = row.try_get(0).map_err(pg_err)?;
    let port: i32 = row.try_get(1).map_err(pg_err)?;
    Ok(u16::try_from(port).ok().map(|port| (host, port)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_is_taken_off_the_url_the_driver_gets() {
        let split = |u: &str| split_url(u).unwrap();
        assert_eq!(
            split("postgresql://a@h/db?memberkit_reads=workers"),
            ("postgresql://a@h/db".into(), true)
        );
        assert_eq!(
            split("postgresql://a@h/db?options=-cx%3D1&memberkit_reads=workers&sslmode=disable"),
            (
                "postgresql://a@h/db?options=-cx%3D1&sslmode=disable".into(),
                true
            )
        );
        assert_eq!(
            split("postgresql://a@h/db?memberkit_reads=coordinator"),
            ("postgresql://a@h/db".into(), false)
        );
        assert_eq!(
            split("postgresql://a@h/db"),
            ("postgresql://a@h/db".into(), false)
        );
        let err = split_url("postgresql://a@h/db?memberkit_reads=replicas").unwrap_err();
        assert_eq!(err.code(), memberkit::ErrorCode::InvalidInput);
        assert!(
            err.to_string().contains("memberkit_reads=replicas"),
            "{err}"
        );
    }
}
