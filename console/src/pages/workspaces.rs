//! Workspaces (sub-accounts, client companies): the list with their seats, create one; one
//! workspace's members and their roles there, "Add Client User" as a new invite or "From
//! Existing Workspace" (no email), take someone out after a confirmation, the seat cap, and
//! verified domains.

use super::team::role_choices;
use super::{parse_id, Confirm, Page};
use crate::http::Response;
use memberkit::*;
use serde_json::{json, Value};

fn workspace_id(id: &str) -> Result<WorkspaceId> {
    parse_id("workspace", id)
}

fn seats_json(seats: &Seats) -> Value {
    json!({ "taken": seats.taken, "limit": seats.limit, "available": seats.available() })
}

/// The workspaces as a picker lists them.
pub(super) fn choices(page: &Page<'_>) -> Result<Vec<Value>> {
    Ok(page
        .tenant
        .workspaces()?
        .into_iter()
        .map(|w| json!({ "id": w.id.to_string(), "name": w.name }))
        .collect())
}

pub(super) fn list(page: &Page<'_>) -> Result<Response> {
    let mut rows = Vec::new();
    for w in page.tenant.workspaces()? {
        let seats = page.tenant.seats(Some(w.id))?;
        rows.push(json!({ "id": w.id.to_string(), "name": w.name, "seats": seats_json(&seats) }));
    }
    Ok(page.render(200, "workspaces.html", json!({ "rows": rows })))
}

pub(super) fn create(page: &Page<'_>) -> Result<Response> {
    let form = page.request.form_fields();
    let ws = page
        .tenant
        .create_workspace(page.who.actor, form.get("name").unwrap_or(""))?;
    Ok(page.done(
        &format!("/workspaces/{}", ws.id),
        &format!("The workspace {} was created.", ws.name),
    ))
}

pub(super) fn show(page: &Page<'_>, id: &str) -> Result<Response> {
    let ws = page.tenant.workspace(workspace_id(id)?)?;
    let members = page.tenant.workspace_members(ws.id)?;
    let here: Vec<MemberId> = members.iter().map(|m| m.member.id).collect();
    let rows: Vec<Value> = members
        .iter()
        .map(|m| {
            json!({
                "id": m.member.id.to_string(), "email": m.member.email, "name": m.member.name,
                "status": m.member.status.as_str(), "role": m.role.key(),
            })
        })
        .collect();
    // "From Existing Workspace": the members of the other workspaces, each once.
    let mut others: Vec<Value> = Vec::new();
    let mut seen = here.clone();
    for other in page
        .tenant
        .workspaces()?
        .into_iter()
        .filter(|w| w.id != ws.id)
    {
        for m in page.tenant.workspace_members(other.id)? {
            if !seen.contains(&m.member.id) {
                seen.push(m.member.id);
                others.push(json!({
                    "id": m.member.id.to_string(), "email": m.member.email,
                    "workspace": other.name,
                }));
            }
        }
    }
    let domains: Vec<Value> = page
        .tenant
        .domains(ws.id)?
        .into_iter()
        .map(|d| json!({ "domain": d.domain, "enrollment": d.enrollment.as_str(), "role": d.role.key() }))
        .collect();
    let enrollments: Vec<&str> = Enrollment::ALL.iter().map(|e| e.as_str()).collect();
    let defaults = NewInvite::new("");
    Ok(page.render(
        200,
        "workspace.html",
        json!({
            "workspace": { "id": ws.id.to_string(), "name": ws.name },
            "rows": rows, "others": others, "domains": domains, "enrollments": enrollments,
            "seats": seats_json(&page.tenant.seats(Some(ws.id))?),
            "roles": role_choices(page)?, "default_role": defaults.role.key(),
            "default_domain_role": NewDomain::new("").role.key(),
            "notify": defaults.notify,
        }),
    ))
}

/// "Add Client User", new: an invite into this workspace with the chosen role.
pub(super) fn invite(page: &Page<'_>, id: &str) -> Result<Response> {
    let ws = page.tenant.workspace(workspace_id(id)?)?;
    let form = page.request.form_fields();
    let mut new = NewInvite::new(form.get("email").unwrap_or(""));
    new.name = form.get("name").map(str::to_owned);
    new.role = form
        .get("role")
        .map(str::parse)
        .transpose()?
        .unwrap_or_default();
    new.workspace = Some(ws.id);
    new.notify = form.checked("notify");
    let issued = page.tenant.invite(page.who.actor, new)?;
    Ok(page.done(
        &format!("/workspaces/{}", ws.id),
        &format!("{} was invited to {}.", issued.invite.email, ws.name),
    ))
}

