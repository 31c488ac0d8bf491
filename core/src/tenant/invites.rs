//! Email invites: send, resend, revoke, list, and accept or claim them.

use crate::clock::later;
use crate::error::{Error, Result};
use crate::event_kind;
use crate::ids::*;
use crate::metadata;
use crate::model::*;
use crate::normalize;
use crate::op::{invite_payload, Op};
use crate::policy::authz::tenant_role;
use crate::policy::invites::{
    check_lifetime, check_usable, is_live, lifetime_of, sign_up_claims, with_current_status,
};
use crate::query::MAX_PAGE;
use crate::requests::*;
use crate::store::{self, Tx};
use crate::tenant::Tenant;
use crate::token::InviteToken;
use serde_json::json;
use time::OffsetDateTime;

impl Tenant {
    // ----- invites ----------------------------------------------------------------------------

    /// Invites an email. The person is a member with status `invited` until they accept the
    /// link or sign up with that email (`claim`); then the role and products are applied.
    ///
    /// A second invite to an email with a pending (or expired) invite merges into it: products
    /// are added, role, name and lifetime take the new values (a new message replaces the old
    /// one), the lifetime restarts and a new token replaces the old one. `lifetime` may be one
    /// minute up to the tenant's `max_invite_lifetime`. Needs `customers.manage` for customers, `users.manage` for other
    /// roles. Errors: `invalid_input`, `conflict` (already an active member: grant instead),
    /// `member_deactivated`, `seat_limit` (a new seat past the tenant's or the workspace's cap).
    pub fn invite(&self, actor: Actor, new: NewInvite) -> Result<IssuedInvite> {
        let email = normalize::email(&new.email)?;
        let name = normalize::optional_name(new.name.as_deref())?;
        let message = normalize::message(new.message.as_deref())?;
        metadata::check(&new.metadata)?;
        self.write_notifying(actor, new.notify, |op| {
            if let Some(ws) = new.workspace {
                op.workspace(ws)?;
            }
            op.require_assignable(new.role, new.workspace)?;
            let products = op.grantable_products(&new.products)?;
            let product_ids: Vec<ProductId> = products.iter().map(|p| p.id).collect();
            let seats = op.seats_before(new.workspace.as_slice())?;
            let member = match op.tx.member_by_email_key(self.id, &email.key)? {
                Some(m) if m.status == MemberStatus::Active => {
                    return Err(Error::Conflict(format!(
                        "{} is already an active member: grant access or add them directly",
                        m.email
                    )))
                }
                Some(m) if m.status == MemberStatus::Deactivated => {
                    return Err(Error::MemberDeactivated(m.id))
                }
                Some(m) => m,
                None => op.insert_member(&email, name.clone(), None, MemberStatus::Invited)?,
            };
            let settings = op.tenant_info()?.settings;
            check_lifetime(new.lifetime, &settings)?;
            let token = InviteToken::generate()?;
            let expires_at = later(op.now, lifetime_of(new.lifetime, &settings), "expires_at")?;
            let (invite, merged) = match op.tx.pending_invite(self.id, &email.key)? {
                Some(mut invite) => {
                    // Merging replaces its role and link: only someone who could have
                    // created it may.
                    op.require_assignable(invite.role, invite.workspace)?;
                    for id in product_ids {
                        if !invite.products.contains(&id) {
                            invite.products.push(id);
                        }
                    }
                    invite.role = new.role;
                    invite.workspace = new.workspace;
                    invite.name = name.clone().or(invite.name);
                    invite.expires_at = expires_at;
                    invite.lifetime = new.lifetime;
                    invite.message = message.clone().or(invite.message);
                    metadata::merge(&mut invite.metadata, &new.metadata);
                    metadata::check(&invite.metadata)?;
                    // An invitation now, whatever a domain suggested before.
                    invite.suggested = false;
                    invite.status = InviteStatus::Pending;
                    op.tx.update_invite(&invite, Some(&token.digest()))?;
                    (invite, true)
                }
                None => {
                    let mut invite = op.new_invite(
                        &member,
                        name.clone(),
                        new.role,
                        new.workspace,
                        product_ids,
                        expires_at,
                    );
                    invite.lifetime = new.lifetime;
                    invite.message = message.clone();
                    invite.metadata = new.metadata.clone();
                    op.tx.insert_invite(&invite, &token.digest())?;
                    (invite, false)
                }
            };
            op.check_seats(&seats)?;
            let mut payload = invite_payload(&invite);
            payload["merged"] = json!(merged);
            op.audit(event_kind::INVITE_CREATED, invite.id, payload.clone())?;
            op.emit(event_kind::INVITE_CREATED, payload)?;
            Ok(IssuedInvite {
                invite,
                token,
                merged,
            })
        })
    }

