//! # memberkit-console
//!
//! The back office as server-rendered pages over memberkit's public API, behind one
//! framework-free entry point: [`Console::handle`] takes a [`Request`] and who is acting
//! ([`Who`], decided by the host from its own session) and returns a [`Response`]. A host
//! adapter converts its framework's request and response; the console has no users, no login
//! and no rules of its own: it asks the core and shows what the core answers, so memberkit's
//! permission and rank rules apply unchanged.
//!
//! Every route goes through one wrapper ([`Console::handle`]): the actor, the forged-request
//! check on every state-changing request (see `csrf.rs`), and the security headers. GET never
//! changes anything.
//!
//! ```
//! use memberkit::*;
//! use memberkit_console::{Console, Request, Who};
//! use memberkit_open::OpenHub;
//!
//! let hub = Hub::open(":memory:")?;
//! let tenant = hub.create_tenant("Academy")?;
//! let console = Console::new(hub.clone(), b"a secret of the host's, 32 bytes or more");
//! let who = Who { tenant: tenant.id(), actor: Actor::System };
//! let page = console.handle(&Request::new("GET", "/back-office", "/customers"), Some(&who));
//! assert_eq!(page.status, 200);
//! assert!(page.text().contains("Add customer"));
//! # Ok::<(), memberkit::Error>(())
//! ```
#![warn(missing_docs)]

mod csrf;
mod http;
mod invitee;
mod pages;
mod render;
#[cfg(feature = "tower")]
mod tower;

pub use http::{Handoff, Request, Response, Rest};
#[cfg(feature = "tower")]
pub use tower::{ConsoleBody, ConsoleService, HandoffFn, SignedInFn, WhoFn};

use memberkit::{Actor, Hub, TenantId};

/// Who is acting, and in which tenant: the host decides from its own session or login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who {
    /// The tenant the console shows.
    pub tenant: TenantId,
    /// The acting member (or the host itself, [`Actor::System`]).
    pub actor: Actor,
}

/// The console: a hub, the host's secret for signing forms, and the templates.
pub struct Console {
    hub: Hub,
    signer: csrf::Signer,
    templates: render::Templates,
    login_url: Option<String>,
    invite_link_base: Option<String>,
    site_url: String,
    invite_help_url: Option<String>,
    progress_after: std::time::Duration,
}

impl Console {
    /// A console over `hub`. `secret` signs the forms' tokens: keep it private and the same
    /// across the host's processes (at least 32 random bytes).
    pub fn new(hub: Hub, secret: &[u8]) -> Self {
        Console {
            hub,
            signer: csrf::Signer::new(secret),
            templates: render::Templates::new(),
            login_url: None,
            invite_link_base: None,
            site_url: "/".into(),
            invite_help_url: None,
            progress_after: std::time::Duration::from_secs(1),
        }
    }

    /// Where a request without an actor is sent (a `303`); without one it gets `401`.
    pub fn login_url(mut self, url: impl Into<String>) -> Self {
        self.login_url = Some(url.into());
        self
    }

    /// Where an invite link points: the token is appended to `base`
    /// (`https://shop.example/join?token=`), the host's page that calls `accept`. Without it,
    /// "Copy invite link" shows the token itself.
    pub fn invite_links(mut self, base: impl Into<String>) -> Self {
        self.invite_link_base = Some(base.into());
        self
    }

    /// The host's own site (default `/`): where "Log in as" continues, to show the site as
    /// the member sees it, and where an invitee goes once done.
    pub fn site_url(mut self, url: impl Into<String>) -> Self {
        self.site_url = url.into();
        self
    }

    /// Where someone whose invite link expired or was withdrawn can ask for a new one (a page
    /// or a `mailto:` of the host's); without it, the page tells them to ask whoever invited
    /// them.
    pub fn invite_help_url(mut self, url: impl Into<String>) -> Self {
        self.invite_help_url = Some(url.into());
        self
    }

    /// How long an import may run before its page starts showing progress (default one
    /// second): a quicker import answers with its result page, a longer one with a page that
    /// grows as chunks are written ([`Response::rest`]) and ends with the result.
    pub fn progress_after(mut self, wait: std::time::Duration) -> Self {
        self.progress_after = wait;
        self
    }

    /// The link for an invite token.
    fn invite_link(&self, token: &str) -> String {
        format!("{}{token}", self.invite_link_base.as_deref().unwrap_or(""))
    }

    /// Replaces one of the console's templates (`base.html`, `customers.html`, …) with the
    /// host's own; values are escaped in it as in the built-in ones. `invalid_input` when the
    /// template does not parse.
    pub fn set_template(&mut self, name: &str, source: &str) -> memberkit::Result<()> {
        self.templates.set(name, source)
    }

    /// Answers one request. `who` is `None` when the host found nobody signed in.
    pub fn handle(&self, request: &Request, who: Option<&Who>) -> Response {
        let response = match (request.method.as_str(), request.path.as_str()) {
            ("GET", path) if path.starts_with("/static/") => render::asset(path),
            _ => match who {
                None => self.anonymous(request),
                Some(who) => self.route(request, who),
            },
        };
        render::secure(response)
    }

    fn anonymous(&self, request: &Request) -> Response {
        match &self.login_url {
            Some(url) if request.method == "GET" => Response::redirect(url),
            _ => Response::new(
                401,
                "text/plain; charset=utf-8",
                "Sign in to see this page.",
            ),
        }
    }

    fn route(&self, request: &Request, who: &Who) -> Response {
        let page = match pages::Page::new(self, request, who) {
            Ok(page) => page,
            Err(error) => return self.templates.error(request, &error),
        };
        if request.method != "GET" && request.method != "HEAD" {
            let token = request
                .form_fields()
                .get(csrf::FIELD)
                .unwrap_or("")
                .to_owned();
            let hour = render::hour(self.hub.now());
            if csrf::cross_site(request) || !self.signer.verify(&token, who.tenant, who.actor, hour)
            {
                return page.forbidden("This form has expired or did not come from this site.");
            }
        }
        pages::dispatch(&page)
    }
}
