//! The pages: one request for one acting member in one tenant ([`Page`]), and which handler
//! answers which method and path.

mod customers;
mod invites;
mod products;

use crate::csrf;
use crate::http::{Request, Response};
use crate::render;
use crate::{Console, Who};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use memberkit::{Error, Result, Tenant};
use serde_json::{json, Value};

/// The cookie that carries a message from an action to the page it redirects to.
const FLASH: &str = "mk_flash";

/// One request, as a page answers it: the tenant handle, who is acting, the form token for the
/// page's forms and the message an earlier action left.
pub(crate) struct Page<'a> {
    console: &'a Console,
    request: &'a Request,
    who: &'a Who,
    tenant: Tenant,
}

impl<'a> Page<'a> {
    /// `not_found` for a tenant the hub does not know.
    pub(crate) fn new(console: &'a Console, request: &'a Request, who: &'a Who) -> Result<Self> {
        let tenant = console.hub.tenant(who.tenant)?;
        Ok(Page {
            console,
            request,
            who,
            tenant,
        })
    }

    /// A link below the mount prefix.
    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.request.mount)
    }

    /// Renders `template` with the page's own `context` and what every page shows.
    fn render(&self, status: u16, template: &str, mut context: Value) -> Response {
        let hour = render::hour(self.console.hub.now());
        let flash = self
            .request
            .cookie(FLASH)
            .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
            .and_then(|b| String::from_utf8(b).ok());
        let common = json!({
            "mount": self.request.mount,
            "csrf_field": csrf::FIELD,
            "csrf": self.console.signer.token(self.who.tenant, self.who.actor, hour),
            "tenant": self.tenant.info().map(|i| i.name).unwrap_or_default(),
            "flash": flash,
        });
        if let (Value::Object(page), Value::Object(common)) = (&mut context, common) {
            page.extend(common);
        }
        let response = self.console.templates.page(status, template, context);
        match flash {
            // Shown once: the cookie goes with this page.
            Some(_) => response.with_header("set-cookie", &self.cookie(FLASH, "", 0)),
            None => response,
        }
    }

    /// A cookie scoped to the mount prefix.
    fn cookie(&self, name: &str, value: &str, max_age: u32) -> String {
        let path = match self.request.mount.as_str() {
            "" => "/",
            mount => mount,
        };
        format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax")
    }

    /// After an action: back to `path` with `message` shown there once.
    fn done(&self, path: &str, message: &str) -> Response {
        let value = URL_SAFE_NO_PAD.encode(message);
        Response::redirect(&self.link(path))
            .with_header("set-cookie", &self.cookie(FLASH, &value, 60))
    }

    /// The page for a core error.
    fn failed(&self, error: &Error) -> Response {
        self.console.templates.error(self.request, error)
    }

    /// A refused forged request: 403, nothing changed.
    pub(crate) fn forbidden(&self, message: &str) -> Response {
        self.console
            .templates
            .message(self.request, 403, "Not allowed", message)
    }
}

/// Which handler answers `page`'s request.
pub(crate) fn dispatch(page: &Page<'_>) -> Response {
    let request = page.request;
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let answer = match (request.method.as_str(), segments.as_slice()) {
        ("GET", [""]) => Ok(Response::redirect(&page.link("/customers"))),
        ("GET", ["customers"]) => customers::list(page),
        ("GET", ["customers", "new"]) => customers::new_form(page, None),
        ("POST", ["customers"]) => customers::add(page),
        ("GET", ["customers", id]) => customers::access(page, id),
        ("POST", ["customers", id, "grant"]) => customers::grant(page, id),
        ("GET", ["customers", id, "revoke"]) => customers::confirm_revoke(page, id),
        ("POST", ["customers", id, "revoke"]) => customers::revoke(page, id),
        ("GET", ["invites"]) => invites::list(page),
        ("POST", ["invites"]) => invites::invite_many(page),
        ("POST", ["invites", id, "resend"]) => invites::resend(page, id),
        ("POST", ["invites", id, "link"]) => invites::copy_link(page, id),
        ("GET", ["invites", id, "revoke"]) => invites::confirm_revoke(page, id),
        ("POST", ["invites", id, "revoke"]) => invites::revoke(page, id),
        ("GET", ["products"]) => products::list(page),
        ("POST", ["products"]) => products::create(page),
        ("GET", ["products", id, "archive"]) => products::confirm_archive(page, id),
        ("POST", ["products", id, "archive"]) => products::archive(page, id),
        ("POST", ["products", id, "include"]) => products::include(page, id),
        ("GET", ["products", id, "remove"]) => products::confirm_remove(page, id),
        ("POST", ["products", id, "remove"]) => products::remove(page, id),
        _ => Err(Error::NotFound {
            entity: "page",
            key: request.path.clone(),
        }),
    };
    answer.unwrap_or_else(|error| page.failed(&error))
}