    /// Sends a pending or expired invite again: a new token (the old link stops working) and a
    /// fresh lifetime (the invite's own, if it was given one). Errors: `invite_used`,
    /// `invite_revoked`, `not_found`, `seat_limit` (reviving an expired invite past a cap).
    pub fn resend_invite(&self, actor: Actor, invite: InviteId) -> Result<IssuedInvite> {
        self.write(actor, |op| {
            let mut invite = op.invite(invite)?;
            op.require_assignable(invite.role, invite.workspace)?;
            match invite.status {
                InviteStatus::Accepted => return Err(Error::InviteUsed),
                // A declined invite is dead too: invite the email afresh instead.
                InviteStatus::Revoked | InviteStatus::Declined => return Err(Error::InviteRevoked),
                InviteStatus::Pending | InviteStatus::Expired => {}
            }
            // An expired invite holds no seat: reviving it takes one again.
            let seats = op.seats_before(invite.workspace.as_slice())?;
            let token = InviteToken::generate()?;
            let lifetime = lifetime_of(invite.lifetime, &op.tenant_info()?.settings);
            invite.expires_at = later(op.now, lifetime, "expires_at")?;
            invite.status = InviteStatus::Pending;
            op.tx.update_invite(&invite, Some(&token.digest()))?;
            op.check_seats(&seats)?;
            let payload = invite_payload(&invite);
            op.audit(event_kind::INVITE_RESENT, invite.id, payload.clone())?;
            op.emit(event_kind::INVITE_RESENT, payload)?;
            Ok(IssuedInvite {
                invite,
                token,
                merged: false,
            })
        })
    }

    /// "Copy invite link": one more link to a pending invite, for the owner to paste anywhere,
    /// while the link already emailed keeps working. Every link is bound to the invited email,
    /// kept only as a digest, survives a resend, and stops working once the invite is accepted,
    /// revoked or expired. Audited (`invite.link_copied`); no outbox event. Needs the rights
    /// to have created the invite. Errors: `invite_expired` (resend it instead),
    /// `invite_used`, `invite_revoked`, `not_found`, `permission_denied`.
    pub fn copy_invite_link(&self, actor: Actor, invite: InviteId) -> Result<IssuedInvite> {
        self.write(actor, |op| {
            let invite = op.invite(invite)?;
            op.require_assignable(invite.role, invite.workspace)?;
            check_usable(&invite, op.now)?;
            let token = InviteToken::generate()?;
            op.tx.add_invite_link(&invite, &token.digest(), op.now)?;
            op.audit(
                event_kind::INVITE_LINK_COPIED,
                invite.id,
                json!({ "invite_id": invite.id, "email": invite.email }),
            )?;
            Ok(IssuedInvite {
                invite,
                token,
                merged: false,
            })
        })
    }

    /// Revokes a pending or expired invite: its link stops working at once. An invited member
    /// with no grants of their own is removed with it, so the email can be invited afresh.
    /// Revoking a revoked invite changes nothing. Errors: `invite_used`, `not_found`.
    pub fn revoke_invite(&self, actor: Actor, invite: InviteId) -> Result<Invite> {
        self.write(actor, |op| {
            let mut invite = op.invite(invite)?;
            op.require_assignable(invite.role, invite.workspace)?;
            match invite.status {
                InviteStatus::Accepted => return Err(Error::InviteUsed),
                InviteStatus::Revoked | InviteStatus::Declined => {
                    return Ok(with_current_status(invite, op.now))
                }
                InviteStatus::Pending | InviteStatus::Expired => {}
            }
            invite.status = InviteStatus::Revoked;
            invite.revoked_at = Some(op.now);
            op.tx.update_invite(&invite, None)?;
            forget_invited_member(op, invite.member_id)?;
            let payload = invite_payload(&invite);
            op.audit(event_kind::INVITE_REVOKED, invite.id, payload.clone())?;
            op.emit(event_kind::INVITE_REVOKED, payload)?;
            Ok(invite)
        })
    }

