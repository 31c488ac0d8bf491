//! Counts across every tenant for `Hub::stats`: raw rows, no rule (the core names statuses).

use super::SqlTx;
use crate::rows::*;
use memberkit::time::OffsetDateTime;
use memberkit::*;
use rusqlite::params;

impl SqlTx<'_> {
    pub(super) fn count_hub(&self, now: OffsetDateTime) -> Result<HubCounts> {
        let count = |sql: &str| -> Result<usize> {
            Ok(self.one(sql, [], |r| r.get::<_, i64>(0))?.unwrap_or(0) as usize)
        };
        let members = self
            .all(
                "SELECT status, sum(n) FROM member_counts GROUP BY status",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )?
            .into_iter()
            .map(|(s, n)| Ok((s.parse::<MemberStatus>()?, n as usize)))
            .collect::<Result<_>>()?;
        Ok(HubCounts {
            tenants: count("SELECT count(*) FROM tenants")?,
            members,
            open_grants: count("SELECT count(*) FROM grants WHERE revoked_at IS NULL")?,
            pending_invites: count("SELECT count(*) FROM invites WHERE status = 'pending'")?,
            pending_invites_past_expiry: self
                .one(
                    "SELECT count(*) FROM invites WHERE status = 'pending' AND expires_at <= ?1",
                    params![ts(now)],
                    |r| r.get::<_, i64>(0),
                )?
                .unwrap_or(0) as usize,
            accepted_invites: count("SELECT count(*) FROM invites WHERE status = 'accepted'")?,
            revoked_invites: count("SELECT count(*) FROM invites WHERE status = 'revoked'")?,
            declined_invites: count(
                "SELECT count(*) FROM invites
                 WHERE status = 'revoked' AND declined_at IS NOT NULL",
            )?,
            outbox_pending: count("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")?,
        })
    }
}
