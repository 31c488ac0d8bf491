//! Invites: pending and expired invites with their expiry; invite many emails at once with a
//! role, a workspace and products; resend; "Copy invite link" (a fresh link, shown once on a
//! page that is never cached); revoke, after a confirmation.

use super::{Confirm, Page};
use crate::http::Response;
use crate::render::date;
use memberkit::*;
use serde_json::{json, Value};

fn invite_id(id: &str) -> Result<InviteId> {
    id.parse().map_err(|_| Error::NotFound {
        entity: "invite",
        key: id.to_owned(),
    })
}

/// The invite list with the form to invite more; `refused` says why a form was refused.
fn list_page(page: &Page<'_>, refused: Option<(&Error, Value)>) -> Result<Response> {
    let q = page.request.query_map();
    let status = match q.get("status").map(String::as_str) {
        Some("expired") => InviteStatus::Expired,
        _ => InviteStatus::Pending,
    };
    let now = page.console.hub.now();
    let rows: Vec<Value> = page
        .tenant
        .invites(Some(status))?
        .into_iter()
        .map(|i| {
            json!({
                "id": i.id.to_string(), "email": i.email, "name": i.name,
                "role": i.role.key(), "expires": date(i.expires_at),
                "expired": i.expires_at <= now,
            })
        })
        .collect();
    let products = page.tenant.products()?;
    let workspaces = super::workspaces::choices(page)?;
    let (code, error, entered) = match refused {
        Some((e, entered)) => (crate::render::status_of(e), Some(e.to_string()), entered),
        None => {
            let defaults = NewInvite::new("");
            let entered = json!({ "notify": defaults.notify, "role": defaults.role.key() });
            (200, None, entered)
        }
    };
    Ok(page.render(
        code,
        "invites.html",
        json!({
            "rows": rows, "status": status.as_str(), "roles": super::team::role_choices(page)?,
            "workspaces": workspaces, "groups": super::customers::grantable(&products),
            "error": error, "entered": entered,
        }),
    ))
}

pub(super) fn list(page: &Page<'_>) -> Result<Response> {
    list_page(page, None)
}

/// Invites every email of the form (one per line, or separated by commas), each with the
/// chosen role, workspace and products. Stops at the first refused email: the ones before it
/// are invited (the page says how many), and the form comes back with the rest.
pub(super) fn invite_many(page: &Page<'_>) -> Result<Response> {
    let form = page.request.form_fields();
    let text = form.get("emails").unwrap_or("");
    let emails: Vec<&str> = text
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let chosen = form.all("product");
    let mut invited = 0;
    let attempt = |email: &str| -> Result<IssuedInvite> {
        let mut new = NewInvite::new(email);
        new.role = form
            .get("role")
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
        new.workspace = form.get("workspace").map(str::parse).transpose()?;
        new.notify = form.checked("notify");
        for id in &chosen {
            new = new.product(super::customers::product_id(id)?);
        }
        page.tenant.invite(page.who.actor, new)
    };
    for (i, email) in emails.iter().enumerate() {
        if let Err(e) = attempt(email) {
            if !matches!(crate::render::status_of(&e), 400 | 409) {
                return Err(e);
            }
            let entered = json!({
                "emails": emails[i..].join("\n"), "products": chosen,
                "role": form.get("role").map(str::to_owned).unwrap_or_else(|| NewInvite::new("").role.key()),
                "workspace": form.get("workspace"),
                "notify": form.checked("notify"),
            });
            let e = Error::InvalidInput {
                field: "emails",
                reason: format!("{email}: {e} ({invited} invited before it)"),
            };
            return list_page(page, Some((&e, entered)));
        }
        invited += 1;
    }
    let message = match invited {
        0 => "Enter at least one email.".to_owned(),
        1 => "1 invite sent.".to_owned(),
        n => format!("{n} invites sent."),
    };
    Ok(page.done("/invites", &message))
}

pub(super) fn resend(page: &Page<'_>, id: &str) -> Result<Response> {
    let issued = page.tenant.resend_invite(page.who.actor, invite_id(id)?)?;
    Ok(page.done(
        "/invites",
        &format!("A new invite was sent to {}.", issued.invite.email),
    ))
}

/// A fresh link to a pending invite, shown once: the page is never cached and the link is not
/// in any URL the console serves.
pub(super) fn copy_link(page: &Page<'_>, id: &str) -> Result<Response> {
    let issued = page
        .tenant
        .copy_invite_link(page.who.actor, invite_id(id)?)?;
    let link = page.console.invite_link(issued.token.expose());
    Ok(page.render(
        200,
        "invite_link.html",
        json!({ "email": issued.invite.email, "link": link }),
    ))
}

pub(super) fn confirm_revoke(page: &Page<'_>, id: &str) -> Result<Response> {
    let invite = page.tenant.get_invite(invite_id(id)?)?;
    Ok(page.confirm(Confirm {
        question: format!("Revoke the invite to {}?", invite.email),
        detail: "Its links stop working at once. You can invite the email again later.",
        action: format!("/invites/{}/revoke", invite.id),
        field: None,
        button: "Revoke",
        back: "/invites".into(),
    }))
}

pub(super) fn revoke(page: &Page<'_>, id: &str) -> Result<Response> {
    let invite = page.tenant.revoke_invite(page.who.actor, invite_id(id)?)?;
    Ok(page.done(
        "/invites",
        &format!("The invite to {} was revoked.", invite.email),
    ))
}
