//! Bulk import (mirrors the core's `import/`). The format, the defaults and how a source's
//! bytes or file become text are the core's (`ImportFormat`, `ImportOptions`, `ImportInput`);
//! this file only says which Python values are which kind of source.

use super::Tenant;
use crate::convert::*;
use crate::error::Failure;
use crate::types::*;
use memberkit as mk;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use std::sync::{Arc, Mutex};

#[pymethods]
impl Tenant {
    /// Imports CSV or pasted text (`format` is "csv", the default, or "pasted") from a str (the
    /// text itself), bytes (UTF-8), an os.PathLike (a file to read) or a file object. New people
    /// are invited unless `mode` is "grant" or "temporary_password"; new members get `role`
    /// ("customer" by default). Rows are written in short chunks unless `atomic` (see the
    /// core's `ImportOptions::atomic`). The GIL is released; `progress`, if given, is called
    /// with (done, total), and an exception it raises stops the import and is raised.
    #[pyo3(signature = (actor, source, *, format=None, products=Vec::new(), workspace=None, role=None, mode=None, notify=None, dry_run=None, skip_invalid=None, progress=None, atomic=None))]
    #[allow(clippy::too_many_arguments)]
    fn import_customers<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        source: &Bound<'py, PyAny>,
        format: Option<String>,
        products: Vec<String>,
        workspace: Option<String>,
        role: Option<String>,
        mode: Option<String>,
        notify: Option<bool>,
        dry_run: Option<bool>,
        skip_invalid: Option<bool>,
        progress: Option<Py<PyAny>>,
        atomic: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let actor = crate::convert::actor(actor)?;
        let input = import_input(source)?;
        if progress
            .as_ref()
            .is_some_and(|cb| !cb.bind(py).is_callable())
        {
            return Err(PyTypeError::new_err(
                "progress must be callable as progress(done, total)",
            ));
        }
        let raised: Arc<Mutex<Option<PyErr>>> = Arc::default();
        let defaults = mk::ImportOptions::default();
        let options = mk::ImportOptions {
            products: parse_all(products)?,
            workspace: opt(workspace)?,
            role: opt(role)?.unwrap_or(defaults.role),
            mode: opt(mode)?.unwrap_or(defaults.mode),
            notify: notify.or(defaults.notify),
            dry_run: dry_run.unwrap_or(defaults.dry_run),
            skip_invalid: skip_invalid.unwrap_or(defaults.skip_invalid),
            progress: progress.map(|cb| reporter(cb, raised.clone())),
            atomic,
        };
        let format: mk::ImportFormat = opt(format)?.unwrap_or_default();
        let result = py.detach(|| {
            let text = input.into_text()?;
            self.inner
                .import_customers(actor, mk::ImportSource::new(format, &text), &options)
        });
        if let Some(err) = raised.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(err);
        }
        py_report(py, &result.map_err(Failure)?)
    }
}

/// A progress function calling `cb(done, total)`; what it raises is kept in `raised` and stops
/// the import.
fn reporter(cb: Py<PyAny>, raised: Arc<Mutex<Option<PyErr>>>) -> mk::ProgressFn {
    Arc::new(move |done: usize, total: usize| {
        Python::attach(|py| cb.call1(py, (done, total)).map(drop)).map_err(|e| {
            *raised.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            mk::Error::Conflict("the progress callback raised: import stopped".into())
        })
    })
}

/// Which kind of source a Python value is: a str is the text; bytes or bytearray are bytes; a
/// file object is `read()` once and must give str or bytes; an os.PathLike is a file.
fn import_input(source: &Bound<'_, PyAny>) -> PyResult<mk::ImportInput> {
    if let Some(input) = str_or_bytes(source)? {
        return Ok(input);
    }
    if source.hasattr("read")? {
        let data = source.call_method0("read")?;
        return str_or_bytes(&data)?.ok_or_else(|| {
            PyTypeError::new_err(format!(
                "source.read() must return str or bytes, not {}",
                data.get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string())
            ))
        });
    }
    if let Ok(path) = source.extract::<std::path::PathBuf>() {
        return Ok(mk::ImportInput::File(path));
    }
    Err(PyTypeError::new_err(
        "source must be str (the text), bytes, os.PathLike or a file object",
    ))
}

fn str_or_bytes(value: &Bound<'_, PyAny>) -> PyResult<Option<mk::ImportInput>> {
    if let Ok(s) = value.cast::<pyo3::types::PyString>() {
        return Ok(Some(mk::ImportInput::Text(s.to_cow()?.into_owned())));
    }
    if let Ok(b) = value.cast::<pyo3::types::PyBytes>() {
        return Ok(Some(mk::ImportInput::Bytes(b.as_bytes().to_vec())));
    }
    if let Ok(b) = value.cast::<pyo3::types::PyByteArray>() {
        return Ok(Some(mk::ImportInput::Bytes(b.to_vec())));
    }
    Ok(None)
}
