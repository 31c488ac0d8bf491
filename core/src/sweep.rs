//! `Hub::sweep`: the events that come due with time rather than with a call (an access about to
//! end, ended or begun; an invite that lapsed), written to the outbox exactly once.
//!
//! Each tenant keeps the instant its last sweep covered (`swept_until`). A sweep covers
//! `(swept_until, now]` for each tenant in that tenant's own write transaction, and moves the
//! mark to `now` in it: the store's tenant lock (SQLite's single writer; PostgreSQL's tenant
//! row) makes a second sweep running at once wait, then find nothing left to do. So sweeps in
//! several processes never write an event twice, and a crashed one leaves its window to the next.

use crate::error::{Error, Result};
use crate::event_kind;
use crate::hub::Hub;
use crate::ids::*;
use crate::model::*;
use crate::op::{invite_payload, rfc3339, Op};
use crate::policy::invites::filter;
use crate::store::{self, GrantInstant, Tx};
use serde_json::json;
use std::collections::HashMap;
use time::OffsetDateTime;

/// What one sweep wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SweepReport {
    /// Tenants whose window it covered.
    pub tenants: usize,
    /// Outbox events it wrote.
    pub events: usize,
}

impl Hub {
    /// Writes the outbox events that came due up to `now` (the hub's clock when `None`), once
    /// each however often and from however many processes it runs: `access.expiring` (at each
    /// of the tenant's `expiry_reminders` before a grant ends), `access.expired`,
    /// `access.started` (a grant that starts later) and `invite.expired`. Call it from the
    /// host's scheduler every few minutes; an event comes due at its instant and is written
    /// by the first sweep after it. Only events for active members are written. A tenant's
    /// first sweep starts its clock (tenants created from this version on start at creation).
    /// `invalid_input` for a `now` later than the hub's clock: a sweep never runs ahead.
    pub fn sweep(&self, now: Option<OffsetDateTime>) -> Result<SweepReport> {
        let clock = self.now();
        let now = now.unwrap_or(clock);
        if now > clock {
            return Err(Error::invalid(
                "now",
                format!(
                    "{} is after the hub's clock: a sweep never runs ahead",
                    rfc3339(now)
                ),
            ));
        }
        let tenants = store::read(self.store(), |tx| tx.tenant_ids())?;
        let mut report = SweepReport::default();
        for tenant in tenants {
            let written = store::write(self.store(), |tx| sweep_tenant(tx, tenant, now))?;
            if let Some(events) = written {
                report.tenants += 1;
                report.events += events;
            }
        }
        Ok(report)
    }
}

/// Covers one tenant's window; `None` when there was nothing to cover.
fn sweep_tenant(tx: &dyn Tx, tenant: TenantId, now: OffsetDateTime) -> Result<Option<usize>> {
    let Some(mut info) = tx.tenant(tenant)? else {
        return Ok(None);
    };
    let from = match info.swept_until {
        Some(from) if from < now => from,
        Some(_) => return Ok(None),
        // Never swept (a tenant from before sweeps): start the clock now.
        None => now,
    };
    let op = Op::new(tx, tenant, Actor::System, now);
    let mut due = Due::new(&op);
    if from < now {
        due.grants(
            GrantInstant::Starts,
            from,
            now,
            event_kind::ACCESS_STARTED,
            None,
        )?;
        due.grants(
            GrantInstant::Expires,
            from,
            now,
            event_kind::ACCESS_EXPIRED,
            None,
        )?;
        for &lead in &info.settings.expiry_reminders {
            let (after, until) = (from + lead, now + lead);
            due.grants(
                GrantInstant::Expires,
                after,
                until,
                event_kind::ACCESS_EXPIRING,
                Some(lead),
            )?;
        }
        due.invites(from, now)?;
    }
    info.swept_until = Some(now);
    tx.update_tenant(&info)?;
    Ok(Some(due.written))
}

/// The events of one tenant's window, written as they are found.
struct Due<'a> {
    op: &'a Op<'a>,
    members: HashMap<MemberId, Option<Member>>,
    products: HashMap<ProductId, Product>,
    written: usize,
}

impl<'a> Due<'a> {
    fn new(op: &'a Op<'a>) -> Self {
        Self {
            op,
            members: HashMap::new(),
            products: HashMap::new(),
            written: 0,
        }
    }

    /// The grant events of `(after, until]` on `instant`; for a reminder, `lead` before it.
    fn grants(
        &mut self,
        instant: GrantInstant,
        after: OffsetDateTime,
        until: OffsetDateTime,
        kind: &str,
        lead: Option<time::Duration>,
    ) -> Result<()> {
        let op = self.op;
        for grant in op.tx.grants_between(op.tenant, instant, after, until)? {
            let at = match instant {
                GrantInstant::Starts => grant.starts_at,
                GrantInstant::Expires => grant.expires_at,
            };
            let Some(at) = at else { continue };
            let due_at = at - lead.unwrap_or_default();
            // A reminder for a grant made after it came due would be wrong ("7 days left"
            // for a grant that had 2): only what existed at the instant is told.
            if grant.granted_at > due_at {
                continue;
            }
            let Some(member) = self.active_member(grant.member_id)? else {
                continue;
            };
            let product = self.product(grant.product_id)?;
            let mut payload = json!({
                "member_id": member.id, "email": member.email, "name": member.name,
                "product_id": product.id, "product_name": product.name,
                "grant_id": grant.id, "due_at": rfc3339(due_at),
                "starts_at": grant.starts_at.map(rfc3339),
                "expires_at": grant.expires_at.map(rfc3339),
            });
            if let Some(lead) = lead {
                payload["lead_secs"] = json!(lead.whole_seconds());
            }
            op.emit(kind, payload)?;
            self.written += 1;
        }
        Ok(())
    }

    /// `invite.expired` for every invite still pending whose lifetime ended in the window.
    fn invites(&mut self, after: OffsetDateTime, until: OffsetDateTime) -> Result<()> {
        let op = self.op;
        // No page limit: a window holds what it holds (i64::MAX is what every store can bind).
        let mut lapsed = filter(Some(InviteStatus::Expired), until, i64::MAX as usize);
        lapsed.expires_after = Some(after);
        for invite in op.tx.invites(op.tenant, &lapsed)? {
            let mut payload = invite_payload(&invite);
            payload["due_at"] = json!(rfc3339(invite.expires_at));
            op.emit(event_kind::INVITE_EXPIRED, payload)?;
            self.written += 1;
        }
        Ok(())
    }

    fn active_member(&mut self, id: MemberId) -> Result<Option<Member>> {
        if !self.members.contains_key(&id) {
            let member = self.op.tx.member(self.op.tenant, id)?;
            let active = member.filter(|m| m.status == MemberStatus::Active);
            self.members.insert(id, active);
        }
        Ok(self.members[&id].clone())
    }

    fn product(&mut self, id: ProductId) -> Result<Product> {
        if !self.products.contains_key(&id) {
            let product = self.op.product(id)?;
            self.products.insert(id, product);
        }
        Ok(self.products[&id].clone())
    }
}
