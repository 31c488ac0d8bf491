//! The per-tenant member counts (`member_counts`): kept by every member insert, status change
//! and delete in the same transaction (under the tenant's row lock, so they add no waiting),
//! read by the customer list's count when no filter needs the members themselves.

use crate::rows::*;
use crate::transaction::PgTx;
use memberkit::store::{CustomerFilter, KeptCount};
use memberkit::*;

/// Adds each `(status, delta)` to the tenant's counts, in one statement. A `VALUES` list (not
/// `unnest`) so a sharded PostgreSQL routes it to the tenant's shard like any single-row write.
pub(crate) fn add_to_counts(tx: &PgTx<'_>, tenant: TenantId, deltas: &[(&str, i64)]) -> Result<()> {
    if deltas.is_empty() {
        return Ok(());
    }
    let t = tenant.u();
    let rows: Vec<String> = (0..deltas.len())
        .map(|i| format!("($1, ${}, ${}::bigint)", 2 * i + 2, 2 * i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO member_counts (tenant_id, status, n) VALUES {}
         ON CONFLICT (tenant_id, status) DO UPDATE SET n = member_counts.n + excluded.n",
        rows.join(", ")
    );
    let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&t];
    for (status, delta) in deltas {
        params.push(status);
        params.push(delta);
    }
    tx.exec(&sql, &params).map(drop)
}

/// The count from `member_counts` when the filter asks only about status; `None` when it
/// needs the members ([`CustomerFilter::kept_count`] decides).
pub(crate) fn kept_count(
    tx: &PgTx<'_>,
    tenant: TenantId,
    f: &CustomerFilter,
) -> Result<Option<usize>> {
    let status = match f.kept_count() {
        KeptCount::Rows => return Ok(None),
        KeptCount::Zero => return Ok(Some(0)),
        KeptCount::Sum(status) => status.map(|s| s.as_str()),
    };
    let n = tx.one(
        "SELECT coalesce(sum(n), 0)::bigint FROM member_counts
         WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)",
        &[&tenant.u(), &status],
        |r| get::<i64>(r, 0),
    )?;
    Ok(Some(n.unwrap_or(0) as usize))
}
