//! Verified email domains (mirrors `tenant/domains.rs`).

use super::Tenant;
use crate::convert::*;
use crate::error::call;
use crate::types::*;
use memberkit as mk;
use pyo3::prelude::*;

#[pymethods]
impl Tenant {
    /// Lets people who sign up at `domain` into `workspace`: `enrollment="join"` (the default)
    /// or `"suggest"`, with `role` there (default `member`).
    #[pyo3(signature = (actor, workspace, domain, *, enrollment=None, role=None))]
    fn add_domain<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        workspace: &str,
        domain: String,
        enrollment: Option<String>,
        role: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, w) = (crate::convert::actor(actor)?, parse(workspace)?);
        let defaults = mk::NewDomain::new(domain);
        let new = mk::NewDomain {
            enrollment: opt(enrollment)?.unwrap_or(defaults.enrollment),
            role: opt(role)?.unwrap_or(defaults.role),
            ..defaults
        };
        py_domain(py, &call!(py, self.inner.add_domain(a, w, new.clone())))
    }

    /// Stops taking people from `domain` into `workspace`; returns whether it was one of its
    /// domains.
    fn remove_domain(
        &self,
        py: Python<'_>,
        actor: &str,
        workspace: &str,
        domain: &str,
    ) -> PyResult<bool> {
        let (a, w) = (crate::convert::actor(actor)?, parse(workspace)?);
        Ok(call!(py, self.inner.remove_domain(a, w, domain)))
    }

    /// The email domains of a workspace.
    fn domains<'py>(&self, py: Python<'py>, workspace: &str) -> PyResult<Bound<'py, PyAny>> {
        let w = parse(workspace)?;
        list(py, &call!(py, self.inner.domains(w)), py_domain)
    }

    /// Takes the workspace `email`'s domain suggested; None when there is no suggestion.
    fn accept_suggestion<'py>(&self, py: Python<'py>, email: &str) -> PyResult<Bound<'py, PyAny>> {
        match call!(py, self.inner.accept_suggestion(email)) {
            Some(a) => py_accepted(py, &a),
            None => Ok(py.None().into_bound(py)),
        }
    }
}
