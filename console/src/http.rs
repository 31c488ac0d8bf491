//! The framework-free request and response a host adapter converts to and from: what the
//! console reads of a request (method, the path below its mount prefix, the query, a few
//! headers, a form body) and everything a response carries.

use std::collections::HashMap;

/// An HTTP request as the console sees it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `GET`, `POST`, … (upper case).
    pub method: String,
    /// Where the host mounted the console, without a trailing slash (`/admin`, or empty for
    /// the root): every link, form action, redirect and cookie path starts with it.
    pub mount: String,
    /// The path below the mount prefix, starting with `/` (`/customers`).
    pub path: String,
    /// The query string without `?`.
    pub query: String,
    /// Request headers; names compare case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The body (`application/x-www-form-urlencoded` for the console's forms).
    pub body: Vec<u8>,
}

impl Request {
    /// A request to `path` below `mount` (query split off at `?`).
    pub fn new(method: &str, mount: &str, path_and_query: &str) -> Self {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        Request {
            method: method.to_ascii_uppercase(),
            mount: mount.trim_end_matches('/').to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            ..Default::default()
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets a form body (and its content type).
    pub fn form(mut self, fields: &[(&str, &str)]) -> Self {
        self.body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish()
            .into_bytes();
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    /// The first header named `name`.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The query's fields (the last of a repeated name wins; see [`Request::query_all`]).
    pub(crate) fn query_map(&self) -> HashMap<String, String> {
        form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect()
    }

    /// The form body's fields, each name with every value it has, in order: a urlencoded
    /// form, or a `multipart/form-data` one (an uploaded file's field holds the file's text).
    pub(crate) fn form_fields(&self) -> Fields {
        let content_type = self.header_value("content-type").unwrap_or("");
        match multer::parse_boundary(content_type) {
            Ok(boundary) => Fields(multipart(&self.body, boundary).unwrap_or_default()),
            Err(_) => Fields(
                form_urlencoded::parse(&self.body)
                    .into_owned()
                    .collect::<Vec<_>>(),
            ),
        }
    }

    /// A cookie's value.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_owned())
    }
}

/// The fields of a `multipart/form-data` body; `None` when it is malformed or a field is not
/// UTF-8 text (the form is then empty, and its token missing: refused as forged).
fn multipart(body: &[u8], boundary: String) -> Option<Vec<(String, String)>> {
    let chunk = bytes::Bytes::copy_from_slice(body);
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(chunk) });
    let mut parts = multer::Multipart::new(stream, boundary);
    futures_executor::block_on(async move {
        let mut fields = Vec::new();
        while let Some(field) = parts.next_field().await.ok()? {
            let name = field.name().unwrap_or("").to_owned();
            fields.push((name, field.text().await.ok()?));
        }
        Some(fields)
    })
}

/// A form's fields.
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed; `None` when absent or blank.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every non-blank value of `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Whether a checkbox named `name` was ticked.
    pub(crate) fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(n, v)| n == name && v == "on")
    }
}

/// What the console hands to the host to finish, because the host owns sessions and
/// accounts. The response it comes with is a complete page that says what happened; the host
/// adapter passes the handoff to the host's callback before sending it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handoff {
    /// "Log in as" started: keep `issued.token` in the admin's session (the host checks it
    /// with `verify_impersonation` on each request and ends it with `end_impersonation`), and
    /// show the site as the target sees it.
    Impersonation(memberkit::IssuedImpersonation),
    /// An invitee accepted their invite by its link: sign them up, or in, with this email
    /// filled in.
    Accepted {
        /// The tenant they joined.
        tenant: memberkit::TenantId,
        /// The invited email.
        email: String,
    },
}

/// The rest of a response's body, still being made while the first part is sent (a large
/// import's progress, then its result): each item is a chunk to send as soon as it comes
/// (waiting for it), and the body is complete when it ends. A browser shows the page as it
/// grows, with no script.
pub struct Rest(pub(crate) Box<dyn Iterator<Item = Vec<u8>> + Send>);

impl Iterator for Rest {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        self.0.next()
    }
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rest(..)")
    }
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Response headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// For the host to finish, when the page started something only it can (see [`Handoff`]).
    pub handoff: Option<Handoff>,
    /// More of the body, to send after `body` as it is made (no `content-length`).
    pub rest: Option<Rest>,
}

impl Response {
    /// A response with `status`, a content type and a body.
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            handoff: None,
            rest: None,
        }
    }

    /// A `303 See Other` to `location` (already below the mount prefix).
    pub(crate) fn redirect(location: &str) -> Self {
        Response {
            status: 303,
            headers: vec![("location".into(), location.into())],
            body: Vec::new(),
            handoff: None,
            rest: None,
        }
    }

    /// The first header named `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}
