//! The store's report on itself (`Hub::check`, `memberkit doctor`): engine, schema version,
//! size (on Citus, of every shard), and the kept member counts against the rows.

use crate::stats::OPERATOR;
use crate::{pg_err, SCHEMA_VERSION};
use memberkit::{Result, StoreReport};

pub(crate) fn report(
    client: &mut postgres::Client,
    migrated: &[i64],
    on_citus: bool,
) -> Result<StoreReport> {
    let version: i32 = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM memberkit_migrations",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(pg_err)?;
    // The coordinator's own tables are empty on Citus: the shards hold the rows.
    let size_sql = match on_citus {
        true => {
            "SELECT coalesce(sum(citus_total_relation_size(p.logicalrelid)), 0)::bigint
                 FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
                 WHERE c.relnamespace = current_schema()::regnamespace"
        }
        false => {
            "SELECT coalesce(sum(pg_total_relation_size(oid)), 0)::bigint FROM pg_class
                  WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"
        }
    };
    let size: i64 = client
        .query_one(size_sql, &[])
        .and_then(|r| r.try_get(0))
        .map_err(pg_err)?;
    let mismatches = client
        .query(
            &format!(
                "{OPERATOR} SELECT tenant_id, status, sum(kept)::bigint, sum(counted)::bigint FROM (
                     SELECT tenant_id, status, n AS kept, 0 AS counted FROM member_counts
                     UNION ALL
                     SELECT tenant_id, status, 0, 1 FROM members) x
                 GROUP BY tenant_id, status HAVING sum(kept) <> sum(counted)"
            ),
            &[],
        )
        .map_err(pg_err)?;
    let mut problems = Vec::new();
    for row in mismatches {
        let (tenant, status, kept, counted): (uuid::Uuid, String, i64, i64) = (
            row.try_get(0).map_err(pg_err)?,
            row.try_get(1).map_err(pg_err)?,
            row.try_get(2).map_err(pg_err)?,
            row.try_get(3).map_err(pg_err)?,
        );
        problems.push(format!(
            "member_counts of tenant {tenant} says {kept} {status} members; the rows say {counted}"
        ));
    }
    Ok(StoreReport {
        engine: if on_citus { "citus" } else { "postgresql" }.into(),
        schema_version: Some(i64::from(version)),
        latest_schema_version: Some(i64::from(SCHEMA_VERSION)),
        migrated_at_open: migrated.to_vec(),
        size_bytes: u64::try_from(size).ok(),
        problems,
    })
}
