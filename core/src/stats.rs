//! What an operator reads about a whole hub: counts across tenants ([`Hub::stats`]) and the
//! store's report on itself ([`Hub::check`]): engine, schema version, size, integrity.

use crate::error::Result;
use crate::hub::Hub;
use crate::model::*;
use crate::store;

/// Rows of the whole hub as a store counts them in one read transaction: raw facts, which
/// [`Hub::stats`] turns into statuses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HubCounts {
    /// Tenants.
    pub tenants: usize,
    /// Members by status (from the kept counts).
    pub members: Vec<(MemberStatus, usize)>,
    /// Grants not revoked (expired ones included).
    pub open_grants: usize,
    /// Invites stored as `pending`.
    pub pending_invites: usize,
    /// Of those, the ones whose `expires_at` is not after the instant asked about.
    pub pending_invites_past_expiry: usize,
    /// Invites stored as `accepted`.
    pub accepted_invites: usize,
    /// Invites stored as `revoked` (declined ones included).
    pub revoked_invites: usize,
    /// Of those, the ones the invitee declined.
    pub declined_invites: usize,
    /// Outbox events not yet acknowledged.
    pub outbox_pending: usize,
}

/// The hub's figures for an operator (`memberkit stats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubStats {
    /// Tenants.
    pub tenants: usize,
    /// Members by status, every status listed.
    pub members: Vec<(MemberStatus, usize)>,
    /// Grants not revoked.
    pub open_grants: usize,
    /// Invites by status as [`InviteStatus`] names them now, every status listed.
    pub invites: Vec<(InviteStatus, usize)>,
    /// Outbox events not yet acknowledged: what the mail worker has still to send.
    pub outbox_pending: usize,
    /// The database's size on disk in bytes, where the store can tell.
    pub size_bytes: Option<u64>,
}

/// What a store says about itself (`memberkit doctor`, `memberkit migrate --status`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreReport {
    /// `sqlite`, `postgresql` or `citus` (a custom store: its own name).
    pub engine: String,
    /// The schema version the database is at, where the store keeps one.
    pub schema_version: Option<i64>,
    /// The latest schema version this library knows.
    pub latest_schema_version: Option<i64>,
    /// The migrations this process applied when it opened the database (opening applies every
    /// pending one, so none is left pending once a hub is open).
    pub migrated_at_open: Vec<i64>,
    /// The database's size on disk in bytes, where the store can tell.
    pub size_bytes: Option<u64>,
    /// What the store's checks found wrong (the engine's integrity check, counts it keeps that
    /// disagree with the rows); empty when all is well.
    pub problems: Vec<String>,
}

impl Hub {
    /// Counts across every tenant for an operator: members by status, open grants, invites by
    /// status (expired and declined ones told apart as the invite list tells them), the outbox
    /// backlog, the database size. Reads every tenant, so it is not for a request path.
    pub fn stats(&self) -> Result<HubStats> {
        let now = self.now();
        let counts = store::read(self.store(), |tx| tx.hub_counts(now))?;
        let report = self.store().report()?;
        let members = MemberStatus::ALL
            .iter()
            .map(|s| {
                let n = counts
                    .members
                    .iter()
                    .filter(|(m, _)| m == s)
                    .map(|(_, n)| n);
                (*s, n.sum())
            })
            .collect();
        let invites = InviteStatus::ALL
            .iter()
            .map(|s| {
                let n = match s {
                    InviteStatus::Pending => {
                        counts.pending_invites - counts.pending_invites_past_expiry
                    }
                    InviteStatus::Expired => counts.pending_invites_past_expiry,
                    InviteStatus::Accepted => counts.accepted_invites,
                    InviteStatus::Revoked => counts.revoked_invites - counts.declined_invites,
                    InviteStatus::Declined => counts.declined_invites,
                };
                (*s, n)
            })
            .collect();
        Ok(HubStats {
            tenants: counts.tenants,
            members,
            open_grants: counts.open_grants,
            invites,
            outbox_pending: counts.outbox_pending,
            size_bytes: report.size_bytes,
        })
    }

    /// The store's report on itself: engine, schema version against this library's, the
    /// migrations applied when it opened, size, and what its integrity checks found.
    pub fn check(&self) -> Result<StoreReport> {
        self.store().report()
    }
}
