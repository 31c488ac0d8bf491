//! `Hub`: open a database, create and find tenants, hub-wide claim and outbox.

use crate::clock::ManualClock;
use crate::convert::*;
use crate::strict::{keys, Count, Strict};
use crate::task::{job, now, Job};
use crate::tenant::Tenant;
use crate::types::*;
use chrono::{DateTime, Utc};
use memberkit as mk;
use memberkit_open::OpenHub;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::Arc;

/// Options of `Hub.createTenant`.
#[napi(object)]
pub struct TenantOptions {
    /// How long invite links live, in milliseconds (default 7 days).
    pub invite_lifetime_ms: Option<f64>,
    /// Longest impersonation, in milliseconds (default and maximum one hour).
    pub max_impersonation_ms: Option<f64>,
    /// The longest lifetime one invite may ask for, in milliseconds (default 30 days).
    pub max_invite_lifetime_ms: Option<f64>,
    /// How long before a grant ends `sweep` writes `access.expiring`, in milliseconds
    /// (default 7 days and 1 day).
    pub expiry_reminders_ms: Option<Vec<f64>>,
}

keys! { TenantOptions => ["inviteLifetimeMs", "maxImpersonationMs", "maxInviteLifetimeMs", "expiryRemindersMs"] }

/// Lead times in milliseconds as durations.
pub(crate) fn leads(ms: Option<Vec<f64>>) -> mk::Result<Option<Vec<mk::time::Duration>>> {
    ms.map(|list| list.into_iter().map(millis).collect())
        .transpose()
}

/// A memberkit hub: one database (a SQLite file by default) holding any number of tenants.
/// Share one per process.
#[napi]
pub struct Hub {
    pub(crate) inner: mk::Hub,
}

/// The work behind `open` and `openSync`.
fn opening(
    path: String,
    clock: Option<&ManualClock>,
) -> impl FnOnce() -> mk::Result<Hub> + Send + 'static {
    let clock: Option<Arc<mk::ManualClock>> = clock.map(|c| c.inner.clone());
    move || {
        let inner = match clock {
            Some(c) => mk::Hub::open_with_clock(&path, c)?,
            None => mk::Hub::open(&path)?,
        };
        Ok(Hub { inner })
    }
}

/// The work behind `tenant` and `tenantSync`.
fn finding(hub: &mk::Hub, id: String) -> impl FnOnce() -> mk::Result<Tenant> + Send + 'static {
    let hub = hub.clone();
    move || Ok(Tenant::from(hub.tenant(id.parse()?)?))
}

#[napi]
impl Hub {
    /// Opens a hub by path or URL: a SQLite file (created if needed), `":memory:"` for an
    /// ephemeral one, `"sqlite:…"`, or `"postgresql://user:password@host:5432/db"` for a
    /// PostgreSQL database that several app servers share; another `scheme://` rejects with `invalid_input`.
    /// `clock` is for tests.
    #[napi(ts_return_type = "Promise<Hub>")]
    pub fn open(path: String, clock: Option<&ManualClock>) -> AsyncTask<Job<Hub>> {
        job(opening(path, clock))
    }

    /// `open`, synchronously (for start-up code).
    #[napi]
    pub fn open_sync(
        path: String,
        clock: Option<&ManualClock>,
    ) -> std::result::Result<Hub, Error<String>> {
        now(opening(path, clock))
    }

    /// The current time as memberkit sees it.
    #[napi]
    pub fn now(&self) -> DateTime<Utc> {
        date(self.inner.now())
    }

    /// Creates a tenant.
    #[napi(ts_return_type = "Promise<Tenant>")]
    pub fn create_tenant(
        &self,
        name: String,
        #[napi(ts_arg_type = "TenantOptions")] options: Option<Strict<TenantOptions>>,
    ) -> AsyncTask<Job<Tenant>> {
        let hub = self.inner.clone();
        job(move || {
            let mut settings = mk::TenantSettings::default();
            if let Some(Strict(o)) = options {
                if let Some(ms) = o.invite_lifetime_ms {
                    settings.invite_lifetime = millis(ms)?;
                }
                if let Some(ms) = o.max_impersonation_ms {
                    settings.max_impersonation = millis(ms)?;
                }
                if let Some(ms) = o.max_invite_lifetime_ms {
                    settings.max_invite_lifetime = millis(ms)?;
                }
                if let Some(list) = leads(o.expiry_reminders_ms)? {
                    settings.expiry_reminders = list;
                }
            }
            hub.create_tenant_with(&name, settings).map(Tenant::from)
        })
    }

