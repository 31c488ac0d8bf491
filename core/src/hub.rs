//! The public API: a [`Hub`] over a store, and tenant-scoped [`Tenant`] handles.

use crate::clock::{truncate_to_micros, Clock, SystemClock};
use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::normalize;
use crate::op::Op;
use crate::policy::authz::tenant_role;
use crate::policy::invites::{is_live, sign_up_claims, with_current_status};
use crate::query::check_limit;
use crate::requests::*;
use crate::store::{self, Store};
use crate::tenant::invites::apply_invite;
use crate::tenant::Tenant;
use crate::token::InviteToken;
use serde_json::json;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Entry point: a store plus a clock. Cheap to clone; clones share both.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    store: Box<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hub")
    }
}

impl Hub {
    /// A hub over `store` using the system clock.
    pub fn new(store: impl Store) -> Self {
        Self::with_clock(store, Arc::new(SystemClock))
    }

    /// A hub over `store` reading time from `clock` (tests pass a [`crate::ManualClock`]).
    pub fn with_clock(store: impl Store, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                store: Box::new(store),
                clock,
            }),
        }
    }

    /// The current time as memberkit sees it (to the microsecond).
    pub fn now(&self) -> OffsetDateTime {
        truncate_to_micros(self.inner.clock.now())
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// Creates a tenant with default settings (invites live 7 days).
    pub fn create_tenant(&self, name: &str) -> Result<Tenant> {
        self.create_tenant_with(name, TenantSettings::default())
    }

    /// Creates a tenant with the given settings.
    pub fn create_tenant_with(&self, name: &str, settings: TenantSettings) -> Result<Tenant> {
        let name = normalize::name("name", name)?;
        check_settings(&settings)?;
        let now = self.now();
        let info = TenantInfo {
            id: TenantId::new(),
            name,
            settings,
            created_at: now,
            // Sweeps cover everything from its first instant.
            swept_until: Some(now),
        };
        store::write(self.store(), |tx| {
            tx.insert_tenant(&info)?;
            let op = Op::new(tx, info.id, Actor::System, now);
            op.audit("tenant.created", info.id, json!({ "name": info.name }))
        })?;
        Ok(Tenant {
            hub: self.clone(),
            id: info.id,
        })
    }

    /// A handle on an existing tenant. `not_found` if there is none with that id.
    pub fn tenant(&self, id: TenantId) -> Result<Tenant> {
        store::read(self.store(), |tx| tx.tenant(id))?
            .ok_or_else(|| Error::not_found("tenant", id))?;
        Ok(Tenant {
            hub: self.clone(),
            id,
        })
    }

    /// Every tenant, oldest first: an operator's listing (`memberkit tenants`). It reads every
    /// tenant's row, so it is not for a request path.
    pub fn tenants(&self) -> Result<Vec<TenantInfo>> {
        let mut found = store::read(self.store(), |tx| {
            let mut found = Vec::new();
            for id in tx.tenant_ids()? {
                found.extend(tx.tenant(id)?);
            }
            Ok(found)
        })?;
        found.sort_by_key(|t| (t.created_at, t.id));
        Ok(found)
    }

    /// Call when someone signs up with `email`: accepts that email's pending, unexpired invite
    /// in every tenant, in one transaction, and applies the email domains of the tenants where
    /// they have none, as `Tenant::claim` does. Returns what was applied (empty if nothing
    /// was).
    pub fn claim(&self, email: &str) -> Result<Vec<Accepted>> {
        let email = normalize::email(email)?;
        let now = self.now();
        store::write(self.store(), |tx| {
            let pending = tx.pending_invites_everywhere(&email.key)?;
            let mut accepted = Vec::new();
            for invite in &pending {
                // A domain's suggestion waits for the person to take it.
                if sign_up_claims(invite, now) {
                    accepted.push(apply_invite(tx, invite.clone(), now)?);
                }
            }
            // Tenants without a pending invite for them: their workspaces' email domains.
            for rule in tx.domain_rules_everywhere(domain_of(&email.key))? {
                if pending.iter().all(|i| i.tenant_id != rule.tenant_id) {
                    accepted.extend(crate::tenant::domains::enroll(
                        tx,
                        rule.tenant_id,
                        &email,
                        now,
                    )?);
                }
            }
            Ok(accepted)
        })
    }

    /// The invitee's side, after sign-up: every pending, unexpired invite for `email` in every
    /// tenant, oldest first, with the tenant's name. `invalid_input` for a malformed email.
    pub fn invites_for(&self, email: &str) -> Result<Vec<InviteForEmail>> {
        let key = normalize::email(email)?.key;
        let now = self.now();
        store::read(self.store(), |tx| {
            let mut out = Vec::new();
            for invite in tx.pending_invites_everywhere(&key)? {
                if !is_live(&invite, now) {
                    continue;
                }
                out.push(InviteForEmail {
                    tenant_name: tenant_name(tx, invite.tenant_id)?,
                    invite,
                });
            }
            Ok(out)
        })
    }

    /// The invite an invite link's token names, in its current status (`expired` once past
    /// its expiry), with the tenant's name: what an invite link's landing page shows before
    /// the person accepts or declines, whatever the invite's status (so the page can say the
    /// link expired, was revoked or was used). Changes nothing. `not_found` for a token that
    /// names no invite (malformed, unknown, or replaced by a resend).
    pub fn invite_by_link(&self, token: &str) -> Result<InviteForEmail> {
        let digest = InviteToken::parse(token)?.digest();
        let now = self.now();
        store::read(self.store(), |tx| {
            let invite = tx
                .invite_by_digest(&digest)?
                .ok_or_else(|| Error::not_found("invite", "token"))?;
            Ok(InviteForEmail {
                tenant_name: tenant_name(tx, invite.tenant_id)?,
                invite: with_current_status(invite, now),
            })
        })
    }

    /// "Your workspaces": every tenant where `email` is an active or deactivated member, with
    /// the tenant's name and the member's tenant-wide role, by tenant id. Invited members are
    /// in [`Hub::invites_for`] instead. `invalid_input` for a malformed email.
    pub fn memberships_of(&self, email: &str) -> Result<Vec<Membership>> {
        let key = normalize::email(email)?.key;
        store::read(self.store(), |tx| {
            let mut out = Vec::new();
            for member in tx.members_everywhere(&key)? {
                if member.status == MemberStatus::Invited {
                    continue;
                }
                out.push(Membership {
                    tenant_name: tenant_name(tx, member.tenant_id)?,
                    role: tenant_role(tx, member.tenant_id, member.id)?,
                    member,
                });
            }
            Ok(out)
        })
    }

    /// Undelivered outbox events of every tenant, oldest first (at most `limit`, 1 to 1000).
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEvent>> {
        check_limit(limit)?;
        store::read(self.store(), |tx| tx.pending_events(None, limit))
    }

    /// Marks events delivered. Returns how many were pending. Unknown ids are ignored, so a
    /// retried acknowledgement is harmless.
    pub fn ack(&self, ids: &[EventId]) -> Result<usize> {
        let now = self.now();
        store::write(self.store(), |tx| tx.mark_delivered(None, ids, now))
    }
}

