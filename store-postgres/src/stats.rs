//! Counts across every tenant for `Hub::stats`: raw rows, no rule (the core names statuses).
//! On Citus each reaches every shard: they carry [`OPERATOR`], which the documented
//! multi-shard statements list.

use crate::rows::*;
use crate::transaction::PgTx;
use memberkit::*;
use time::OffsetDateTime;

/// The marker of the operators' hub-wide statements (stats, doctor).
pub(crate) const OPERATOR: &str = "/* memberkit:operator */";

impl PgTx<'_> {
    pub(crate) fn count_hub(&self, now: OffsetDateTime) -> Result<HubCounts> {
        let count = |sql: &str| -> Result<usize> {
            let n: Option<i64> = self.one(&format!("{OPERATOR} {sql}"), &[], |r| get(r, 0))?;
            Ok(n.unwrap_or(0) as usize)
        };
        let members = self
            .all(
                &format!(
                    "{OPERATOR} SELECT status, sum(n)::bigint FROM member_counts GROUP BY status"
                ),
                &[],
                |r| Ok((get::<String>(r, 0)?, get::<i64>(r, 1)?)),
            )?
            .into_iter()
            .map(|(s, n)| Ok((s.parse::<MemberStatus>()?, n as usize)))
            .collect::<Result<_>>()?;
        let past: Option<i64> = self.one(
            &format!(
                "{OPERATOR} SELECT count(*) FROM invites WHERE status = 'pending' AND expires_at <= $1"
            ),
            &[&now],
            |r| get(r, 0),
        )?;
        Ok(HubCounts {
            tenants: count("SELECT count(*) FROM tenants")?,
            members,
            open_grants: count("SELECT count(*) FROM grants WHERE revoked_at IS NULL")?,
            pending_invites: count("SELECT count(*) FROM invites WHERE status = 'pending'")?,
            pending_invites_past_expiry: past.unwrap_or(0) as usize,
            accepted_invites: count("SELECT count(*) FROM invites WHERE status = 'accepted'")?,
            revoked_invites: count("SELECT count(*) FROM invites WHERE status = 'revoked'")?,
            declined_invites: count(
                "SELECT count(*) FROM invites WHERE status = 'revoked' AND declined_at IS NOT NULL",
            )?,
            outbox_pending: count("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")?,
        })
    }
}
