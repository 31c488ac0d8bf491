//! Verified email domains: a workspace lists domains (`acme.com`), and a person who signs up
//! with such an address (`claim`) joins the workspace with its role, or gets a pending
//! suggestion, as the workspace chooses (Clerk's verified domains). Domains match exactly, in
//! lower-case ASCII: a look-alike (Cyrillic letters, a subdomain, a longer name) never does.

use crate::clock::later;
use crate::error::{Error, Result};
use crate::event_kind;
use crate::hub::domain_of;
use crate::ids::*;
use crate::model::*;
use crate::normalize::{self, NormalizedEmail};
use crate::op::{invite_payload, Op};
use crate::policy::invites::is_live;
use crate::requests::{Accepted, NewDomain};
use crate::store::{self, Tx};
use crate::tenant::invites::apply_invite;
use crate::tenant::Tenant;
use crate::token::InviteToken;
use serde_json::json;
use time::OffsetDateTime;

impl Tenant {
    // ----- verified domains -------------------------------------------------------------------

    /// Lets people who sign up with an address at `new.domain` into `workspace`: with
    /// `Enrollment::Join` (the default) `claim` accepts them into it with `new.role` (default
    /// `member`); with `Enrollment::Suggest` it leaves a pending suggestion. The domain is
    /// lower-case ASCII (an international domain in its `xn--` form), matched exactly; public
    /// mail providers are refused. Needs the permission to assign the role in the workspace.
    /// Audited (`workspace.domain_added`). Errors: `invalid_input` (not a domain, a public
    /// provider), `conflict` (another workspace of the tenant has it), `not_found`,
    /// `permission_denied`.
    pub fn add_domain(
        &self,
        actor: Actor,
        workspace: WorkspaceId,
        new: NewDomain,
    ) -> Result<WorkspaceDomain> {
        let domain = normalize::workspace_domain(&new.domain)?;
        self.write(actor, |op| {
            let ws = op.workspace(workspace)?;
            op.require_assignable(new.role, Some(ws.id))?;
            if let Some(held) = op.tx.domain_rule(op.tenant, &domain)? {
                if held.workspace_id == ws.id
                    && held.enrollment == new.enrollment
                    && held.role == new.role
                {
                    return Ok(held);
                }
                return Err(Error::Conflict(format!(
                    "{domain} is already a domain of a workspace here: remove it there first"
                )));
            }
            let rule = WorkspaceDomain {
                tenant_id: op.tenant,
                workspace_id: ws.id,
                domain: domain.clone(),
                enrollment: new.enrollment,
                role: new.role,
                created_at: op.now,
            };
            op.tx.insert_domain(&rule)?;
            op.audit(
                "workspace.domain_added",
                ws.id,
                json!({ "domain": rule.domain, "enrollment": rule.enrollment.as_str(),
                        "role": rule.role.key() }),
            )?;
            Ok(rule)
        })
    }

    /// Stops taking people from `domain` into `workspace`; returns whether it was one of its
    /// domains. People already in stay. Needs `users.manage` in the workspace.
    pub fn remove_domain(
        &self,
        actor: Actor,
        workspace: WorkspaceId,
        domain: &str,
    ) -> Result<bool> {
        let domain = normalize::workspace_domain(domain)?;
        self.write(actor, |op| {
            let ws = op.workspace(workspace)?;
            op.require_in(&crate::permission::Permission::USERS_MANAGE, Some(ws.id))?;
            match op.tx.domain_rule(op.tenant, &domain)? {
                Some(rule) if rule.workspace_id == ws.id => {
                    op.tx.delete_domain(op.tenant, &domain)?;
                    op.audit(
                        "workspace.domain_removed",
                        ws.id,
                        json!({ "domain": domain }),
                    )?;
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
    }

    /// The email domains of a workspace. Errors: `not_found`.
    pub fn domains(&self, workspace: WorkspaceId) -> Result<Vec<WorkspaceDomain>> {
        self.read(|tx, _| {
            tx.workspace(self.id, workspace)?
                .ok_or_else(|| Error::not_found("workspace", workspace))?;
            tx.workspace_domains(self.id, workspace)
        })
    }

    /// The person takes the workspace their email domain suggested: it is accepted like an
    /// invite. `Ok(None)` when `email` has no pending (unexpired) suggestion here. Errors: as `claim`.
    pub fn accept_suggestion(&self, email: &str) -> Result<Option<Accepted>> {
        let key = normalize::email(email)?.key;
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            match tx.pending_invite(self.id, &key)? {
                Some(invite) if invite.suggested && is_live(&invite, now) => {
                    apply_invite(tx, invite, now).map(Some)
                }
                _ => Ok(None),
            }
        })
    }
}

/// Applies the tenant's rule for `email`'s domain, if there is one, to a person signing up
/// without a pending invite: accepts them into the workspace (`join`) or leaves a pending
/// suggestion (`suggest`, which returns `None`). Nothing for a deactivated member or one
/// already in that workspace.
pub(crate) fn enroll(
    tx: &dyn Tx,
    tenant: TenantId,
    email: &NormalizedEmail,
    now: OffsetDateTime,
) -> Result<Option<Accepted>> {
    let Some(rule) = tx.domain_rule(tenant, domain_of(&email.key))? else {
        return Ok(None);
    };
    let existing = tx.member_by_email_key(tenant, &email.key)?;
    if let Some(m) = &existing {
        let in_workspace = tx
            .assignments(tenant, m.id)?
            .iter()
            .any(|a| a.workspace == Some(rule.workspace_id));
        if m.status == MemberStatus::Deactivated || in_workspace {
            return Ok(None);
        }
    }
    let op = Op::new(tx, tenant, Actor::System, now);
    let seats = op.seats_before(&[rule.workspace_id])?;
    let member = match existing {
        Some(m) => m,
        None => op.insert_member(email, None, None, MemberStatus::Invited)?,
    };
    let lifetime = op.tenant_info()?.settings.invite_lifetime;
    let expires_at = later(now, lifetime, "expires_at")?;
    let mut invite = op.new_invite(
        &member,
        None,
        rule.role,
        Some(rule.workspace_id),
        Vec::new(),
        expires_at,
    );
    invite.suggested = rule.enrollment == Enrollment::Suggest;
    tx.insert_invite(&invite, &InviteToken::generate()?.digest())?;
    op.check_seats(&seats)?;
    let mut payload = invite_payload(&invite);
    payload["via_domain"] = json!(rule.domain);
    op.audit(event_kind::INVITE_CREATED, invite.id, payload.clone())?;
    match rule.enrollment {
        Enrollment::Join => apply_invite(tx, invite, now).map(Some),
        Enrollment::Suggest => {
            op.emit(event_kind::INVITE_SUGGESTED, payload)?;
            Ok(None)
        }
    }
}