fn tenant_name(tx: &dyn store::Tx, tenant: TenantId) -> Result<String> {
    Ok(tx
        .tenant(tenant)?
        .ok_or_else(|| Error::not_found("tenant", tenant))?
        .name)
}

pub(crate) fn check_settings(settings: &TenantSettings) -> Result<()> {
    let lifetime = settings.invite_lifetime;
    if lifetime < Duration::minutes(1) || lifetime > Duration::days(365) {
        return Err(Error::invalid(
            "invite_lifetime",
            "must be between one minute and 365 days",
        ));
    }
    let longest = settings.max_invite_lifetime;
    if longest < lifetime || longest > Duration::days(365) {
        return Err(Error::invalid(
            "max_invite_lifetime",
            "must be at least invite_lifetime and at most 365 days",
        ));
    }
    let reminders = &settings.expiry_reminders;
    let in_range = |d: &Duration| *d >= Duration::hours(1) && *d <= Duration::days(365);
    let distinct = reminders
        .iter()
        .enumerate()
        .all(|(i, d)| !reminders[..i].contains(d));
    if reminders.len() > 5 || !reminders.iter().all(in_range) || !distinct {
        return Err(Error::invalid(
            "expiry_reminders",
            "must be at most 5 different lead times, each between one hour and 365 days",
        ));
    }
    let max = settings.max_impersonation;
    if max < Duration::minutes(1) || max > Duration::hours(1) {
        return Err(Error::invalid(
            "max_impersonation",
            "must be between one minute and one hour",
        ));
    }
    Ok(())
}

/// The domain of an email key (after its last `@`).
pub(crate) fn domain_of(email_key: &str) -> &str {
    email_key.rsplit_once('@').map_or("", |(_, d)| d)
}
