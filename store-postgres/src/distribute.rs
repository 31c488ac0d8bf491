//! Distribution on Citus: on a database where the `citus` extension exists (a coordinator), the
//! store places every table after migrating, so `PgStore::open` on a coordinator just works.
//! Tables already placed are left alone, so later migrations run on a distributed schema (their
//! DDL propagates; a new table is placed when they finish).

use crate::pg_err;
use memberkit::Result;

/// Where a table lives on a Citus cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Split by `tenant_id`, co-located with `tenants`: a tenant's rows share one shard, so
    /// every tenant statement is a one-shard router query, joins included.
    ByTenant,
    /// Split by this column of its own: a hub-wide lookup by that key reaches one shard.
    ByKey(&'static str),
    /// A copy on every node: small, rarely written, read anywhere.
    Reference,
}

/// Every table, where it lives on Citus, and why. The catalog test fails on a table missing
/// here.
pub const CITUS_PLACEMENT: &[(&str, Placement, &str)] = &[
    (
        "tenants",
        Placement::ByTenant,
        "the tenant's own row, and the lock its writers take",
    ),
    ("members", Placement::ByTenant, "tenant data"),
    ("workspaces", Placement::ByTenant, "tenant data"),
    ("custom_roles", Placement::ByTenant, "tenant data"),
    ("role_assignments", Placement::ByTenant, "tenant data"),
    ("credentials", Placement::ByTenant, "tenant data"),
    ("products", Placement::ByTenant, "tenant data"),
    ("grants", Placement::ByTenant, "tenant data"),
    ("invites", Placement::ByTenant, "tenant data"),
    ("impersonations", Placement::ByTenant, "tenant data"),
    ("audit_log", Placement::ByTenant, "tenant data"),
    (
        "outbox",
        Placement::ByTenant,
        "tenant data (the hub-wide outbox read asks every shard)",
    ),
    ("invite_links", Placement::ByTenant, "tenant data"),
    ("bundle_items", Placement::ByTenant, "tenant data"),
    (
        "workspace_domains",
        Placement::ByTenant,
        "tenant data (claim by domain asks every shard)",
    ),
    ("member_counts", Placement::ByTenant, "tenant data"),
    (
        "token_routes",
        Placement::ByKey("token_digest"),
        "a token arrives before its tenant is known: its digest finds one shard",
    ),
    (
        "pending_invite_routes",
        Placement::ByKey("email_key"),
        "sign-up's claim looks an email up across tenants: the email finds one shard",
    ),
    (
        "memberkit_migrations",
        Placement::Reference,
        "the schema version, read when an app server starts",
    ),
];

/// The statements that may reach every shard on Citus, by a fragment of their SQL, and why:
/// the hub-wide lookups the core names as such. Every other statement is a one-shard router
/// query (the Citus conformance run fails on any other that is not).
pub const MULTI_SHARD_STATEMENTS: &[(&str, &str)] = &[
    (
        "SELECT tenant_id FROM tenants ORDER BY tenant_id",
        "every tenant's id: the sweep and operators' listings",
    ),
    (
        "FROM members WHERE email_key = $1 ORDER BY tenant_id",
        "one email's memberships across tenants (\"your workspaces\", claim)",
    ),
    (
        "FROM workspace_domains WHERE domain = $1 ORDER BY tenant_id",
        "the tenants whose workspaces verified a domain (sign-up by domain)",
    ),
    (
        "FROM outbox WHERE delivered_at IS NULL",
        "the hub-wide outbox a mail worker reads",
    ),
    (
        "UPDATE outbox SET delivered_at = $1 WHERE id = ANY($2)",
        "acknowledging hub-wide outbox events",
    ),
    (
        "/* memberkit:operator */",
        "an operator's counts and checks across every tenant (memberkit stats, doctor)",
    ),
];

/// Places every table not yet placed and creates the delegated functions, when the database is
/// a Citus coordinator; whether it is one.
pub(crate) fn distribute(client: &mut postgres::Client) -> Result<bool> {
    let coordinator: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(pg_err)?;
    if !coordinator {
        return Ok(false);
    }
    let mut tx = client.transaction().map_err(pg_err)?;
    // One lock for the whole cluster, not per schema: app servers starting together place the
    // tables once, and hubs in other schemas opening at the same time (tests do) would otherwise
    // deadlock on the catalogs Citus locks while it distributes a function. Placement runs
    // once per schema; later opens only look, so serializing them costs little.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('memberkit:citus-placement'))",
        &[],
    )
    .map_err(pg_err)?;
    // Foreign keys between shards being created in one transaction need one connection per node.
    tx.batch_execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
        .map_err(pg_err)?;
    for (table, placement, _) in CITUS_PLACEMENT {
        let placed: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_dist_partition
                 WHERE logicalrelid = to_regclass(format('%I.%I', current_schema(), $1::text)))",
                &[table],
            )
            .and_then(|r| r.try_get(0))
            .map_err(pg_err)?;
        if placed {
            continue;
        }
        let qualified = "format('%I.%I', current_schema(), $1::text)";
        let sql = match placement {
            // A colocation group of its own: by default Citus would join any group of uuid
            // tables with as many shards (another app's, another hub's schema), and moving one
            // of their shards would move this hub's along with it.
            Placement::ByTenant if *table == "tenants" => format!(
                "SELECT create_distributed_table({qualified}, 'tenant_id', colocate_with => 'none')"
            ),
            Placement::ByTenant => format!(
                "SELECT create_distributed_table({qualified}, 'tenant_id',
                     colocate_with => format('%I.%I', current_schema(), 'tenants'))"
            ),
            Placement::ByKey(column) => {
                format!("SELECT create_distributed_table({qualified}, '{column}')")
            }
            Placement::Reference => format!("SELECT create_reference_table({qualified})"),
        };
        tx.execute(sql.as_str(), &[table]).map_err(pg_err)?;
    }
    crate::delegated::create(&mut tx)?;
    tx.commit().map_err(pg_err)?;
    Ok(true)
}
