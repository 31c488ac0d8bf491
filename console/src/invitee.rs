//! The invitee's side: public pages with no admin actor, mounted by the host apart from the
//! back office ([`crate::Console::invitee`]).
//!
//! - `GET /?token=…`, the invite link: the token moves into an HttpOnly cookie scoped to these
//!   pages and the browser is sent on to `/`, so the token leaves the address bar, the
//!   history and any `Referer`.
//! - `GET /`: who invited them to what, from the core (`Hub::invite_by_link`); an expired,
//!   revoked, declined or used link says so plainly.
//! - `POST /accept`, `POST /decline`: the core accepts or declines by the link; an accept
//!   hands over to the host's sign-up or login ([`crate::Handoff::Accepted`]).
//! - `GET /workspaces` (signed in): their pending invites and memberships across tenants, with
//!   `POST /pending/{tenant}/accept` and `…/decline`.

use crate::csrf;
use crate::http::{Handoff, Request, Response};
use crate::render::{self, date};
use crate::Console;
use memberkit::*;
use serde_json::{json, Value};

/// The cookie that holds the invite link's token while the person reads the page.
const LINK: &str = "mk_invite";

/// One request to the invitee's pages.
struct Visit<'a> {
    console: &'a Console,
    request: &'a Request,
    signed_in: Option<&'a str>,
}

impl Visit<'_> {
    fn hour(&self) -> i64 {
        render::hour(self.console.hub.now())
    }

    fn cookie(&self, value: &str, max_age: u32) -> String {
        let path = match self.request.mount.as_str() {
            "" => "/",
            mount => mount,
        };
        format!("{LINK}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax")
    }

    fn render(&self, status: u16, template: &str, mut context: Value) -> Response {
        let common = json!({
            "mount": self.request.mount, "csrf_field": csrf::FIELD,
            "site": self.console.site_url, "signed_in": self.signed_in,
        });
        if let (Value::Object(page), Value::Object(common)) = (&mut context, common) {
            page.extend(common);
        }
        self.console.templates.page(status, template, context)
    }

    /// A page that only says something, in the public layout.
    fn say(&self, status: u16, title: &str, message: &str) -> Response {
        self.render(
            status,
            "invite_message.html",
            json!({ "title": title, "message": message }),
        )
    }

    /// The form token for what identifies this person here.
    fn form_token(&self, bound_to: &str) -> String {
        self.console.signer.token_for(bound_to, self.hour())
    }

    /// Whether a post carries this page's token and comes from this site.
    fn genuine(&self, bound_to: &str) -> bool {
        let form = self.request.form_fields();
        let token = form.get(csrf::FIELD).unwrap_or("");
        !csrf::cross_site(self.request)
            && self.console.signer.verify_for(token, bound_to, self.hour())
    }
}

impl Console {
    /// Answers one request to the invitee's pages, mounted by the host where its invite links
    /// point (see [`Console::invite_links`]). `signed_in` is the email the person is signed in
    /// with on the host's site, if any: an accept then checks it is the invited one, and
    /// `/workspaces` lists what that email has.
    pub fn invitee(&self, request: &Request, signed_in: Option<&str>) -> Response {
        let visit = Visit {
            console: self,
            request,
            signed_in,
        };
        let response = match (request.method.as_str(), request.path.as_str()) {
            ("GET", path) if path.starts_with("/static/") => render::asset(path),
            ("GET", "/" | "") => landing(&visit),
            ("POST", "/accept") => by_link(&visit, true),
            ("POST", "/decline") => by_link(&visit, false),
            ("GET", "/workspaces") => workspaces(&visit),
            ("POST", path) if path.starts_with("/pending/") => pending(&visit, path),
            _ => visit.say(404, "Not found", "There is no such page."),
        };
        render::secure(response)
    }
}

fn landing(visit: &Visit<'_>) -> Response {
    if let Some(token) = visit.request.query_map().get("token") {
        // Only a well-formed token goes into the cookie (nothing else can ride along in it).
        if InviteToken::parse(token).is_err() {
            return visit.say(
                404,
                "This link does not work",
                "Check that you copied the whole link from your invite email.",
            );
        }
        let away = format!("{}/", visit.request.mount);
        return Response::redirect(&away).with_header("set-cookie", &visit.cookie(token, 3600));
    }
    let Some(token) = visit.request.cookie(LINK) else {
        return visit.say(
            404,
            "Open your invite link",
            "Open the link in your invite email to see your invite here.",
        );
    };
    let shown = match visit.console.hub.invite_by_link(&token) {
        Ok(shown) => shown,
        Err(e) if e.code() == ErrorCode::NotFound => {
            return visit.say(
                404,
                "This link does not work",
                "It may have been replaced by a newer invite: use the link in the latest email you were sent.",
            )
        }
        Err(e) => return visit.say(render::status_of(&e), "Something went wrong", &e.to_string()),
    };
    match describe(visit, &shown, &token) {
        Ok(context) => visit.render(200, "invite_landing.html", context),
        Err(e) => visit.say(
            render::status_of(&e),
            "Something went wrong",
            &e.to_string(),
        ),
    }
}

