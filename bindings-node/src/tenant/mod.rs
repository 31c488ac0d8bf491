//! `Tenant`: the tenant-scoped handle, its info, settings, audit log and outbox. Its other
//! methods live beside this file by concept, mirroring the core's `tenant/` modules.

mod access;
mod bundles;
mod customers;
mod domains;
mod import;
mod invites;
mod members;
mod seats;
mod team;

pub use access::{AddCustomerOptions, GrantOptions, ProductOptions};
pub use customers::CustomerQuery;
pub use import::{FileSource, ImportOptions};
pub use invites::InviteOptions;
pub use members::{ImpersonateOptions, PasswordOptions};

use crate::convert::*;
use crate::hub::TenantOptions;
use crate::strict::{keys, Count, Strict};
use crate::task::{job, Job};
use crate::types::*;
use chrono::{DateTime, Utc};
use memberkit as mk;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Filters of `audit`.
#[napi(object)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Cursor: the last id of the previous page.
    pub before: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[napi(ts_type = "number")]
    pub limit: Option<Count>,
}

keys! { AuditQuery as "query" => ["actor", "subject", "since", "until", "before", "limit"] }

/// A tenant-scoped handle: every call reads and writes only this tenant's rows.
#[napi]
pub struct Tenant {
    pub(crate) inner: mk::Tenant,
}

/// A job over a clone of this handle.
macro_rules! tenant_job {
    ($self:ident, |$t:ident| $body:expr) => {{
        let $t = $self.inner.clone();
        job(move || $body)
    }};
}
pub(crate) use tenant_job;

impl From<mk::Tenant> for Tenant {
    fn from(inner: mk::Tenant) -> Self {
        Tenant { inner }
    }
}

#[napi]
impl Tenant {
    /// The tenant's id.
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_string()
    }

    /// The tenant's name and settings.
    #[napi(ts_return_type = "Promise<TenantInfo>")]
    pub fn info(&self) -> AsyncTask<Job<TenantInfo>> {
        tenant_job!(self, |t| t.info().map(Into::into))
    }

    /// Changes the settings. Needs `settings.manage`.
    #[napi(ts_return_type = "Promise<TenantInfo>")]
    pub fn update_settings(
        &self,
        actor: String,
        #[napi(ts_arg_type = "TenantOptions")] options: Strict<TenantOptions>,
    ) -> AsyncTask<Job<TenantInfo>> {
        let Strict(options) = options;
        tenant_job!(self, |t| {
            let update = mk::SettingsUpdate {
                invite_lifetime: options.invite_lifetime_ms.map(millis).transpose()?,
                max_impersonation: options.max_impersonation_ms.map(millis).transpose()?,
                max_invite_lifetime: options.max_invite_lifetime_ms.map(millis).transpose()?,
                expiry_reminders: crate::hub::leads(options.expiry_reminders_ms)?,
            };
            t.update_settings(self::actor(&actor)?, update)
                .map(Into::into)
        })
    }

    /// Audit entries, newest first; page with `before: <last id>`.
    #[napi(ts_return_type = "Promise<Array<AuditEntry>>")]
    pub fn audit(
        &self,
        #[napi(ts_arg_type = "AuditQuery")] query: Option<Strict<AuditQuery>>,
    ) -> AsyncTask<Job<Vec<AuditEntry>>> {
        tenant_job!(self, |t| {
            let q = match query {
                None => mk::AuditQuery::default(),
                Some(Strict(q)) => mk::AuditQuery {
                    actor: q.actor.as_deref().map(self::actor).transpose()?,
                    subject: q.subject,
                    since: q.since.map(instant).transpose()?,
                    until: q.until.map(instant).transpose()?,
                    before: opt(q.before)?,
                    limit: q.limit.map_or(mk::AuditQuery::default().limit, |l| l.0),
                },
            };
            Ok(t.audit(&q)?
                .into_iter()
                .map(|e| AuditEntry {
                    id: e.id.to_string(),
                    tenant_id: e.tenant_id.to_string(),
                    at: date(e.at),
                    actor: e.actor.as_argument(),
                    action: e.action,
                    subject: e.subject,
                    details: e.details,
                })
                .collect())
        })
    }

    /// This tenant's undelivered events, oldest first (default 100).
    #[napi(ts_return_type = "Promise<Array<OutboxEvent>>")]
    pub fn outbox(
        &self,
        #[napi(ts_arg_type = "number")] limit: Option<Count>,
    ) -> AsyncTask<Job<Vec<OutboxEvent>>> {
        tenant_job!(self, |t| t
            .outbox(limit.map_or(mk::DEFAULT_OUTBOX_LIMIT, |l| l.0))
            .map(events))
    }

    /// Marks this tenant's events delivered; resolves to how many were pending.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn ack(&self, ids: Vec<String>) -> AsyncTask<Job<u32>> {
        tenant_job!(self, |t| {
            let ids: Vec<mk::EventId> = self::ids(Some(ids))?;
            t.ack(&ids).map(|n| n as u32)
        })
    }
}
