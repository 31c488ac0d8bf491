//! A member's lifecycle: deactivate, reactivate and remove; passwords; impersonation.

use crate::clock::later;
use crate::error::{Error, Result};
use crate::event_kind;
use crate::ids::*;
use crate::metadata::{self, Metadata};
use crate::model::*;
use crate::normalize;
use crate::op::{rfc3339, Op};
use crate::password;
use crate::permission::Permission;
use crate::policy::authz::{may_impersonate, tenant_role, Rights};
use crate::store;
use crate::tenant::Tenant;
use crate::token::ImpersonationToken;
use serde_json::json;
use time::Duration;

/// A successful password check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordCheck {
    /// Who signed in.
    pub member: Member,
    /// They must choose a new password now (a temporary or admin-set one).
    pub must_change: bool,
}

/// A started impersonation session and its secret token (returned once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedImpersonation {
    /// The session.
    pub session: Impersonation,
    /// The secret the host keeps in the impersonating browser session.
    pub token: ImpersonationToken,
}

impl Tenant {
    // ----- lifecycle --------------------------------------------------------------------------

    /// Deactivates a member: `has_access` and `can` answer false at once, impersonation
    /// sessions involving them end, pending invites stay. Reversible with `reactivate`.
    /// Needs `users.manage` for team members, `customers.manage` for customers. `conflict`
    /// for the tenant's last active admin. Idempotent.
    pub fn deactivate(&self, actor: Actor, member: MemberId) -> Result<Member> {
        self.write(actor, |op| {
            let mut m = op.member(member)?;
            op.require_manage(&m, None)?;
            if m.status == MemberStatus::Deactivated {
                return Ok(m);
            }
            guard_last_admin(op, &m)?;
            m.status = MemberStatus::Deactivated;
            m.updated_at = op.now;
            op.tx.update_member(&m)?;
            end_sessions_of(op, m.id, "member deactivated")?;
            let payload = json!({ "member_id": m.id, "email": m.email });
            op.audit(event_kind::MEMBER_DEACTIVATED, m.id, payload.clone())?;
            op.emit(event_kind::MEMBER_DEACTIVATED, payload)?;
            Ok(m)
        })
    }

    /// Changes a member's metadata key by key: each key of `patch` takes its value, and a
    /// `null` removes the key. Needs the rights to manage them (the rank rule: `users.manage`
    /// and every permission a team member holds; `customers.manage` for a customer). Audited
    /// with the keys that changed (not their values); no outbox event. Errors:
    /// `invalid_input` (past 8 KiB or 10 levels deep once patched), `not_found`,
    /// `permission_denied`.
    pub fn update_member_metadata(
        &self,
        actor: Actor,
        member: MemberId,
        patch: Metadata,
    ) -> Result<Member> {
        self.write(actor, |op| {
            let mut m = op.member(member)?;
            op.require_manage(&m, None)?;
            let changed = metadata::merge(&mut m.metadata, &patch);
            if !changed.is_empty() {
                metadata::check(&m.metadata)?;
                m.updated_at = op.now;
                op.tx.update_member(&m)?;
                op.audit("member.metadata_updated", m.id, json!({ "keys": changed }))?;
            }
            Ok(m)
        })
    }

    /// Reactivates a deactivated member; their grants and roles apply again. Idempotent for
    /// active members; `conflict` for invited ones (they activate by accepting); `seat_limit`
    /// when the tenant or one of their workspaces is full.
    pub fn reactivate(&self, actor: Actor, member: MemberId) -> Result<Member> {
        self.write(actor, |op| {
            let mut m = op.member(member)?;
            op.require_manage(&m, None)?;
            match m.status {
                MemberStatus::Active => return Ok(m),
                MemberStatus::Invited => {
                    return Err(Error::Conflict(format!(
                        "{} is invited, not deactivated: they activate by accepting",
                        m.email
                    )))
                }
                MemberStatus::Deactivated => {}
            }
            // Back to active: a seat in the tenant and in every workspace they hold a role in.
            let workspaces: Vec<WorkspaceId> = op
                .tx
                .assignments(op.tenant, m.id)?
                .into_iter()
                .filter_map(|a| a.workspace)
                .collect();
            let seats = op.seats_before(&workspaces)?;
            m.status = MemberStatus::Active;
            m.updated_at = op.now;
            op.tx.update_member(&m)?;
            op.check_seats(&seats)?;
            let payload = json!({ "member_id": m.id, "email": m.email });
            op.audit(event_kind::MEMBER_REACTIVATED, m.id, payload.clone())?;
            op.emit(event_kind::MEMBER_REACTIVATED, payload)?;
            Ok(m)
        })
    }