    /// A handle on an existing tenant (`not_found` if there is none).
    #[napi(ts_return_type = "Promise<Tenant>")]
    pub fn tenant(&self, id: String) -> AsyncTask<Job<Tenant>> {
        job(finding(&self.inner, id))
    }

    /// `tenant`, synchronously (cheap: one primary-key read).
    #[napi]
    pub fn tenant_sync(&self, id: String) -> std::result::Result<Tenant, Error<String>> {
        now(finding(&self.inner, id))
    }

    /// Call on sign-up: accepts the email's pending invites in every tenant.
    #[napi(ts_return_type = "Promise<Array<Accepted>>")]
    pub fn claim(&self, email: String) -> AsyncTask<Job<Vec<Accepted>>> {
        let hub = self.inner.clone();
        job(move || Ok(hub.claim(&email)?.into_iter().map(Into::into).collect()))
    }

    /// The invitee's pending, unexpired invites in every tenant, with each tenant's name.
    #[napi(ts_return_type = "Promise<Array<InviteForEmail>>")]
    pub fn invites_for(&self, email: String) -> AsyncTask<Job<Vec<InviteForEmail>>> {
        let hub = self.inner.clone();
        job(move || {
            Ok(hub
                .invites_for(&email)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The invite an invite link's token names, in its current status, with the tenant's name.
    #[napi(ts_return_type = "Promise<InviteForEmail>")]
    pub fn invite_by_link(&self, token: String) -> AsyncTask<Job<InviteForEmail>> {
        let hub = self.inner.clone();
        job(move || Ok(hub.invite_by_link(&token)?.into()))
    }

    /// Every tenant, oldest first (an operator's listing: it reads every tenant's row).
    #[napi(ts_return_type = "Promise<Array<TenantInfo>>")]
    pub fn tenants(&self) -> AsyncTask<Job<Vec<TenantInfo>>> {
        let hub = self.inner.clone();
        job(move || Ok(hub.tenants()?.into_iter().map(Into::into).collect()))
    }

    /// Every tenant where the email is an active or deactivated member, with its role.
    #[napi(ts_return_type = "Promise<Array<Membership>>")]
    pub fn memberships_of(&self, email: String) -> AsyncTask<Job<Vec<Membership>>> {
        let hub = self.inner.clone();
        job(move || {
            Ok(hub
                .memberships_of(&email)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// Undelivered events of every tenant, oldest first (default 100).
    #[napi(ts_return_type = "Promise<Array<OutboxEvent>>")]
    pub fn outbox(
        &self,
        #[napi(ts_arg_type = "number")] limit: Option<Count>,
    ) -> AsyncTask<Job<Vec<OutboxEvent>>> {
        let hub = self.inner.clone();
        job(move || {
            hub.outbox(limit.map_or(mk::DEFAULT_OUTBOX_LIMIT, |l| l.0))
                .map(events)
        })
    }

    /// Writes the outbox events that came due up to `now` (memberkit's clock when absent), each
    /// once however often and from however many processes it runs: `access.expiring`,
    /// `access.expired`, `access.started`, `invite.expired`. Call it from a scheduler.
    #[napi(ts_return_type = "Promise<SweepReport>")]
    pub fn sweep(&self, now: Option<DateTime<Utc>>) -> AsyncTask<Job<SweepReport>> {
        let hub = self.inner.clone();
        job(move || {
            let now = now.map(instant).transpose()?;
            let report = hub.sweep(now)?;
            Ok(SweepReport {
                tenants: report.tenants as u32,
                events: report.events as u32,
            })
        })
    }

    /// Marks events delivered; resolves to how many were pending.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn ack(&self, ids: Vec<String>) -> AsyncTask<Job<u32>> {
        let hub = self.inner.clone();
        job(move || {
            let ids: Vec<mk::EventId> = self::ids(Some(ids))?;
            hub.ack(&ids).map(|n| n as u32)
        })
    }
}