    /// Accepts an invite by the token from its link: activates the member and applies the role
    /// and products it carried, in one transaction. Pass the email the person signed in with as
    /// `email` when there is one; the link only works for the invited address.
    ///
    /// Errors: `not_found` (not a token, or unknown here), `invite_expired`,
    /// `invite_revoked`, `invite_used`, `invite_email_mismatch`, `member_deactivated`.
    pub fn accept(&self, token: &str, email: Option<&str>) -> Result<Accepted> {
        self.by_link(token, email, apply_invite)
    }

    /// Call when someone signs up with `email`: accepts their pending invite in this tenant.
    /// Without one, a workspace whose email domain matches (`add_domain`) takes them: with
    /// `join` they are accepted into it now; with `suggest` they get a pending suggestion
    /// (`accept_suggestion`, `decline_pending`). `Ok(None)` when nothing was accepted (an
    /// expired invite is not pending: a sign-up claims nothing from it, as in `Hub::claim`);
    /// `seat_limit` when the workspace or the tenant is full.
    pub fn claim(&self, email: &str) -> Result<Option<Accepted>> {
        let email = normalize::email(email)?;
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            match tx.pending_invite(self.id, &email.key)? {
                Some(invite) if sign_up_claims(&invite, now) => {
                    apply_invite(tx, invite, now).map(Some)
                }
                // A suggestion, or an expired invite: nothing to claim, and no domain
                // enrollment while the email's invite is stored here (as in `Hub::claim`).
                Some(_) => Ok(None),
                None => crate::tenant::domains::enroll(tx, self.id, &email, now),
            }
        })
    }

    /// The invitee declines by the token from the link ("no, thanks"): the invite becomes
    /// `declined`, every link to it stops working, an invited member with no grants of their
    /// own is removed (the email can be invited afresh) and `invite.declined` tells the
    /// inviter. Pass the signed-in email when there is one. Errors: as `accept`.
    pub fn decline(&self, token: &str, email: Option<&str>) -> Result<Invite> {
        self.by_link(token, email, decline_invite)
    }

    /// Runs `then` on the usable invite of this tenant that a link's token opens, in one write
    /// transaction; the link only works for the invited address (`email`, when given).
    fn by_link<R>(
        &self,
        token: &str,
        email: Option<&str>,
        then: fn(&dyn Tx, Invite, OffsetDateTime) -> Result<R>,
    ) -> Result<R> {
        let digest = InviteToken::parse(token)?.digest();
        let presented = email.map(normalize::email).transpose()?;
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            let invite = tx
                .invite_by_digest(&digest)?
                .filter(|i| i.tenant_id == self.id)
                .ok_or_else(|| Error::not_found("invite", "token"))?;
            check_usable(&invite, now)?;
            if presented
                .as_ref()
                .is_some_and(|e| e.key != invite.email_key)
            {
                return Err(Error::InviteEmailMismatch);
            }
            then(tx, invite, now)
        })
    }

    /// The counterpart of `claim` for a signed-in person ("your invitations" page): declines
    /// `email`'s pending invite in this tenant. `Ok(None)` when there is none (an expired
    /// invite is not pending).
    pub fn decline_pending(&self, email: &str) -> Result<Option<Invite>> {
        self.by_email(email, decline_invite)
    }

    /// Runs `then` on `email`'s pending invite in this tenant, if it has one and it is still
    /// usable, in one write transaction.
    fn by_email<R>(
        &self,
        email: &str,
        then: fn(&dyn Tx, Invite, OffsetDateTime) -> Result<R>,
    ) -> Result<Option<R>> {
        let key = normalize::email(email)?.key;
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            match tx.pending_invite(self.id, &key)? {
                Some(invite) if is_live(&invite, now) => then(tx, invite, now).map(Some),
                _ => Ok(None),
            }
        })
    }

    /// One invite, with its status at this moment.
    pub fn get_invite(&self, id: InviteId) -> Result<Invite> {
        self.read(|tx, now| {
            let invite = tx
                .invite(self.id, id)?
                .ok_or_else(|| Error::not_found("invite", id))?;
            Ok(with_current_status(invite, now))
        })
    }

    /// Invites, newest first, optionally only those with `status` (at most 1000).
    pub fn invites(&self, status: Option<InviteStatus>) -> Result<Vec<Invite>> {
        self.read(|tx, now| {
            let filter = crate::policy::invites::filter(status, now, MAX_PAGE);
            Ok(tx
                .invites(self.id, &filter)?
                .into_iter()
                .map(|i| with_current_status(i, now))
                .collect())
        })
    }
}

