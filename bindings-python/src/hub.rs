//! `Hub`: open a database, create and find tenants, hub-wide claim and outbox.

use crate::clock::ManualClock;
use crate::convert::*;
use crate::error::Failure;
use crate::tenant::Tenant;
use crate::types::*;
use memberkit as mk;
use memberkit_open::OpenHub;
use pyo3::prelude::*;
use std::sync::Arc;

/// A memberkit hub: one SQLite database holding any number of tenants. Thread-safe; share one.
#[pyclass(frozen, module = "memberkit._native")]
pub(crate) struct Hub {
    pub(crate) inner: mk::Hub,
}

#[pymethods]
impl Hub {
    /// Opens a hub by path or URL: a SQLite file (created if needed), `":memory:"` for an
    /// ephemeral one, `"sqlite:…"`, or `"postgresql://user:password@host:5432/db"` for a
    /// PostgreSQL database that several app servers share; another `scheme://` raises `InvalidInputError`.
    /// `clock` is for tests.
    #[staticmethod]
    #[pyo3(signature = (path, clock=None))]
    fn open(
        py: Python<'_>,
        path: std::path::PathBuf,
        clock: Option<&ManualClock>,
    ) -> PyResult<Self> {
        let clock = clock.map(|c| c.inner.clone() as Arc<dyn mk::Clock>);
        let inner = py.detach(|| match clock {
            Some(c) => mk::Hub::open_with_clock(&path, c),
            None => mk::Hub::open(&path),
        });
        Ok(Self {
            inner: inner.map_err(Failure)?,
        })
    }

    /// The current time as memberkit sees it.
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        dt(py, self.inner.now())
    }

    /// Creates a tenant. Lifetimes are timedeltas (defaults: invites 7 days, at most 30 days
    /// for one invite, impersonation 1 hour).
    #[pyo3(signature = (name, *, invite_lifetime=None, max_impersonation=None, max_invite_lifetime=None))]
    fn create_tenant(
        &self,
        py: Python<'_>,
        name: String,
        invite_lifetime: Option<&Bound<'_, PyAny>>,
        max_impersonation: Option<&Bound<'_, PyAny>>,
        max_invite_lifetime: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Tenant> {
        let mut settings = mk::TenantSettings::default();
        for (field, value) in [
            (&mut settings.invite_lifetime, invite_lifetime),
            (&mut settings.max_impersonation, max_impersonation),
            (&mut settings.max_invite_lifetime, max_invite_lifetime),
        ] {
            if let Some(d) = value {
                *field = duration(d)?;
            }
        }
        let t = py
            .detach(|| self.inner.create_tenant_with(&name, settings))
            .map_err(Failure)?;
        Ok(Tenant { inner: t })
    }

    /// A handle on an existing tenant. Raises `NotFoundError`.
    fn tenant(&self, py: Python<'_>, id: String) -> PyResult<Tenant> {
        let id: mk::TenantId = parse(&id)?;
        let t = py.detach(|| self.inner.tenant(id)).map_err(Failure)?;
        Ok(Tenant { inner: t })
    }

    /// Call on sign-up: accepts the email's pending invites in every tenant.
    fn claim<'py>(&self, py: Python<'py>, email: String) -> PyResult<Bound<'py, PyAny>> {
        let r = py.detach(|| self.inner.claim(&email)).map_err(Failure)?;
        list(py, &r, py_accepted)
    }

    /// The invitee's pending, unexpired invites in every tenant, with each tenant's name.
    fn invites_for<'py>(&self, py: Python<'py>, email: String) -> PyResult<Bound<'py, PyAny>> {
        let r = py
            .detach(|| self.inner.invites_for(&email))
            .map_err(Failure)?;
        list(py, &r, py_invite_for_email)
    }

    /// The invite an invite link's token names, in its current status, with the tenant's name.
    fn invite_by_link<'py>(&self, py: Python<'py>, token: String) -> PyResult<Bound<'py, PyAny>> {
        let r = py
            .detach(|| self.inner.invite_by_link(&token))
            .map_err(Failure)?;
        py_invite_for_email(py, &r)
    }

    /// Every tenant, oldest first (an operator's listing: it reads every tenant's row).
    fn tenants<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let r = py.detach(|| self.inner.tenants()).map_err(Failure)?;
        list(py, &r, py_tenant)
    }

    /// Every tenant where the email is an active or deactivated member, with its role.
    fn memberships_of<'py>(&self, py: Python<'py>, email: String) -> PyResult<Bound<'py, PyAny>> {
        let r = py
            .detach(|| self.inner.memberships_of(&email))
            .map_err(Failure)?;
        list(py, &r, py_membership)
    }

    /// Undelivered events of every tenant, oldest first (`limit` defaults to 100).
    #[pyo3(signature = (limit=None))]
    fn outbox<'py>(&self, py: Python<'py>, limit: Option<Count>) -> PyResult<Bound<'py, PyAny>> {
        let limit = limit.map_or(mk::DEFAULT_OUTBOX_LIMIT, |l| l.0);
        let r = py.detach(|| self.inner.outbox(limit)).map_err(Failure)?;
        list(py, &r, py_event)
    }

    /// Writes the outbox events that came due up to `now` (memberkit's clock when None), each
    /// once however often and from however many processes it runs: `access.expiring`,
    /// `access.expired`, `access.started`, `invite.expired`. Call it from a scheduler.
    #[pyo3(signature = (now=None))]
    fn sweep<'py>(
        &self,
        py: Python<'py>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = opt_instant(now)?;
        let report = py.detach(|| self.inner.sweep(now)).map_err(Failure)?;
        crate::types::record!(py, "SweepReport", {
            "tenants" => report.tenants, "events" => report.events,
        })
    }

    /// Marks events delivered; returns how many were pending.
    fn ack(&self, py: Python<'_>, ids: Vec<String>) -> PyResult<usize> {
        let ids: Vec<mk::EventId> = parse_all(ids)?;
        Ok(py.detach(|| self.inner.ack(&ids)).map_err(Failure)?)
    }
}
