//! `ManualClock`, for tests that cross expiries.

use crate::convert::*;
use crate::error::Failure;
use memberkit as mk;
use pyo3::prelude::*;
use std::sync::Arc;

/// A clock that stands still until moved: pass it to `Hub.open` in tests to cross expiries.
#[pyclass(frozen, module = "memberkit._native")]
pub(crate) struct ManualClock {
    pub(crate) inner: Arc<mk::ManualClock>,
}

#[pymethods]
impl ManualClock {
    /// A clock showing `start` (an aware datetime).
    #[new]
    fn new(start: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: Arc::new(mk::ManualClock::new(instant(start)?)),
        })
    }

    /// The time it shows.
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        use mk::Clock;
        dt(py, self.inner.now())
    }

    /// Moves the clock by a timedelta.
    fn advance(&self, by: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.advance(duration(by)?).map_err(Failure)?;
        Ok(())
    }

    /// Sets the clock to an aware datetime.
    fn set(&self, to: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set(instant(to)?);
        Ok(())
    }
}
