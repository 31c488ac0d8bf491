//! Email invites (mirrors the core's `tenant/invites.rs`).

use super::Tenant;
use crate::convert::*;
use crate::error::call;
use crate::types::*;
use memberkit as mk;
use pyo3::prelude::*;

#[pymethods]
impl Tenant {
    /// Invites an email; returns the invite and its link token (once). `lifetime` (a
    /// timedelta) overrides the tenant's invite lifetime, up to its maximum; `message` is a
    /// personal note carried in the invite's outbox events.
    #[pyo3(signature = (actor, email, *, name=None, role=None, products=Vec::new(), workspace=None, notify=None, lifetime=None, message=None, metadata=None))]
    #[allow(clippy::too_many_arguments)]
    fn invite<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        email: String,
        name: Option<String>,
        role: Option<String>,
        products: Vec<String>,
        workspace: Option<String>,
        notify: Option<bool>,
        lifetime: Option<&Bound<'_, PyAny>>,
        message: Option<String>,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = crate::convert::actor(actor)?;
        let defaults = mk::NewInvite::new(email);
        let new = mk::NewInvite {
            name,
            role: opt(role)?.unwrap_or(defaults.role),
            workspace: opt(workspace)?,
            products: parse_all(products)?,
            notify: notify.unwrap_or(defaults.notify),
            lifetime: lifetime.map(duration).transpose()?,
            message,
            metadata: crate::convert::metadata(metadata)?,
            ..defaults
        };
        py_issued(py, &call!(py, self.inner.invite(a, new.clone())))
    }

    /// Resends: a new token and a fresh lifetime.
    fn resend_invite<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        invite: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, i) = (crate::convert::actor(actor)?, parse(invite)?);
        py_issued(py, &call!(py, self.inner.resend_invite(a, i)))
    }

    /// "Copy invite link": another link to a pending invite; the emailed one keeps working.
    fn copy_invite_link<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        invite: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, i) = (crate::convert::actor(actor)?, parse(invite)?);
        py_issued(py, &call!(py, self.inner.copy_invite_link(a, i)))
    }

    /// Revokes a pending invite.
    fn revoke_invite<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        invite: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, i) = (crate::convert::actor(actor)?, parse(invite)?);
        py_invite(py, &call!(py, self.inner.revoke_invite(a, i)))
    }

    /// Accepts an invite by its link token; pass the signed-in email when there is one.
    #[pyo3(signature = (token, email=None))]
    fn accept<'py>(
        &self,
        py: Python<'py>,
        token: String,
        email: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        py_accepted(py, &call!(py, self.inner.accept(&token, email.as_deref())))
    }

    /// Call on sign-up: accepts this email's pending invite here, or returns None.
    fn claim<'py>(&self, py: Python<'py>, email: String) -> PyResult<Bound<'py, PyAny>> {
        match call!(py, self.inner.claim(&email)) {
            Some(a) => py_accepted(py, &a),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// The invitee declines by the link's token; pass the signed-in email when there is one.
    #[pyo3(signature = (token, email=None))]
    fn decline<'py>(
        &self,
        py: Python<'py>,
        token: String,
        email: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        py_invite(py, &call!(py, self.inner.decline(&token, email.as_deref())))
    }

    /// After sign-up: declines this email's pending invite here, or returns None.
    fn decline_pending<'py>(&self, py: Python<'py>, email: String) -> PyResult<Bound<'py, PyAny>> {
        match call!(py, self.inner.decline_pending(&email)) {
            Some(i) => py_invite(py, &i),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// One invite with its current status.
    fn get_invite<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let id = parse(id)?;
        py_invite(py, &call!(py, self.inner.get_invite(id)))
    }

    /// Invites, newest first, optionally filtered by status.
    #[pyo3(signature = (status=None))]
    fn invites<'py>(&self, py: Python<'py>, status: Option<String>) -> PyResult<Bound<'py, PyAny>> {
        let status = opt(status)?;
        list(py, &call!(py, self.inner.invites(status)), py_invite)
    }

    // ----- team ---------------------------------------------------------------------------------
}
