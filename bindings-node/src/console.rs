//! `Console`: the back office's pages (`memberkit-console`) for Node hosts. It converts only:
//! a request's parts in, a `ConsoleResponse` out, the work on the libuv pool. The Express /
//! Connect / `http` middleware is JavaScript (`console.js`).

use crate::hub::Hub;
use crate::strict::{keys, Strict};
use crate::task::{job, Job};
use crate::types::*;
use memberkit as mk;
use memberkit_console as console;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Options of `new Console(hub, secret, options)`.
#[napi(object)]
pub struct ConsoleOptions {
    /// Where a request with nobody signed in is sent (without it: `401`).
    pub login_url: Option<String>,
    /// Where invite links point: the token is appended (`https://shop.example/invite/?token=`).
    pub invite_links: Option<String>,
    /// The host's site: where "Log in as" and an accepted invite continue (default `/`).
    pub site_url: Option<String>,
    /// Where someone whose invite link no longer works can ask for a new one.
    pub invite_help_url: Option<String>,
    /// Built-in templates replaced by name (`customers.html`, …).
    pub templates: Option<HashMap<String, String>>,
    /// How long an import may run before its page shows progress (default 1000).
    pub progress_after_ms: Option<u32>,
}

keys! { ConsoleOptions as "options" => ["loginUrl", "inviteLinks", "siteUrl", "inviteHelpUrl", "templates", "progressAfterMs"] }

/// A request as the console reads it.
#[napi(object)]
pub struct ConsoleRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// Where the console is mounted (`/back-office`), without a trailing slash.
    pub mount: String,
    /// The path below the mount prefix (`/customers`).
    pub path: String,
    /// The query string without `?`.
    pub query: String,
    /// The headers, as `[name, value]` pairs.
    pub headers: Vec<Vec<String>>,
    /// The body.
    pub body: Buffer,
}

/// What only the host can finish: `kind` is `impersonation` (keep `impersonation.token` in the
/// admin's session) or `accepted` (sign `email` up or in for `tenantId`).
#[napi(object, use_nullable = true)]
pub struct Handoff {
    pub kind: String,
    pub impersonation: Option<IssuedImpersonation>,
    pub tenant_id: Option<String>,
    pub email: Option<String>,
}

/// One answer of the console (made by the console only: never read back from JavaScript).
#[napi(object, use_nullable = true, object_from_js = false)]
pub struct ConsoleResponse {
    pub status: u32,
    /// `[name, value]` pairs, in order (`set-cookie` may repeat).
    pub headers: Vec<Vec<String>>,
    pub body: Buffer,
    pub handoff: Option<Handoff>,
    /// More of the body still being made (a long import's progress, then its result): send
    /// each chunk of `rest.next()` as it comes, until it resolves to `null`.
    pub rest: Option<ConsoleRest>,
}

/// The rest of a page still being made.
#[napi]
pub struct ConsoleRest {
    chunks: Arc<Mutex<Option<console::Rest>>>,
}

#[napi]
impl ConsoleRest {
    /// The next chunk, once it is made (waited for on the libuv pool); `null` when the body
    /// is complete.
    #[napi(ts_return_type = "Promise<Buffer | null>")]
    pub fn next(&self) -> AsyncTask<Job<Option<Buffer>>> {
        let chunks = self.chunks.clone();
        job(move || {
            let mut chunks = chunks.lock().unwrap_or_else(|e| e.into_inner());
            let chunk = chunks.as_mut().and_then(Iterator::next);
            if chunk.is_none() {
                *chunks = None;
            }
            Ok(chunk.map(Buffer::from))
        })
    }
}

/// The back office's pages over a hub, with the host's secret for signing forms.
#[napi]
pub struct Console {
    inner: Arc<console::Console>,
}

fn request(r: ConsoleRequest) -> console::Request {
    let mut request = console::Request::new(&r.method, &r.mount, &r.path);
    request.query = r.query;
    request.headers = r
        .headers
        .into_iter()
        .filter_map(|pair| match <[String; 2]>::try_from(pair) {
            Ok([name, value]) => Some((name, value)),
            Err(_) => None,
        })
        .collect();
    request.body = r.body.to_vec();
    request
}

fn response(r: console::Response) -> ConsoleResponse {
    let handoff = r.handoff.map(|h| match h {
        console::Handoff::Impersonation(issued) => Handoff {
            kind: "impersonation".into(),
            impersonation: Some(IssuedImpersonation {
                session: issued.session.into(),
                token: issued.token.expose().to_owned(),
            }),
            tenant_id: None,
            email: None,
        },
        console::Handoff::Accepted { tenant, email } => Handoff {
            kind: "accepted".into(),
            impersonation: None,
            tenant_id: Some(tenant.to_string()),
            email: Some(email),
        },
    });
    ConsoleResponse {
        status: r.status.into(),
        headers: r.headers.into_iter().map(|(n, v)| vec![n, v]).collect(),
        body: r.body.into(),
        handoff,
        rest: r.rest.map(|rest| ConsoleRest {
            chunks: Arc::new(Mutex::new(Some(rest))),
        }),
    }
}

#[napi]
impl Console {
    /// The pages over `hub`; `secret` signs the forms (the same in every process, 32 random
    /// bytes or more).
    #[napi(constructor)]
    pub fn new(
        hub: &Hub,
        secret: Buffer,
        #[napi(ts_arg_type = "ConsoleOptions")] options: Option<Strict<ConsoleOptions>>,
    ) -> std::result::Result<Self, Error<String>> {
        let mut inner = console::Console::new(hub.inner.clone(), &secret);
        if let Some(Strict(o)) = options {
            if let Some(url) = o.login_url {
                inner = inner.login_url(url);
            }
            if let Some(base) = o.invite_links {
                inner = inner.invite_links(base);
            }
            if let Some(url) = o.site_url {
                inner = inner.site_url(url);
            }
            if let Some(url) = o.invite_help_url {
                inner = inner.invite_help_url(url);
            }
            if let Some(ms) = o.progress_after_ms {
                inner = inner.progress_after(std::time::Duration::from_millis(ms.into()));
            }
            for (name, source) in o.templates.unwrap_or_default() {
                inner
                    .set_template(&name, &source)
                    .map_err(crate::error::thrown)?;
            }
        }
        Ok(Console {
            inner: Arc::new(inner),
        })
    }

    /// Answers one back-office request as `actor` in `tenant` (both `null` when nobody is
    /// signed in).
    #[napi(ts_return_type = "Promise<ConsoleResponse>")]
    pub fn handle(
        &self,
        request: ConsoleRequest,
        tenant: Option<String>,
        actor: Option<String>,
    ) -> AsyncTask<Job<ConsoleResponse>> {
        let console = self.inner.clone();
        let request = self::request(request);
        job(move || {
            let who = match (tenant, actor) {
                (Some(tenant), Some(actor)) => Some(console::Who {
                    tenant: tenant.parse::<mk::TenantId>()?,
                    actor: crate::convert::actor(&actor)?,
                }),
                _ => None,
            };
            Ok(response(console.handle(&request, who.as_ref())))
        })
    }

    /// Answers one request to the invitee's pages; `signedIn` is the email the person is
    /// signed in with on the host's site, if any.
    #[napi(ts_return_type = "Promise<ConsoleResponse>")]
    pub fn invitee(
        &self,
        request: ConsoleRequest,
        signed_in: Option<String>,
    ) -> AsyncTask<Job<ConsoleResponse>> {
        let console = self.inner.clone();
        let request = self::request(request);
        job(move || Ok(response(console.invitee(&request, signed_in.as_deref()))))
    }
}
