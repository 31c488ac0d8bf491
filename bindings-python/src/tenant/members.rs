//! Deactivate, reactivate and remove; passwords; impersonation (mirrors `tenant/members.rs`).

use super::Tenant;
use crate::convert::*;
use crate::error::call;
use crate::types::record;
use crate::types::*;
use pyo3::prelude::*;

#[pymethods]
impl Tenant {
    /// Deactivates a member (reversible).
    fn deactivate<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m) = (crate::convert::actor(actor)?, parse(member)?);
        py_member(py, &call!(py, self.inner.deactivate(a, m)))
    }

    /// Reactivates a deactivated member.
    fn reactivate<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m) = (crate::convert::actor(actor)?, parse(member)?);
        py_member(py, &call!(py, self.inner.reactivate(a, m)))
    }

    /// Changes a member's metadata key by key (a None value removes the key). Needs the rights
    /// to manage them.
    fn update_member_metadata<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
        patch: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m) = (crate::convert::actor(actor)?, parse(member)?);
        let patch = crate::convert::metadata(Some(patch))?;
        py_member(
            py,
            &call!(py, self.inner.update_member_metadata(a, m, patch.clone())),
        )
    }

    /// Removes a member (their access, roles, password and pending invites).
    fn remove_member(&self, py: Python<'_>, actor: &str, member: &str) -> PyResult<()> {
        let (a, m) = (crate::convert::actor(actor)?, parse(member)?);
        call!(py, self.inner.remove_member(a, m));
        Ok(())
    }

    /// Sets a password (argon2id; the GIL is released while hashing).
    #[pyo3(signature = (actor, member, password, *, must_change=false))]
    fn set_password(
        &self,
        py: Python<'_>,
        actor: &str,
        member: &str,
        password: String,
        must_change: bool,
    ) -> PyResult<()> {
        let (a, m) = (crate::convert::actor(actor)?, parse(member)?);
        call!(py, self.inner.set_password(a, m, &password, must_change));
        Ok(())
    }

    /// Checks a sign-in: a PasswordCheck, or None for a wrong password or unknown email.
    fn verify_password<'py>(
        &self,
        py: Python<'py>,
        email: String,
        password: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        match call!(py, self.inner.verify_password(&email, &password)) {
            Some(c) => {
                record!(py, "PasswordCheck", { "member" => py_member(py, &c.member)?, "must_change" => c.must_change })
            }
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Starts "log in as this user"; `duration` is a timedelta (default: the tenant maximum).
    #[pyo3(signature = (actor, target, reason, *, duration=None))]
    fn impersonate<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        target: &str,
        reason: String,
        duration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, t) = (crate::convert::actor(actor)?, parse(target)?);
        let d = duration.map(self::duration).transpose()?;
        let issued = call!(py, self.inner.impersonate(a, t, &reason, d));
        record!(py, "IssuedImpersonation", { "session" => py_session(py, &issued.session)?, "token" => issued.token.expose() })
    }

    /// Exchanges an impersonation token for its live session.
    fn verify_impersonation<'py>(
        &self,
        py: Python<'py>,
        token: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        py_session(py, &call!(py, self.inner.verify_impersonation(&token)))
    }

    /// Ends a session early.
    fn end_impersonation<'py>(
        &self,
        py: Python<'py>,
        token: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        py_session(py, &call!(py, self.inner.end_impersonation(&token)))
    }

    // ----- customer list, import, export --------------------------------------------------
}
