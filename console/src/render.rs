//! Templates (built in, each replaceable by the host), the console's own assets, and the
//! headers every response gets. Values are escaped by the template engine: every template's
//! name ends in `.html`, which turns auto-escaping on.

use crate::http::{Request, Response};
use memberkit::time::OffsetDateTime;
use memberkit::Error;
use minijinja::Environment;
use std::sync::Arc;

/// The built-in templates, by name.
const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    (
        "customers.html",
        include_str!("../templates/customers.html"),
    ),
    (
        "customer_new.html",
        include_str!("../templates/customer_new.html"),
    ),
    (
        "product_choices.html",
        include_str!("../templates/product_choices.html"),
    ),
    ("access.html", include_str!("../templates/access.html")),
    ("confirm.html", include_str!("../templates/confirm.html")),
    ("invites.html", include_str!("../templates/invites.html")),
    ("products.html", include_str!("../templates/products.html")),
    (
        "invite_link.html",
        include_str!("../templates/invite_link.html"),
    ),
    ("team.html", include_str!("../templates/team.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("import.html", include_str!("../templates/import.html")),
    (
        "import_options.html",
        include_str!("../templates/import_options.html"),
    ),
    (
        "import_rows.html",
        include_str!("../templates/import_rows.html"),
    ),
    (
        "import_preview.html",
        include_str!("../templates/import_preview.html"),
    ),
    (
        "import_done.html",
        include_str!("../templates/import_done.html"),
    ),
    (
        "import_result.html",
        include_str!("../templates/import_result.html"),
    ),
    (
        "import_running.html",
        include_str!("../templates/import_running.html"),
    ),
    ("login_as.html", include_str!("../templates/login_as.html")),
    (
        "login_as_started.html",
        include_str!("../templates/login_as_started.html"),
    ),
    ("settings.html", include_str!("../templates/settings.html")),
    (
        "workspaces.html",
        include_str!("../templates/workspaces.html"),
    ),
    (
        "workspace.html",
        include_str!("../templates/workspace.html"),
    ),
    ("public.html", include_str!("../templates/public.html")),
    (
        "invite_message.html",
        include_str!("../templates/invite_message.html"),
    ),
    (
        "invite_landing.html",
        include_str!("../templates/invite_landing.html"),
    ),
    (
        "invite_accepted.html",
        include_str!("../templates/invite_accepted.html"),
    ),
    (
        "your_workspaces.html",
        include_str!("../templates/your_workspaces.html"),
    ),
    ("error.html", include_str!("../templates/error.html")),
];

const STYLESHEET: &str = include_str!("../assets/console.css");
const SCRIPT: &str = include_str!("../assets/console.js");

/// The template set (shared with a running import's thread, which renders its result).
pub(crate) struct Templates {
    env: Arc<Environment<'static>>,
}

impl Templates {
    pub(crate) fn new() -> Self {
        let mut env = Environment::new();
        for (name, source) in BUILT_IN {
            env.add_template(name, source)
                .expect("the built-in templates parse");
        }
        Templates { env: Arc::new(env) }
    }

    pub(crate) fn set(&mut self, name: &str, source: &str) -> memberkit::Result<()> {
        if !BUILT_IN.iter().any(|(n, _)| *n == name) {
            return Err(Error::invalid(
                "template",
                format!("`{name}` is not one of the console's templates"),
            ));
        }
        Arc::make_mut(&mut self.env)
            .add_template_owned(name.to_owned(), source.to_owned())
            .map_err(|e| Error::invalid("template", e.to_string()))
    }

    /// Renders `name` with `context` as an HTML page with `status`.
    pub(crate) fn page(&self, status: u16, name: &str, context: impl serde::Serialize) -> Response {
        match self.html(name, &context) {
            Ok(html) => Response::new(status, "text/html; charset=utf-8", html),
            Err(e) => Response::new(500, "text/plain; charset=utf-8", e),
        }
    }

    /// `name` rendered with `context`, or what went wrong.
    pub(crate) fn html(
        &self,
        name: &str,
        context: &impl serde::Serialize,
    ) -> Result<String, String> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(context))
            .map_err(|e| format!("The console's template {name} failed: {e}"))
    }

    /// The same templates, for a thread that outlives the request.
    pub(crate) fn shared(&self) -> Templates {
        Templates {
            env: self.env.clone(),
        }
    }

    /// The page for a core error, with the status the error's code calls for.
    pub(crate) fn error(&self, request: &Request, error: &Error) -> Response {
        let status = status_of(error);
        self.message(request, status, title_of(status), &error.to_string())
    }

    /// A page that only says `message`, with `status`.
    pub(crate) fn message(
        &self,
        request: &Request,
        status: u16,
        title: &str,
        message: &str,
    ) -> Response {
        // Back to the list the request belongs to.
        let back = match request.path.split('/').nth(1).unwrap_or("") {
            "members" | "roles" | "team" => ("/team", "team"),
            "invites" => ("/invites", "invites"),
            "products" => ("/products", "products"),
            "workspaces" => ("/workspaces", "workspaces"),
            "import" => ("/import", "import"),
            "audit" => ("/audit", "audit log"),
            "settings" => ("/settings", "settings"),
            _ => ("/customers", "customers"),
        };
        let context = serde_json::json!({
            "mount": request.mount, "title": title, "message": message,
            "back": back.0, "back_name": back.1,
        });
        self.page(status, "error.html", context)
    }
}

/// The HTTP status for a core error.
pub(crate) fn status_of(error: &Error) -> u16 {
    use memberkit::ErrorCode::*;
    match error.code() {
        NotFound => 404,
        PermissionDenied => 403,
        InvalidInput | InviteEmailMismatch => 400,
        Storage => 500,
        _ => 409,
    }
}

fn title_of(status: u16) -> &'static str {
    match status {
        404 => "Not found",
        403 => "Not allowed",
        400 => "Check what you entered",
        500 => "Something went wrong",
        _ => "That cannot be done now",
    }
}

/// The console's stylesheet and script.
pub(crate) fn asset(path: &str) -> Response {
    let (content_type, body) = match path {
        "/static/console.css" => ("text/css; charset=utf-8", STYLESHEET),
        "/static/console.js" => ("text/javascript; charset=utf-8", SCRIPT),
        _ => return Response::new(404, "text/plain; charset=utf-8", "Not found."),
    };
    Response::new(200, content_type, body).with_header("cache-control", "public, max-age=3600")
}

/// The headers every response gets: no inline script, no framing, no sniffing, no referrer to
/// other sites, and no caching of pages (they show people and may show a link or a password).
pub(crate) fn secure(mut response: Response) -> Response {
    let csp = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
               form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    for (name, value) in [
        ("content-security-policy", csp),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
    ] {
        response = response.with_header(name, value);
    }
    if response.header("cache-control").is_none() {
        response = response.with_header("cache-control", "no-store");
    }
    response
}

/// Appends `text` to `out` escaped as the templates escape values (`&<>"'/`), for HTML the
/// console writes itself where a template would be slow (a long table's rows).
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2f;"),
            c => out.push(c),
        }
    }
}

/// `text` escaped for HTML ([`escape_into`]).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// The hour a form token is issued in.
pub(crate) fn hour(now: OffsetDateTime) -> i64 {
    now.unix_timestamp().div_euclid(3600)
}

/// A date as pages show it (`2026-01-05 09:00 UTC`).
pub(crate) fn date(at: OffsetDateTime) -> String {
    let at = at.to_offset(memberkit::time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}
