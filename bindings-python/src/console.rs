//! `Console`: the back office's pages (`memberkit-console`) for Python hosts. It converts only:
//! a request's parts in, a `ConsoleResponse` out, with the GIL released while the console and
//! the core work. The WSGI and ASGI adapters are Python (`memberkit/console.py`).

use crate::convert::*;
use crate::error::Failure;
use crate::hub::Hub;
use crate::types::*;
use memberkit as mk;
use memberkit_console as console;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::Mutex;

/// The back office's pages over a hub, with the host's secret for signing forms.
#[pyclass(frozen, module = "memberkit._native")]
pub(crate) struct Console {
    inner: console::Console,
}

/// The request's parts as the console reads them.
fn request(
    method: &str,
    mount: &str,
    path: &str,
    query: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> console::Request {
    let mut request = console::Request::new(method, mount, path);
    request.query = query.to_owned();
    request.headers = headers;
    request.body = body;
    request
}

/// The rest of a page still being made (a long import's progress, then its result): iterating
/// waits for each chunk with the GIL released.
#[pyclass(frozen, module = "memberkit._native")]
pub(crate) struct ConsoleRest {
    chunks: Mutex<Option<console::Rest>>,
}

#[pymethods]
impl ConsoleRest {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let chunk = py.detach(|| {
            let mut chunks = self.chunks.lock().unwrap_or_else(|e| e.into_inner());
            let chunk = chunks.as_mut().and_then(Iterator::next);
            if chunk.is_none() {
                *chunks = None;
            }
            chunk
        });
        chunk.map(|c| PyBytes::new(py, &c))
    }

    fn __repr__(&self) -> &'static str {
        "ConsoleRest(..)"
    }
}

fn response<'py>(py: Python<'py>, r: console::Response) -> PyResult<Bound<'py, PyAny>> {
    let handoff = match r.handoff {
        None => py.None().into_bound(py),
        Some(console::Handoff::Impersonation(issued)) => {
            let issued = record!(py, "IssuedImpersonation", {
                "session" => py_session(py, &issued.session)?, "token" => issued.token.expose(),
            })?;
            record!(py, "Handoff", {
                "kind" => "impersonation", "impersonation" => issued,
                "tenant_id" => py.None(), "email" => py.None(),
            })?
        }
        Some(console::Handoff::Accepted { tenant, email }) => record!(py, "Handoff", {
            "kind" => "accepted", "impersonation" => py.None(),
            "tenant_id" => tenant.to_string(), "email" => email,
        })?,
    };
    record!(py, "ConsoleResponse", {
        "status" => r.status,
        "headers" => tuple(py, &r.headers, |py, (n, v)| {
            Ok(pyo3::types::PyTuple::new(py, [n, v])?.into_any())
        })?,
        "body" => PyBytes::new(py, &r.body),
        "handoff" => handoff,
        "rest" => r.rest.map(|rest| ConsoleRest { chunks: Mutex::new(Some(rest)) }),
    })
}

#[pymethods]
impl Console {
    /// The pages over `hub`; `secret` signs the forms (the same in every process, 32 random
    /// bytes or more). `templates` replaces built-in templates by name (`customers.html`, …);
    /// `InvalidInputError` for a name that is not one or a template that does not parse.
    #[new]
    #[pyo3(signature = (hub, secret, *, login_url=None, invite_links=None, site_url=None, invite_help_url=None, templates=None, progress_after=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        hub: &Hub,
        secret: &[u8],
        login_url: Option<String>,
        invite_links: Option<String>,
        site_url: Option<String>,
        invite_help_url: Option<String>,
        templates: Option<std::collections::BTreeMap<String, String>>,
        progress_after: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut inner = console::Console::new(hub.inner.clone(), secret);
        if let Some(url) = login_url {
            inner = inner.login_url(url);
        }
        if let Some(base) = invite_links {
            inner = inner.invite_links(base);
        }
        if let Some(url) = site_url {
            inner = inner.site_url(url);
        }
        if let Some(url) = invite_help_url {
            inner = inner.invite_help_url(url);
        }
        if let Some(wait) = progress_after {
            let wait = std::time::Duration::try_from(duration(&wait)?)
                .map_err(|_| Failure(mk::Error::invalid("progress_after", "is negative")))?;
            inner = inner.progress_after(wait);
        }
        for (name, source) in templates.unwrap_or_default() {
            inner.set_template(&name, &source).map_err(Failure)?;
        }
        Ok(Console { inner })
    }

    /// Answers one back-office request as `actor` in `tenant` (both `None` when nobody is
    /// signed in).
    #[pyo3(signature = (method, mount, path, query, headers, body, tenant, actor))]
    #[allow(clippy::too_many_arguments)]
    fn handle<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        mount: &str,
        path: &str,
        query: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        tenant: Option<String>,
        actor: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let who = match (tenant, actor) {
            (Some(tenant), Some(actor)) => Some(console::Who {
                tenant: parse::<mk::TenantId>(&tenant)?,
                actor: crate::convert::actor(&actor)?,
            }),
            _ => None,
        };
        let request = request(method, mount, path, query, headers, body);
        let answer = py.detach(|| self.inner.handle(&request, who.as_ref()));
        response(py, answer)
    }

    /// Answers one request to the invitee's pages; `signed_in` is the email the person is
    /// signed in with on the host's site, if any.
    #[pyo3(signature = (method, mount, path, query, headers, body, signed_in))]
    #[allow(clippy::too_many_arguments)]
    fn invitee<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        mount: &str,
        path: &str,
        query: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        signed_in: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = request(method, mount, path, query, headers, body);
        let answer = py.detach(|| self.inner.invitee(&request, signed_in.as_deref()));
        response(py, answer)
    }
}