/// "From Existing Workspace": an active member joins this workspace too, with no email.
pub(super) fn add_existing(page: &Page<'_>, id: &str) -> Result<Response> {
    let ws = page.tenant.workspace(workspace_id(id)?)?;
    let form = page.request.form_fields();
    let member: MemberId = parse_id("member", form.get("member").unwrap_or(""))?;
    let role: Role = form.get("role").unwrap_or("").parse()?;
    page.tenant
        .add_to_workspace(page.who.actor, member, ws.id, role)?;
    let member = page.tenant.member(member)?;
    Ok(page.done(
        &format!("/workspaces/{}", ws.id),
        &format!("{} was added to {}.", member.email, ws.name),
    ))
}

pub(super) fn confirm_remove(page: &Page<'_>, id: &str) -> Result<Response> {
    let ws = page.tenant.workspace(workspace_id(id)?)?;
    let q = page.request.query_map();
    let member = page.tenant.member(parse_id(
        "member",
        q.get("member").map_or("", String::as_str),
    )?)?;
    Ok(page.confirm(Confirm {
        question: format!("Take {} out of {}?", member.email, ws.name),
        detail: "They lose their role in this workspace at once; the rest of their account stays.",
        action: format!("/workspaces/{}/remove", ws.id),
        field: Some(("member", member.id.to_string())),
        button: "Take out",
        back: format!("/workspaces/{}", ws.id),
    }))
}

pub(super) fn remove(page: &Page<'_>, id: &str) -> Result<Response> {
    let ws = page.tenant.workspace(workspace_id(id)?)?;
    let form = page.request.form_fields();
    let member: MemberId = parse_id("member", form.get("member").unwrap_or(""))?;
    let was_in = page
        .tenant
        .remove_from_workspace(page.who.actor, member, ws.id)?;
    let message = if was_in {
        "They were taken out of the workspace."
    } else {
        "They were not in this workspace."
    };
    Ok(page.done(&format!("/workspaces/{}", ws.id), message))
}

/// The seat cap: a number, or empty for none.
pub(super) fn seats(page: &Page<'_>, id: &str) -> Result<Response> {
    let ws = page.tenant.workspace(workspace_id(id)?)?;
    let form = page.request.form_fields();
    let limit = form
        .get("limit")
        .map(|n| {
            n.parse::<u32>()
                .map_err(|_| Error::invalid("limit", format!("`{n}` is not a number of seats")))
        })
        .transpose()?;
    page.tenant
        .set_seat_limit(page.who.actor, Some(ws.id), limit)?;
    Ok(page.done(
        &format!("/workspaces/{}", ws.id),
        "The seat limit was saved.",
    ))
}

pub(super) fn add_domain(page: &Page<'_>, id: &str) -> Result<Response> {
    let ws = page.tenant.workspace(workspace_id(id)?)?;
    let form = page.request.form_fields();
    let mut new = NewDomain::new(form.get("domain").unwrap_or(""));
    if let Some(enrollment) = form.get("enrollment") {
        new.enrollment = enrollment.parse()?;
    }
    if let Some(role) = form.get("role") {
        new.role = role.parse()?;
    }
    let added = page.tenant.add_domain(page.who.actor, ws.id, new)?;
    Ok(page.done(
        &format!("/workspaces/{}", ws.id),
        &format!("People at {} now join {}.", added.domain, ws.name),
    ))
}

pub(super) fn confirm_remove_domain(page: &Page<'_>, id: &str) -> Result<Response> {
    let ws = page.tenant.workspace(workspace_id(id)?)?;
    let q = page.request.query_map();
    let domain = q.get("domain").cloned().unwrap_or_default();
    Ok(page.confirm(Confirm {
        question: format!("Stop taking people from {domain} into {}?", ws.name),
        detail: "People already in the workspace stay.",
        action: format!("/workspaces/{}/domains/remove", ws.id),
        field: Some(("domain", domain)),
        button: "Remove domain",
        back: format!("/workspaces/{}", ws.id),
    }))
}

pub(super) fn remove_domain(page: &Page<'_>, id: &str) -> Result<Response> {
    let ws = page.tenant.workspace(workspace_id(id)?)?;
    let form = page.request.form_fields();
    let domain = form.get("domain").unwrap_or("");
    page.tenant.remove_domain(page.who.actor, ws.id, domain)?;
    Ok(page.done(
        &format!("/workspaces/{}", ws.id),
        &format!("{domain} was removed."),
    ))
}
