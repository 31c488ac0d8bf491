//! Seat limits (mirrors `tenant/seats.rs`).

use super::Tenant;
use crate::convert::*;
use crate::error::call;
use crate::types::*;
use pyo3::prelude::*;

#[pymethods]
impl Tenant {
    /// Caps the seats of the tenant, or of `workspace`; `limit=None` lifts the cap. Only the
    /// platform (`SYSTEM`) may.
    #[pyo3(signature = (actor, limit, *, workspace=None))]
    fn set_seat_limit<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        limit: Option<Count>,
        workspace: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, w) = (crate::convert::actor(actor)?, opt(workspace)?);
        let limit = limit.map(|n| u32::try_from(n.0).unwrap_or(u32::MAX));
        py_seats(py, &call!(py, self.inner.set_seat_limit(a, w, limit)))
    }

    /// The seats of the tenant, or of `workspace`: the cap and how many are taken.
    #[pyo3(signature = (*, workspace=None))]
    fn seats<'py>(
        &self,
        py: Python<'py>,
        workspace: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let w = opt(workspace)?;
        py_seats(py, &call!(py, self.inner.seats(w)))
    }
}
