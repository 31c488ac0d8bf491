//! Seat limits: the platform caps how many people a tenant or a workspace may hold, and every
//! call that would fill a seat past the cap fails with `seat_limit`.

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::op::Op;
use crate::policy::seats::Capped;
use crate::tenant::Tenant;
use serde_json::json;

/// The largest seat limit: a billion, far past any tenant, and within every binding's numbers.
pub const MAX_SEAT_LIMIT: u32 = 1_000_000_000;

impl Tenant {
    // ----- seats ------------------------------------------------------------------------------

    /// Caps the seats of the tenant (`workspace: None`) or of one workspace; `None` lifts the
    /// cap. Active members and live invites fill seats (see [`Seats`]). A cap below the seats
    /// already taken is allowed: nobody is removed, and nothing that fills a new seat passes
    /// until enough are freed. Seats are what the platform sells, so only `Actor::System` may
    /// set them (`permission_denied` for a member, admins included). Audited
    /// (`seats.limit_set`). Errors: `invalid_input` (a cap outside 1 to [`MAX_SEAT_LIMIT`]),
    /// `not_found` (workspace), `permission_denied`.
    pub fn set_seat_limit(
        &self,
        actor: Actor,
        workspace: Option<WorkspaceId>,
        limit: Option<u32>,
    ) -> Result<Seats> {
        if let Some(n) = limit.filter(|n| !(1..=MAX_SEAT_LIMIT).contains(n)) {
            return Err(Error::invalid(
                "limit",
                format!("{n} is not a seat limit: give 1 to {MAX_SEAT_LIMIT}, or none for no cap"),
            ));
        }
        self.write(actor, |op| {
            if op.actor != Actor::System {
                return Err(Error::PermissionDenied {
                    actor: op.actor.to_string(),
                    permission: "system (seat limits are set by the platform)".into(),
                });
            }
            let previous = match workspace {
                Some(id) => {
                    let mut ws = op.workspace(id)?;
                    let previous = ws.seat_limit;
                    ws.seat_limit = limit;
                    op.tx.update_workspace(&ws)?;
                    previous
                }
                None => {
                    let mut info = op.tenant_info()?;
                    let previous = info.settings.seat_limit;
                    info.settings.seat_limit = limit;
                    op.tx.update_tenant(&info)?;
                    previous
                }
            };
            op.audit(
                "seats.limit_set",
                workspace.map_or_else(|| op.tenant.to_string(), |ws| ws.to_string()),
                json!({ "workspace_id": workspace, "limit": limit, "previous": previous }),
            )?;
            op.seats(workspace)
        })
    }

    /// The seats of the tenant (`workspace: None`) or of one workspace: the cap and how many
    /// are taken now. Errors: `not_found` (workspace).
    pub fn seats(&self, workspace: Option<WorkspaceId>) -> Result<Seats> {
        let now = self.hub().now();
        crate::store::read(self.hub().store(), |tx| {
            Op::new(tx, self.id(), Actor::System, now).seats(workspace)
        })
    }
}

/// The capped scopes a change touches, with their seats before it. Empty when no cap is set
/// (then checking costs nothing).
pub(crate) struct SeatGuard(Vec<Capped>);

impl Op<'_> {
    fn seats(&self, workspace: Option<WorkspaceId>) -> Result<Seats> {
        let limit = match workspace {
            Some(id) => self.workspace(id)?.seat_limit,
            None => self.tenant_info()?.settings.seat_limit,
        };
        Ok(Seats {
            workspace,
            limit,
            taken: self.tx.seats_taken(self.tenant, workspace, self.now)?,
        })
    }

    /// The caps of the tenant and of `workspaces`, with their seats now: call before a
    /// change that may fill seats, then [`Op::check_seats`] after it.
    pub(crate) fn seats_before(&self, workspaces: &[WorkspaceId]) -> Result<SeatGuard> {
        let mut capped = Vec::new();
        let tenant_cap = self.tenant_info()?.settings.seat_limit.map(|l| (None, l));
        let mut caps: Vec<(Option<WorkspaceId>, u32)> = tenant_cap.into_iter().collect();
        for &id in workspaces {
            if let Some(limit) = self.workspace(id)?.seat_limit {
                caps.push((Some(id), limit));
            }
        }
        for (workspace, limit) in caps {
            capped.push(Capped {
                workspace,
                limit,
                before: self.tx.seats_taken(self.tenant, workspace, self.now)?,
            });
        }
        Ok(SeatGuard(capped))
    }

    /// `seat_limit` when the change since [`Op::seats_before`] filled seats past a cap (the
    /// write transaction then rolls back).
    pub(crate) fn check_seats(&self, guard: &SeatGuard) -> Result<()> {
        for cap in &guard.0 {
            cap.check(self.tx.seats_taken(self.tenant, cap.workspace, self.now)?)?;
        }
        Ok(())
    }

    /// The caps that apply to an import into `workspace`: the tenant's and the workspace's,
    /// with their seats now.
    pub(crate) fn seat_caps(&self, workspace: Option<WorkspaceId>) -> Result<Vec<Capped>> {
        Ok(self.seats_before(workspace.as_slice())?.0)
    }
}
