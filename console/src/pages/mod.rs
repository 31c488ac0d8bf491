//! The pages: one request for one acting member in one tenant ([`Page`]), and which handler
//! answers which method and path.

mod audit;
mod customers;
mod import;
mod invites;
mod login_as;
mod products;
mod team;
mod workspaces;

use crate::csrf;
use crate::http::{Request, Response};
use crate::render;
use crate::{Console, Who};
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
    fn render(&self, status: u16, template: &str, context: Value) -> Response {
        self.render_with(status, template, context, minijinja::Value::UNDEFINED)
    }

    /// [`Page::render`] with `more` (a `minijinja::context!`) added to the context as it is:
    /// values a template reads field by field, HTML already made safe.
    fn render_with(
        &self,
        status: u16,
        template: &str,
        mut context: Value,
        more: minijinja::Value,
    ) -> Response {
        let hour = render::hour(self.console.hub.now());
        let flash = self
            .request
            .cookie(FLASH)
            .and_then(|c| self.console.signer.open(&c));
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
        let context = match more.is_undefined() {
            true => minijinja::Value::from_serialize(&context),
            false => minijinja::context! { ..more, ..minijinja::Value::from_serialize(&context) },
        };
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
        // Signed: a cookie set by anything else (a sibling subdomain) shows no message.
        let value = self.console.signer.seal(message);
        Response::redirect(&self.link(path))
            .with_header("set-cookie", &self.cookie(FLASH, &value, 60))
    }

    /// "Are you sure?": a page whose form posts `confirm.action` (with the hidden field it
    /// names and where to go back to), and whose Cancel goes back. Nothing changes until that
    /// form is sent.
    fn confirm(&self, confirm: Confirm<'_>) -> Response {
        let mut fields = vec![json!({ "name": "back", "value": confirm.back })];
        if let Some((name, value)) = confirm.field {
            fields.push(json!({ "name": name, "value": value }));
        }
        self.render(
            200,
            "confirm.html",
            json!({
                "question": confirm.question, "detail": confirm.detail,
                "action": confirm.action, "fields": fields,
                "confirm": confirm.button, "back": confirm.back,
            }),
        )
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

/// What a confirmation page asks.
pub(crate) struct Confirm<'a> {
    /// The question, as the heading.
    question: String,
    /// What happens if they go on.
    detail: &'a str,
    /// Where the form posts (below the mount prefix).
    action: String,
    /// A hidden field the action needs (`product`, `member`, …).
    field: Option<(&'a str, String)>,
    /// The button's label.
    button: &'a str,
    /// Where Cancel, and the action when done, go back to.
    back: String,
}

/// An id from a URL or a form; a malformed one is simply not found.
fn parse_id<T: std::str::FromStr>(entity: &'static str, id: &str) -> Result<T> {
    id.parse().map_err(|_| Error::NotFound {
        entity,
        key: id.to_owned(),
    })
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
        ("GET", ["import"]) => import::form(page),
        ("POST", ["import", "preview"]) => import::preview(page),
        ("POST", ["import", "run"]) => import::run(page),
        ("GET", ["audit"]) => audit::log(page),
        ("GET", ["settings"]) => audit::settings(page),
        ("POST", ["settings"]) => audit::save_settings(page),
        ("GET", ["team"]) => team::list(page),
        ("GET", ["members", id, action @ ("deactivate" | "remove")]) => {
            team::confirm(page, id, action)
        }
        ("POST", ["members", id, "deactivate"]) => team::deactivate(page, id),
        ("POST", ["members", id, "reactivate"]) => team::reactivate(page, id),
        ("POST", ["members", id, "remove"]) => team::remove(page, id),
        ("POST", ["members", id, "role"]) => team::assign_role(page, id),
        ("GET", ["members", id, "impersonate"]) => login_as::form(page, id),
        ("POST", ["members", id, "impersonate"]) => login_as::start(page, id),
        ("POST", ["roles"]) => team::create_role(page),
        ("GET", ["roles", id, "delete"]) => team::confirm_delete_role(page, id),
        ("POST", ["roles", id, "delete"]) => team::delete_role(page, id),
        ("GET", ["workspaces"]) => workspaces::list(page),
        ("POST", ["workspaces"]) => workspaces::create(page),
        ("GET", ["workspaces", id]) => workspaces::show(page, id),
        ("POST", ["workspaces", id, "invite"]) => workspaces::invite(page, id),
        ("POST", ["workspaces", id, "add"]) => workspaces::add_existing(page, id),
        ("GET", ["workspaces", id, "remove"]) => workspaces::confirm_remove(page, id),
        ("POST", ["workspaces", id, "remove"]) => workspaces::remove(page, id),
        ("POST", ["workspaces", id, "seats"]) => workspaces::seats(page, id),
        ("POST", ["workspaces", id, "domains"]) => workspaces::add_domain(page, id),
        ("GET", ["workspaces", id, "domains", "remove"]) => {
            workspaces::confirm_remove_domain(page, id)
        }
        ("POST", ["workspaces", id, "domains", "remove"]) => workspaces::remove_domain(page, id),
        _ => Err(Error::NotFound {
            entity: "page",
            key: request.path.clone(),
        }),
    };
    answer.unwrap_or_else(|error| page.failed(&error))
}
