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

use crate::convert::*;
use crate::error::call;
use crate::types::*;
use memberkit as mk;
use pyo3::prelude::*;

/// A tenant-scoped handle: every call reads and writes only this tenant's rows.
#[pyclass(frozen, module = "memberkit._native")]
pub(crate) struct Tenant {
    pub(crate) inner: mk::Tenant,
}

#[pymethods]
impl Tenant {
    /// The tenant's id.
    #[getter]
    fn id(&self) -> String {
        self.inner.id().to_string()
    }

    fn __repr__(&self) -> String {
        format!("Tenant('{}')", self.inner.id())
    }

    /// The tenant's name and settings.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_tenant(py, &call!(py, self.inner.info()))
    }

    /// Changes the settings (timedeltas; `expiry_reminders` a list of them). Needs
    /// `settings.manage`.
    #[pyo3(signature = (actor, *, invite_lifetime=None, max_impersonation=None, max_invite_lifetime=None, expiry_reminders=None))]
    fn update_settings<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        invite_lifetime: Option<&Bound<'_, PyAny>>,
        max_impersonation: Option<&Bound<'_, PyAny>>,
        max_invite_lifetime: Option<&Bound<'_, PyAny>>,
        expiry_reminders: Option<Vec<Bound<'_, PyAny>>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = crate::convert::actor(actor)?;
        let update = mk::SettingsUpdate {
            invite_lifetime: invite_lifetime.map(duration).transpose()?,
            max_impersonation: max_impersonation.map(duration).transpose()?,
            max_invite_lifetime: max_invite_lifetime.map(duration).transpose()?,
            expiry_reminders: expiry_reminders
                .map(|leads| leads.iter().map(duration).collect::<PyResult<Vec<_>>>())
                .transpose()?,
        };
        py_tenant(
            py,
            &call!(py, self.inner.update_settings(a, update.clone())),
        )
    }

    /// Audit entries, newest first; page with `before=<last id>`.
    /// `limit` is 1 to 1000 (default 100).
    #[pyo3(signature = (*, actor=None, subject=None, since=None, until=None, before=None, limit=None))]
    #[allow(clippy::too_many_arguments)]
    fn audit<'py>(
        &self,
        py: Python<'py>,
        actor: Option<&str>,
        subject: Option<String>,
        since: Option<&Bound<'_, PyAny>>,
        until: Option<&Bound<'_, PyAny>>,
        before: Option<String>,
        limit: Option<Count>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let defaults = mk::AuditQuery::default();
        let q = mk::AuditQuery {
            actor: actor.map(crate::convert::actor).transpose()?,
            subject,
            since: opt_instant(since)?,
            until: opt_instant(until)?,
            before: opt(before)?,
            limit: limit.map_or(defaults.limit, |l| l.0),
        };
        list(py, &call!(py, self.inner.audit(&q)), py_audit)
    }

    /// This tenant's undelivered events, oldest first (`limit` defaults to 100).
    #[pyo3(signature = (limit=None))]
    fn outbox<'py>(&self, py: Python<'py>, limit: Option<Count>) -> PyResult<Bound<'py, PyAny>> {
        let limit = limit.map_or(mk::DEFAULT_OUTBOX_LIMIT, |l| l.0);
        list(py, &call!(py, self.inner.outbox(limit)), py_event)
    }

    /// Marks this tenant's events delivered; returns how many were pending.
    fn ack(&self, py: Python<'_>, ids: Vec<String>) -> PyResult<usize> {
        let ids: Vec<mk::EventId> = parse_all(ids)?;
        Ok(call!(py, self.inner.ack(&ids)))
    }
}