/// What the landing page says about an invite: who sent it, and what it carries.
fn describe(visit: &Visit<'_>, shown: &InviteForEmail, token: &str) -> Result<Value> {
    let invite = &shown.invite;
    let tenant = visit.console.hub.tenant(invite.tenant_id)?;
    let inviter = match invite.created_by {
        Actor::Member(id) => tenant.member(id).ok().map(|m| m.name.unwrap_or(m.email)),
        Actor::System => None,
    };
    let names: Vec<String> = tenant
        .products()?
        .into_iter()
        .filter(|p| invite.products.contains(&p.id))
        .map(|p| p.name)
        .collect();
    let workspace = invite
        .workspace
        .map(|w| tenant.workspace(w).map(|w| w.name))
        .transpose()?;
    Ok(json!({
        "tenant": shown.tenant_name, "inviter": inviter, "email": invite.email,
        "role": invite.role.built_in_name(), "workspace": workspace, "products": names,
        "message": invite.message, "status": invite.status.as_str(),
        "expires": date(invite.expires_at),
        "csrf": visit.form_token(&format!("invite:{token}")),
        "help": visit.console.invite_help_url,
    }))
}

fn by_link(visit: &Visit<'_>, accept: bool) -> Response {
    let Some(token) = visit.request.cookie(LINK) else {
        return visit.say(
            403,
            "Not allowed",
            "Open the link in your invite email first.",
        );
    };
    if !visit.genuine(&format!("invite:{token}")) {
        return visit.say(
            403,
            "Not allowed",
            "This form has expired or did not come from this site.",
        );
    }
    let done = (|| -> Result<Response> {
        let shown = visit.console.hub.invite_by_link(&token)?;
        let tenant = visit.console.hub.tenant(shown.invite.tenant_id)?;
        if !accept {
            tenant.decline(&token, visit.signed_in)?;
            return Ok(visit.say(
                200,
                "Invite declined",
                &format!(
                    "You will not join {}. The person who invited you has been told.",
                    shown.tenant_name
                ),
            ));
        }
        let accepted = tenant.accept(&token, visit.signed_in)?;
        let mut response = visit.render(
            200,
            "invite_accepted.html",
            json!({ "tenant": shown.tenant_name, "email": accepted.member.email }),
        );
        response.handoff = Some(Handoff::Accepted {
            tenant: tenant.id(),
            email: accepted.member.email,
        });
        Ok(response)
    })();
    match done {
        // The link has done its work either way: the cookie goes.
        Ok(response) => response.with_header("set-cookie", &visit.cookie("", 0)),
        Err(e) => visit.say(render::status_of(&e), "That did not work", &e.to_string()),
    }
}

fn workspaces(visit: &Visit<'_>) -> Response {
    let Some(email) = visit.signed_in else {
        return match &visit.console.login_url {
            Some(url) => Response::redirect(url),
            None => visit.say(401, "Sign in", "Sign in to see your workspaces."),
        };
    };
    let listed = (|| -> Result<Value> {
        let hub = &visit.console.hub;
        let invites: Vec<Value> = hub
            .invites_for(email)?
            .into_iter()
            .map(|i| {
                json!({
                    "tenant_id": i.invite.tenant_id.to_string(), "tenant": i.tenant_name,
                    "role": i.invite.role.built_in_name(), "expires": date(i.invite.expires_at),
                })
            })
            .collect();
        let memberships: Vec<Value> = hub
            .memberships_of(email)?
            .into_iter()
            .map(|m| {
                json!({
                    "tenant": m.tenant_name, "status": m.member.status.as_str(),
                    "role": m.role.and_then(|r| r.built_in_name()),
                })
            })
            .collect();
        Ok(json!({
            "invites": invites, "memberships": memberships,
            "csrf": visit.form_token(&format!("email:{email}")),
        }))
    })();
    match listed {
        Ok(context) => visit.render(200, "your_workspaces.html", context),
        Err(e) => visit.say(
            render::status_of(&e),
            "Something went wrong",
            &e.to_string(),
        ),
    }
}

/// `POST /pending/{tenant}/accept` or `…/decline`, for the signed-in email.
fn pending(visit: &Visit<'_>, path: &str) -> Response {
    let Some(email) = visit.signed_in else {
        return visit.say(401, "Sign in", "Sign in to answer your invites.");
    };
    if !visit.genuine(&format!("email:{email}")) {
        return visit.say(
            403,
            "Not allowed",
            "This form has expired or did not come from this site.",
        );
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let done = (|| -> Result<String> {
        let (tenant, action) = match segments.as_slice() {
            ["pending", tenant, action @ ("accept" | "decline")] => (*tenant, *action),
            _ => {
                return Err(Error::NotFound {
                    entity: "page",
                    key: path.to_owned(),
                })
            }
        };
        let tenant_id: TenantId = tenant.parse().map_err(|_| Error::NotFound {
            entity: "tenant",
            key: tenant.to_owned(),
        })?;
        let tenant = visit.console.hub.tenant(tenant_id)?;
        let name = tenant.info()?.name;
        let answered = match action {
            "accept" => tenant.claim(email)?.is_some(),
            _ => tenant.decline_pending(email)?.is_some(),
        };
        Ok(match (answered, action) {
            (false, _) => "There was no pending invite to answer.".to_owned(),
            (true, "accept") => format!("You joined {name}."),
            (true, _) => format!("You declined the invite to {name}."),
        })
    })();
    match done {
        Ok(message) => visit.say(200, "Done", &message),
        Err(e) => visit.say(render::status_of(&e), "That did not work", &e.to_string()),
    }
}
