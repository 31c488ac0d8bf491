//! The store's report on itself (`Hub::check`, `memberkit doctor`): schema version, size,
//! SQLite's own integrity check, and the kept member counts against the rows.

use crate::{schema, sql_err};
use memberkit::{Result, StoreReport};
use rusqlite::Connection;

pub(crate) fn report(conn: &Connection, migrated: &[i64]) -> Result<StoreReport> {
    let version: i64 = conn
        .query_row(
            "SELECT coalesce(max(version), 0) FROM memberkit_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(sql_err)?;
    let size: i64 = conn
        .query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )
        .map_err(sql_err)?;
    let mut problems: Vec<String> = Vec::new();
    let mut check = conn.prepare("PRAGMA quick_check").map_err(sql_err)?;
    let found = check
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(sql_err)?;
    for line in found {
        let line = line.map_err(sql_err)?;
        if line != "ok" {
            problems.push(format!("sqlite quick_check: {line}"));
        }
    }
    problems.extend(count_mismatches(conn)?);
    Ok(StoreReport {
        engine: "sqlite".into(),
        schema_version: Some(version),
        latest_schema_version: schema::MIGRATIONS.last().map(|m| m.0),
        migrated_at_open: migrated.to_vec(),
        size_bytes: u64::try_from(size).ok(),
        problems,
    })
}

/// Each tenant and status whose kept count (`member_counts`) differs from its member rows.
fn count_mismatches(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare(
            "SELECT tenant_id, status, sum(kept), sum(counted) FROM (
                 SELECT tenant_id, status, n AS kept, 0 AS counted FROM member_counts
                 UNION ALL
                 SELECT tenant_id, status, 0, 1 FROM members)
             GROUP BY tenant_id, status HAVING sum(kept) <> sum(counted)",
        )
        .map_err(sql_err)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(format!(
                "member_counts of tenant {} says {} {} members; the rows say {}",
                r.get::<_, uuid::Uuid>(0)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(3)?
            ))
        })
        .map_err(sql_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(sql_err)
}
