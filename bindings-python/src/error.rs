//! Core errors as Python exceptions. The class is looked up by the core's own code string in
//! `memberkit._errors.ERRORS_BY_CODE`, so no table of codes is written here.

use crate::module;
use memberkit as mk;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// A core error on its way to Python.
pub(crate) struct Failure(pub(crate) mk::Error);

impl From<mk::Error> for Failure {
    fn from(e: mk::Error) -> Self {
        Failure(e)
    }
}

impl From<Failure> for PyErr {
    fn from(Failure(e): Failure) -> PyErr {
        Python::attach(|py| {
            let class = module(py, &ERRORS, "memberkit._errors")
                .and_then(|m| m.getattr("ERRORS_BY_CODE"))
                .and_then(|table| table.get_item(e.code().as_str()));
            match class {
                Ok(class) => match class.call1((e.to_string(),)) {
                    Ok(instance) => PyErr::from_value(instance),
                    Err(err) => err,
                },
                Err(err) => err,
            }
        })
    }
}

/// A result whose error becomes a memberkit exception.
pub(crate) type Res<T> = Result<T, Failure>;

/// Runs a store call with the GIL released; a core error returns early as its exception.
macro_rules! call {
    ($py:expr, $body:expr) => {
        $py.detach(|| $body).map_err($crate::error::Failure)?
    };
}
pub(crate) use call;