    /// Removes a member: their grants, roles, workspace memberships, password and pending
    /// invites are deleted; the audit trail stays; the email can be invited again. Same
    /// permissions and last-admin rule as `deactivate`.
    pub fn remove_member(&self, actor: Actor, member: MemberId) -> Result<()> {
        self.write(actor, |op| {
            let m = op.member(member)?;
            op.require_manage(&m, None)?;
            // Removing deletes their pending invite: that needs the rights to have created it.
            if let Some(invite) = op.tx.pending_invite(op.tenant, &m.email_key)? {
                op.require_assignable(invite.role, invite.workspace)?;
            }
            guard_last_admin(op, &m)?;
            end_sessions_of(op, m.id, "member removed")?;
            let invites = op.tx.delete_pending_invites(op.tenant, &m.email_key)?;
            op.delete_member(m.id)?;
            let payload = json!({ "member_id": m.id, "email": m.email });
            op.audit(
                event_kind::MEMBER_REMOVED,
                m.id,
                json!({ "email": m.email, "pending_invites_deleted": invites }),
            )?;
            op.emit(event_kind::MEMBER_REMOVED, payload)
        })
    }

    // ----- passwords --------------------------------------------------------------------------

    /// Sets a member's password (argon2id, OWASP parameters; only the PHC string is stored).
    /// The host or the member themselves may set it; a team member with the permission to
    /// manage the member may too, and then it is always flagged must-change. `invalid_input`
    /// for fewer than 8 or more than 1024 characters.
    pub fn set_password(
        &self,
        actor: Actor,
        member: MemberId,
        password: &str,
        must_change: bool,
    ) -> Result<()> {
        // Hash outside the transaction: it takes tens of milliseconds by design.
        let hash = password::hash(password)?;
        self.write(actor, |op| {
            let m = op.member(member)?;
            let by_someone_else = match actor {
                Actor::System => false,
                Actor::Member(id) if id == m.id => false,
                Actor::Member(_) => {
                    op.require_manage(&m, None)?;
                    true
                }
            };
            if m.status == MemberStatus::Deactivated {
                return Err(Error::MemberDeactivated(m.id));
            }
            let cred = Credential {
                password_hash: hash.clone(),
                must_change: must_change || by_someone_else,
                updated_at: op.now,
            };
            op.tx.set_credential(op.tenant, m.id, &cred)?;
            op.audit(
                "member.password_set",
                m.id,
                json!({ "must_change": cred.must_change }),
            )
        })
    }

    /// Checks a sign-in. `Ok(None)` for a wrong password, an unknown email, or a member with
    /// no password, all taking the same time; `member_deactivated` (only with the right
    /// password) for a deactivated member.
    pub fn verify_password(&self, email: &str, password: &str) -> Result<Option<PasswordCheck>> {
        let key = normalize::email(email)?.key;
        let found = self.read(|tx, _| {
            let Some(m) = tx.member_by_email_key(self.id(), &key)? else {
                return Ok(None);
            };
            Ok(tx.credential(self.id(), m.id)?.map(|c| (m, c)))
        })?;
        let Some((member, cred)) = found else {
            password::verify_nothing(password);
            return Ok(None);
        };
        if !password::verify(&cred.password_hash, password) {
            return Ok(None);
        }
        match member.status {
            MemberStatus::Deactivated => Err(Error::MemberDeactivated(member.id)),
            MemberStatus::Invited => Ok(None),
            MemberStatus::Active => Ok(Some(PasswordCheck {
                member,
                must_change: cred.must_change,
            })),
        }
    }

    // ----- impersonation ----------------------------------------------------------------------

