//! A tenant handle and its own small calls (info, settings, audit, outbox); the other
//! operations live beside it by concept.

pub(crate) mod access;
pub(crate) mod bundles;
pub(crate) mod customers;
pub(crate) mod domains;
pub(crate) mod invites;
pub(crate) mod members;
pub(crate) mod seats;
pub(crate) mod team;

use crate::error::{Error, Result};
use crate::hub::{check_settings, Hub};
use crate::ids::*;
use crate::model::*;
use crate::op::Op;
use crate::permission::Permission;
use crate::query::{check_limit, AuditQuery};
use crate::requests::*;
use crate::store::{self, Tx};
use serde_json::json;
use time::OffsetDateTime;

/// A handle scoped to one tenant: every call reads and writes only that tenant's rows.
/// Cheap to clone.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub(crate) hub: Hub,
    pub(crate) id: TenantId,
}

impl Tenant {
    /// The tenant's id.
    pub fn id(&self) -> TenantId {
        self.id
    }

    /// The hub this handle belongs to.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    pub(crate) fn read<R>(
        &self,
        mut f: impl FnMut(&dyn Tx, OffsetDateTime) -> Result<R>,
    ) -> Result<R> {
        let now = self.hub.now();
        store::read(self.hub.store(), |tx| f(tx, now))
    }

    pub(crate) fn write<R>(&self, actor: Actor, f: impl FnMut(&Op) -> Result<R>) -> Result<R> {
        self.write_notifying(actor, true, f)
    }

    /// A write whose `email`-channel events are written only when `notify` is true.
    pub(crate) fn write_notifying<R>(
        &self,
        actor: Actor,
        notify: bool,
        mut f: impl FnMut(&Op) -> Result<R>,
    ) -> Result<R> {
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            let mut op = Op::new(tx, self.id, actor, now);
            op.notify = notify;
            f(&op)
        })
    }

    /// The tenant's name and settings.
    pub fn info(&self) -> Result<TenantInfo> {
        self.read(|tx, _| {
            tx.tenant(self.id)?
                .ok_or_else(|| Error::not_found("tenant", self.id))
        })
    }

    /// Changes some settings (the others keep their values), in one transaction. Needs
    /// `settings.manage`. The invite lifetime must be between one minute and one year and
    /// applies to invites created or resent from now on; the longest lifetime one invite may
    /// ask for at least that and at most one year; the impersonation maximum between one minute
    /// and one hour.
    pub fn update_settings(&self, actor: Actor, update: SettingsUpdate) -> Result<TenantInfo> {
        self.write(actor, |op| {
            op.require(&Permission::SETTINGS_MANAGE)?;
            let mut info = op.tenant_info()?;
            if let Some(d) = update.invite_lifetime {
                info.settings.invite_lifetime = d;
            }
            if let Some(d) = update.max_impersonation {
                info.settings.max_impersonation = d;
            }
            if let Some(d) = update.max_invite_lifetime {
                info.settings.max_invite_lifetime = d;
            }
            if let Some(leads) = &update.expiry_reminders {
                info.settings.expiry_reminders = leads.clone();
            }
            check_settings(&info.settings)?;
            op.tx.update_tenant(&info)?;
            op.audit(
                "tenant.settings_changed",
                self.id,
                json!({
                    "invite_lifetime_secs": info.settings.invite_lifetime.whole_seconds(),
                    "max_impersonation_secs": info.settings.max_impersonation.whole_seconds(),
                    "max_invite_lifetime_secs": info.settings.max_invite_lifetime.whole_seconds(),
                    "expiry_reminders_secs": info.settings.expiry_reminders.iter()
                        .map(|d| d.whole_seconds()).collect::<Vec<_>>(),
                }),
            )?;
            Ok(info)
        })
    }

    // ----- audit and outbox -------------------------------------------------------------------

    /// Audit entries matching `query`, newest first. For the next page, pass the last
    /// entry's id as `query.before`. `invalid_input` for a limit out of range or a subject
    /// with a control character.
    pub fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        check_limit(query.limit)?;
        // Subjects are ids and keys memberkit wrote; a control character can match none, and
        // PostgreSQL text cannot hold a NUL.
        if query
            .subject
            .as_deref()
            .is_some_and(|s| s.chars().any(char::is_control))
        {
            return Err(Error::invalid(
                "subject",
                "must not contain control characters",
            ));
        }
        self.read(|tx, _| tx.audit(self.id, query))
    }

    /// This tenant's undelivered outbox events, oldest first (at most `limit`, 1 to 1000).
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEvent>> {
        check_limit(limit)?;
        self.read(|tx, _| tx.pending_events(Some(self.id), limit))
    }

    /// Marks this tenant's events delivered; ids of other tenants are ignored. Returns how
    /// many were pending.
    pub fn ack(&self, ids: &[EventId]) -> Result<usize> {
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            tx.mark_delivered(Some(self.id), ids, now)
        })
    }
}
