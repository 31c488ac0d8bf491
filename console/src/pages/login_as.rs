//! "Log in as this user": a reason first, then the core starts the impersonation and the
//! console hands its token to the host ([`crate::Handoff::Impersonation`]), which owns the
//! admin's session. The page says whose view the admin is now in, and until when.

use super::{parse_id, Page};
use crate::http::{Handoff, Response};
use crate::render::date;
use memberkit::time::Duration;
use memberkit::*;
use serde_json::json;

pub(super) fn form(page: &Page<'_>, id: &str) -> Result<Response> {
    let member = page.tenant.member(parse_id("member", id)?)?;
    let most = page
        .tenant
        .info()?
        .settings
        .max_impersonation
        .whole_minutes();
    Ok(page.render(
        200,
        "login_as.html",
        json!({
            "member": { "id": member.id.to_string(), "email": member.email, "name": member.name },
            "most_minutes": most,
        }),
    ))
}

pub(super) fn start(page: &Page<'_>, id: &str) -> Result<Response> {
    let member: MemberId = parse_id("member", id)?;
    let form = page.request.form_fields();
    let minutes = form
        .get("minutes")
        .map(|m| {
            m.parse::<i64>()
                .map(Duration::minutes)
                .map_err(|_| Error::invalid("minutes", format!("`{m}` is not a number of minutes")))
        })
        .transpose()?;
    let issued = page.tenant.impersonate(
        page.who.actor,
        member,
        form.get("reason").unwrap_or(""),
        minutes,
    )?;
    let target = page.tenant.member(member)?;
    let mut response = page.render(
        200,
        "login_as_started.html",
        json!({
            "email": target.email, "name": target.name,
            "ends": date(issued.session.ends_at), "reason": issued.session.reason,
            "site": page.console.site_url,
        }),
    );
    response.handoff = Some(Handoff::Impersonation(issued));
    Ok(response)
}