/// An invited member with no grants of their own goes with their invite, so the email can be
/// invited afresh.
fn forget_invited_member(op: &Op, member: MemberId) -> Result<()> {
    if let Some(m) = op.tx.member(op.tenant, member)? {
        if m.status == MemberStatus::Invited && op.tx.open_grants(op.tenant, m.id)?.is_empty() {
            op.delete_member(m.id)?;
        }
    }
    Ok(())
}

/// Marks the invite declined (the invitee is the actor of record) and tells the inviter.
fn decline_invite(tx: &dyn Tx, mut invite: Invite, now: OffsetDateTime) -> Result<Invite> {
    invite.status = InviteStatus::Declined;
    invite.declined_at = Some(now);
    tx.update_invite(&invite, None)?;
    let op = Op::new(tx, invite.tenant_id, Actor::Member(invite.member_id), now);
    forget_invited_member(&op, invite.member_id)?;
    let payload = invite_payload(&invite);
    op.audit(event_kind::INVITE_DECLINED, invite.id, payload.clone())?;
    op.emit(event_kind::INVITE_DECLINED, payload)?;
    Ok(invite)
}

/// Activates the invited member and applies the role and products the invite carried.
/// The actor of record is the person accepting; grants are attributed to the inviter.
pub(crate) fn apply_invite(
    tx: &dyn Tx,
    mut invite: Invite,
    now: OffsetDateTime,
) -> Result<Accepted> {
    let tenant = invite.tenant_id;
    let existing = match tx.member(tenant, invite.member_id)? {
        Some(m) => Some(m),
        None => tx.member_by_email_key(tenant, &invite.email_key)?,
    };
    let mut member = match existing {
        Some(m) if m.status == MemberStatus::Deactivated => {
            return Err(Error::MemberDeactivated(m.id))
        }
        Some(mut m) => {
            m.status = MemberStatus::Active;
            if m.name.is_none() {
                m.name = invite.name.clone();
            }
            // The invite's keys win: they are what the inviter set for this person.
            metadata::merge(&mut m.metadata, &invite.metadata);
            m.updated_at = now;
            tx.update_member(&m)?;
            m
        }
        None => {
            let email = normalize::NormalizedEmail {
                display: invite.email.clone(),
                key: invite.email_key.clone(),
            };
            let op = Op::new(tx, tenant, invite.created_by, now);
            let mut m = op.new_member(&email, invite.name.clone(), None, MemberStatus::Active);
            m.metadata = invite.metadata.clone();
            tx.insert_member(&m)?;
            m
        }
    };
    let op = Op::new(tx, tenant, Actor::Member(member.id), now);
    // Accepting never lowers a role the member already holds.
    let current = match invite.workspace {
        Some(ws) => tx
            .assignments(tenant, member.id)?
            .into_iter()
            .find(|a| a.workspace == Some(ws))
            .map(|a| a.role),
        None => tenant_role(tx, tenant, member.id)?,
    };
    if current.is_none_or(|r| r.rank() < invite.role.rank()) {
        tx.set_role(tenant, member.id, invite.workspace, invite.role)?;
    }
    if invite.workspace.is_some() && tenant_role(tx, tenant, member.id)?.is_none() {
        // A client user invited into a workspace is a customer of the tenant itself.
        tx.set_role(tenant, member.id, None, Role::Customer)?;
    }
    let mut granted = Vec::new();
    let mut skipped = Vec::new();
    for &pid in &invite.products {
        match op.grantable_product(pid) {
            Ok(product) => {
                if let Some(g) = op.grant(
                    &member,
                    &product,
                    GrantSource::Invite,
                    GrantWindow::default(),
                    invite.created_by,
                )? {
                    granted.push(g);
                }
            }
            // Archived or deleted since the invite was sent: the rest still applies.
            Err(_) => skipped.push(pid),
        }
    }
    invite.member_id = member.id;
    invite.status = InviteStatus::Accepted;
    invite.accepted_at = Some(now);
    tx.update_invite(&invite, None)?;
    member.updated_at = now;
    let mut payload = invite_payload(&invite);
    payload["member_id"] = json!(member.id);
    payload["skipped_products"] = json!(skipped);
    op.audit(event_kind::INVITE_ACCEPTED, invite.id, payload.clone())?;
    op.emit(event_kind::INVITE_ACCEPTED, payload)?;
    Ok(Accepted {
        invite,
        member,
        granted,
    })
}
