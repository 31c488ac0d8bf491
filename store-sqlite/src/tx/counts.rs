//! The per-tenant member counts (`member_counts`): kept by every member insert, status change
//! and delete in the same transaction, read by the customer list's count when no filter needs
//! the members themselves.

use super::SqlTx;
use crate::rows::*;
use memberkit::store::{CustomerFilter, KeptCount};
use memberkit::*;
use rusqlite::params;

impl SqlTx<'_> {
    /// Adds `delta` to the number of the tenant's members with `status`.
    pub(super) fn add_to_count(&self, tenant: TenantId, status: &str, delta: i64) -> Result<()> {
        self.exec(
            "INSERT INTO member_counts (tenant_id, status, n) VALUES (?1, ?2, ?3)
             ON CONFLICT (tenant_id, status) DO UPDATE SET n = n + excluded.n",
            params![tenant.u(), status, delta],
        )
        .map(drop)
    }

    /// The count from `member_counts` when the filter asks only about status; `None` when it
    /// needs the members ([`CustomerFilter::kept_count`] decides).
    pub(super) fn kept_count(&self, tenant: TenantId, f: &CustomerFilter) -> Result<Option<usize>> {
        let status = match f.kept_count() {
            KeptCount::Rows => return Ok(None),
            KeptCount::Zero => return Ok(Some(0)),
            KeptCount::Sum(status) => status.map(|s| s.as_str()),
        };
        let n = self.one(
            "SELECT coalesce(sum(n), 0) FROM member_counts
             WHERE tenant_id = ?1 AND (?2 IS NULL OR status = ?2)",
            params![tenant.u(), status],
            |r| r.get::<_, i64>(0),
        )?;
        Ok(Some(n.unwrap_or(0) as usize))
    }
}
