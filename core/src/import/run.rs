//! Running a planned import against the store: in one transaction (a dry run, and `atomic`),
//! or in chunks that each hold the write lock for a short while, so a live site's other
//! writers never wait long behind an import of any size.

use super::parse::ValidRow;
use super::plan::{Batch, Plan};
use super::{ImportOptions, ImportOutcome, ImportRow, PlainAndHash};
use crate::error::{Error, Result};
use crate::model::Actor;
use crate::op::Op;
use crate::permission::Permission;
use crate::policy::seats::Capped;
use crate::store::{self, Tx};
use crate::tenant::Tenant;
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long one chunk may hold the write lock. Chunks are sized from how long the previous
/// one took, so the lock stays near this on any machine and any build.
const CHUNK_LOCK_TARGET: Duration = Duration::from_millis(200);
/// The first chunk's rows, before any timing is known.
const FIRST_CHUNK: usize = 500;
/// Bounds on a chunk's rows: a tiny chunk wastes a commit, a huge one would come from a
/// mis-measured fast chunk.
const CHUNK_ROWS: (usize, usize) = (50, 50_000);
/// The pause between chunks, with the lock released: long enough for a writer waiting in this
/// process (the store's mutex) or in another one (SQLite polls its lock every millisecond) to
/// get in before the next chunk starts.
const CHUNK_GAP: Duration = Duration::from_millis(5);

/// What stays the same while an import runs.
pub(super) struct Run<'a> {
    pub(super) tenant: &'a Tenant,
    pub(super) actor: Actor,
    pub(super) options: &'a ImportOptions,
    pub(super) passwords: &'a HashMap<String, PlainAndHash>,
    /// Rows in the file (valid or not): the progress callback's total.
    pub(super) total: usize,
}

/// The outcome of planning some rows in one transaction.
pub(super) struct Planned {
    /// The planned rows, in the order of the valid rows given.
    pub(super) rows: Vec<ImportRow>,
    /// The first seat cap a row did not fit under.
    pub(super) full: Option<Capped>,
    /// Rows that changed something.
    pub(super) changed: usize,
}