    /// "Log in as this user": starts a session in which `actor` sees what `target` sees.
    /// Needs `impersonate`, a reason, and a member as the actor. Never of an admin, of oneself,
    /// or of someone holding a permission the actor lacks. Lasts `duration` (default and
    /// maximum: the tenant's `max_impersonation`, at most one hour). Audited at start and end.
    pub fn impersonate(
        &self,
        actor: Actor,
        target: MemberId,
        reason: &str,
        duration: Option<Duration>,
    ) -> Result<IssuedImpersonation> {
        let reason = normalize::name("reason", reason)?;
        let Actor::Member(actor_id) = actor else {
            return Err(Error::invalid(
                "actor",
                "impersonation needs a team member as the actor, not the host",
            ));
        };
        self.write(actor, |op| {
            op.require(&Permission::IMPERSONATE)?;
            let max = op.tenant_info()?.settings.max_impersonation;
            let duration = duration.unwrap_or(max);
            if duration < Duration::minutes(1) || duration > max {
                return Err(Error::invalid(
                    "duration",
                    format!(
                        "must be between one minute and {} minutes",
                        max.whole_minutes()
                    ),
                ));
            }
            let t = op.member(target)?;
            if t.id == actor_id {
                return Err(Error::invalid("target", "you cannot impersonate yourself"));
            }
            match t.status {
                MemberStatus::Active => {}
                MemberStatus::Deactivated => return Err(Error::MemberDeactivated(t.id)),
                MemberStatus::Invited => {
                    return Err(Error::Conflict(format!(
                        "{} has not signed up yet",
                        t.email
                    )))
                }
            }
            let target_rights = Rights::of(op.tx, op.tenant, t.id)?;
            may_impersonate(&op.actor_rights()?, &target_rights).map_err(|why| {
                Error::PermissionDenied {
                    actor: actor.to_string(),
                    permission: format!("impersonate ({why})"),
                }
            })?;
            let token = ImpersonationToken::generate()?;
            let session = Impersonation {
                id: ImpersonationId::new(),
                tenant_id: op.tenant,
                actor_id,
                target_id: t.id,
                reason: reason.clone(),
                started_at: op.now,
                ends_at: later(op.now, duration, "duration")?,
                ended_at: None,
            };
            op.tx.insert_impersonation(&session, &token.digest())?;
            let payload = json!({
                "impersonation_id": session.id, "actor_id": actor_id, "target_id": t.id,
                "email": t.email, "reason": session.reason, "ends_at": rfc3339(session.ends_at),
            });
            op.audit("impersonation.started", t.id, payload.clone())?;
            op.emit(event_kind::IMPERSONATION_STARTED, payload)?;
            Ok(IssuedImpersonation { session, token })
        })
    }

    /// Exchanges an impersonation token for its live session (actor and target), as the host
    /// does on every request. `impersonation_ended` once it expired, was ended, or either side
    /// was deactivated or lost the right; `not_found` for an unknown token.
    pub fn verify_impersonation(&self, token: &str) -> Result<Impersonation> {
        let digest = ImpersonationToken::parse(token)?.digest();
        self.read(|tx, now| {
            let session = tx
                .impersonation_by_digest(&digest)?
                .filter(|s| s.tenant_id == self.id())
                .ok_or_else(|| Error::not_found("impersonation", "token"))?;
            if !session.is_live_at(now) {
                return Err(Error::ImpersonationEnded);
            }
            let active = |id| -> Result<bool> {
                Ok(tx
                    .member(self.id(), id)?
                    .is_some_and(|m| m.status == MemberStatus::Active))
            };
            // The rule is checked again on every verify: a promotion of the target or a lost
            // right of the actor ends the session at once, as a deactivation does.
            let still_allowed = may_impersonate(
                &Rights::of(tx, self.id(), session.actor_id)?,
                &Rights::of(tx, self.id(), session.target_id)?,
            )
            .is_ok();
            if !active(session.actor_id)? || !active(session.target_id)? || !still_allowed {
                return Err(Error::ImpersonationEnded);
            }
            Ok(session)
        })
    }

    /// Ends a session early (the "stop impersonating" button). Ending an ended session
    /// changes nothing.
    pub fn end_impersonation(&self, token: &str) -> Result<Impersonation> {
        let digest = ImpersonationToken::parse(token)?.digest();
        let now = self.hub().now();
        store::write(self.hub().store(), |tx| {
            let mut session = tx
                .impersonation_by_digest(&digest)?
                .filter(|s| s.tenant_id == self.id())
                .ok_or_else(|| Error::not_found("impersonation", "token"))?;
            if session.is_live_at(now) {
                let op = Op::new(tx, self.id(), Actor::Member(session.actor_id), now);
                session.ended_at = Some(now);
                op.tx.update_impersonation(&session)?;
                op.audit(
                    "impersonation.ended",
                    session.target_id,
                    json!({ "impersonation_id": session.id, "why": "ended by actor" }),
                )?;
            }
            Ok(session)
        })
    }
}

pub(crate) fn guard_last_admin(op: &Op, member: &Member) -> Result<()> {
    let is_admin = tenant_role(op.tx, op.tenant, member.id)? == Some(Role::Admin);
    if is_admin
        && member.status == MemberStatus::Active
        && crate::policy::team::active_admins(&op.tx.tenant_admins(op.tenant)?) <= 1
    {
        return Err(Error::Conflict(format!(
            "{} is the tenant's last admin: make someone else admin first",
            member.email
        )));
    }
    Ok(())
}

fn end_sessions_of(op: &Op, member: MemberId, why: &str) -> Result<()> {
    for mut session in op.tx.open_impersonations_of(op.tenant, member)? {
        if !session.is_live_at(op.now) {
            continue;
        }
        session.ended_at = Some(op.now);
        op.tx.update_impersonation(&session)?;
        op.audit(
            "impersonation.ended",
            session.target_id,
            json!({ "impersonation_id": session.id, "why": why }),
        )?;
    }
    Ok(())
}
