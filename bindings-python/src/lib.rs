//! `memberkit._native`: the pyo3 module under the typed `memberkit` package. It only converts:
//! arguments in, results out (as the frozen dataclasses of `memberkit._types`), errors to the
//! classes of `memberkit._errors`. The GIL is released around every store call. Files mirror
//! the core's modules and the Node binding's (`hub.rs`, `tenant/…`, `error.rs`).

mod clock;
mod console;
mod convert;
mod error;
mod hub;
mod tenant;
mod types;

use memberkit as mk;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// A Python module imported once and kept.
pub(crate) fn module<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyModule>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyModule>> {
    cell.get_or_try_init(py, || Ok::<_, PyErr>(py.import(name)?.unbind()))
        .map(|m| m.bind(py))
}

/// The stable error codes, in the core's order.
fn error_codes() -> Vec<&'static str> {
    mk::ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

/// Runs the `memberkit` command with `argv` (the program name first) and returns its exit
/// status: `python -m memberkit` and the `memberkit` script. The GIL is released meanwhile.
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<String>) -> i32 {
    py.detach(|| memberkit_cli::run(argv))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add_class::<hub::Hub>()?;
    m.add_class::<tenant::Tenant>()?;
    m.add_class::<clock::ManualClock>()?;
    m.add_class::<console::Console>()?;
    m.add_class::<console::ConsoleRest>()?;
    m.add("ERROR_CODES", error_codes())?;
    m.add(
        "PERMISSIONS",
        mk::Permission::CATALOGUE
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect::<Vec<_>>(),
    )?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The core's list of operations, for the test that this module exposes each one.
    let operations = pyo3::types::PyDict::new(m.py());
    operations.set_item("Hub", mk::operations::HUB)?;
    operations.set_item("Tenant", mk::operations::TENANT)?;
    m.add("_OPERATIONS", operations)?;
    Ok(())
}