impl Run<'_> {
    /// Plans `valid` (rows of `rows`) in `tx` and, unless `rehearse`, writes them. In the run's
    /// last transaction `last` is how many rows earlier chunks changed, and the
    /// `import.completed` entry is written with the run's totals. `progress_inside` reports
    /// every 1,000 rows from inside the transaction (one-transaction runs only: a chunked run
    /// reports between chunks).
    pub(super) fn plan(
        &self,
        tx: &dyn Tx,
        valid: &[ValidRow],
        rows: &[ImportRow],
        rehearse: bool,
        last: Option<usize>,
        progress_inside: bool,
    ) -> Result<Planned> {
        let options = self.options;
        let tenant = self.tenant;
        let mut op = Op::new(tx, tenant.id(), self.actor, tenant.hub().now());
        op.notify = options.notify.unwrap_or(true);
        op.require(&Permission::CUSTOMERS_MANAGE)?;
        if let Some(ws) = options.workspace {
            op.workspace(ws)?;
        }
        op.require_assignable(options.role, options.workspace)?;
        let products = op.grantable_products(&options.products)?;
        let batch = Batch {
            options,
            products: &products,
            passwords: self.passwords,
            rehearse,
            invite_expires_at: crate::clock::later(
                op.now,
                op.tenant_info()?.settings.invite_lifetime,
                "expires_at",
            )?,
        };
        let keys: Vec<&str> = valid.iter().map(|v| v.email.key.as_str()).collect();
        let external_ids: Vec<&str> = valid
            .iter()
            .filter_map(|v| v.external_id.as_deref())
            .collect();
        let caps = op.seat_caps(options.workspace)?;
        let facts = tx.import_facts(op.tenant, &keys, &external_ids)?;
        let mut plan = Plan::new(&op, &batch, facts, caps);
        let mut planned: Vec<ImportRow> = valid.iter().map(|v| rows[v.index].clone()).collect();
        let mut changed = 0;
        for (done, (v, row)) in valid.iter().zip(planned.iter_mut()).enumerate() {
            if plan.row(v, row)? {
                changed += 1;
            }
            if let Some(progress) = options.progress.as_ref().filter(|_| progress_inside) {
                if (done + 1) % 1000 == 0 {
                    progress(done + 1, self.total)?;
                }
            }
        }
        if let Some(changed_earlier) = last {
            let changed = changed_earlier + changed;
            if changed > 0 {
                let mode = options.mode.as_str();
                let details = json!({ "rows": self.total, "changed": changed, "mode": mode });
                plan.audit("import.completed", tenant.id(), details);
            }
        }
        let full = plan.full();
        if !rehearse {
            tx.apply(&plan.finish())?;
        }
        if let Some(progress) = options.progress.as_ref().filter(|_| progress_inside) {
            // The last report runs inside the transaction too, so a callback that fails there
            // still undoes everything.
            progress(self.total, self.total)?;
        }
        Ok(Planned {
            rows: planned,
            full,
            changed,
        })
    }

    /// Whether planned rows stop a run that writes: a full seat cap is an error, invalid rows
    /// come back as [`Stopped`] (both only without `skip_invalid`).
    pub(super) fn stops(&self, planned: &Planned) -> Result<bool> {
        if self.options.skip_invalid {
            return Ok(false);
        }
        if let Some(cap) = planned.full {
            return Err(cap.error());
        }
        Ok(planned
            .rows
            .iter()
            .any(|r| r.outcome == ImportOutcome::Invalid))
    }

    /// Every row in one write transaction: all or none. Progress is reported inside it.
    /// Returns whether the rows were written: false when some turned out invalid (without
    /// `skip_invalid`); `rows` says which either way.
    pub(super) fn in_one_transaction(
        &self,
        valid: &[ValidRow],
        rows: &mut [ImportRow],
    ) -> Result<bool> {
        let stopped = RefCell::new(None);
        let result = store::write(self.tenant.hub().store(), |tx| {
            let planned = self.plan(tx, valid, rows, false, Some(0), true)?;
            if self.stops(&planned)? {
                // Undo the whole run: the body fails on purpose, the rows come back here.
                *stopped.borrow_mut() = Some(planned.rows);
                return Err(Error::Conflict("import stopped by invalid rows".into()));
            }
            Ok(planned.rows)
        });
        if let Some(planned) = stopped.into_inner() {
            merge(rows, valid, planned);
            return Ok(false);
        }
        merge(rows, valid, result?);
        Ok(true)
    }

    /// Chunk after chunk, each its own write transaction (all or nothing with its audit
    /// entries and events); progress is reported between chunks, with no transaction open.
    /// Returns how many rows of the file, from the top, are written: all of them, or those
    /// before the chunk where a row turned out invalid (without `skip_invalid`; it changed
    /// between the check before the run and its chunk).
    pub(super) fn in_chunks(&self, valid: &[ValidRow], rows: &mut [ImportRow]) -> Result<usize> {
        let mut start = 0;
        let mut size = FIRST_CHUNK;
        let mut changed_earlier = 0;
        loop {
            let end = (start + size).min(valid.len());
            let chunk = &valid[start..end];
            let last = end == valid.len();
            let began = Cell::new(Instant::now());
            let stopped = RefCell::new(None);
            let result = store::write(self.tenant.hub().store(), |tx| {
                began.set(Instant::now());
                let last = last.then_some(changed_earlier);
                let mut planned = self.plan(tx, chunk, rows, false, last, false)?;
                if self.stops(&planned)? {
                    *stopped.borrow_mut() = Some(std::mem::take(&mut planned.rows));
                    return Err(Error::Conflict("import stopped by invalid rows".into()));
                }
                Ok(planned)
            });
            let held = began.get().elapsed();
            if let Some(planned) = stopped.into_inner() {
                merge(rows, chunk, planned);
                return Ok(chunk.first().map_or(rows.len(), |v| v.index));
            }
            let planned = result?;
            changed_earlier += planned.changed;
            merge(rows, chunk, planned.rows);
            // Rows of the file covered so far, invalid ones included.
            let covered = match last {
                true => self.total,
                false => valid[end].index,
            };
            if let Some(progress) = &self.options.progress {
                progress(covered, self.total)?;
            }
            if last {
                return Ok(rows.len());
            }
            start = end;
            size = next_chunk(size, held);
            std::thread::sleep(CHUNK_GAP);
        }
    }
}

/// The next chunk's rows, from how long the last one held the lock: scaled toward
/// [`CHUNK_LOCK_TARGET`], at most doubling or halving at a time.
fn next_chunk(rows: usize, held: Duration) -> usize {
    let held = held.as_secs_f64().max(1e-4);
    let scale = (CHUNK_LOCK_TARGET.as_secs_f64() / held).clamp(0.5, 2.0);
    ((rows as f64 * scale) as usize).clamp(CHUNK_ROWS.0, CHUNK_ROWS.1)
}

/// Puts planned rows (in the order of `valid`) back in their places in the report.
pub(super) fn merge(rows: &mut [ImportRow], valid: &[ValidRow], planned: Vec<ImportRow>) {
    for (v, row) in valid.iter().zip(planned) {
        rows[v.index] = row;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_grow_toward_the_lock_target_and_shrink_when_slow() {
        assert_eq!(next_chunk(500, Duration::from_millis(50)), 1000);
        assert_eq!(next_chunk(1000, Duration::from_millis(400)), 500);
        assert_eq!(next_chunk(1000, Duration::from_millis(250)), 800);
        assert_eq!(next_chunk(40_000, Duration::from_millis(10)), 50_000);
        assert_eq!(next_chunk(60, Duration::from_secs(5)), 50);
    }
}
