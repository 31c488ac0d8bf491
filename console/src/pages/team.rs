//! Team: members by status (Active / Invited / Deactivated) with their role per workspace, the
//! tenant's custom roles and their module permissions; change a role, deactivate, reactivate
//! and remove. A member's actions are offered only where the core's rank rule allows them
//! (`Tenant::may_manage`); the core checks again when one is taken, so a forged request for
//! one is refused there.

use super::{parse_id, Confirm, Page};
use crate::http::Response;
use crate::render::date;
use memberkit::*;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Display names of every role: the built-in ones and the tenant's own, by key.
fn role_names(custom: &[CustomRole]) -> Vec<(String, String)> {
    let built_in = Role::BUILT_IN.iter().map(|r| (r.key(), r.key()));
    let own = custom
        .iter()
        .map(|c| (Role::Custom(c.id).key(), c.name.clone()));
    built_in.chain(own).collect()
}

/// The roles as a template lists them in a picker (the roles an invite can carry, too).
pub(super) fn role_choices(page: &Page<'_>) -> Result<Vec<Value>> {
    Ok(choices(&role_names(&page.tenant.roles()?)))
}

fn choices(names: &[(String, String)]) -> Vec<Value> {
    names
        .iter()
        .map(|(key, name)| json!({ "key": key, "name": name }))
        .collect()
}

pub(super) fn list(page: &Page<'_>) -> Result<Response> {
    let q = page.request.query_map();
    let tab = match q.get("status").map(String::as_str) {
        Some("invited") => "invited",
        Some("deactivated") => "deactivated",
        _ => "active",
    };
    // The tenant's roles, read once: for the names shown, the picker, and the custom roles.
    let custom_roles = page.tenant.roles()?;
    let names = role_names(&custom_roles);
    let roles: HashMap<String, String> = names.iter().cloned().collect();
    let role_name = |r: Role| roles.get(&r.key()).cloned().unwrap_or_else(|| r.key());
    let workspaces: HashMap<WorkspaceId, String> = page
        .tenant
        .workspaces()?
        .into_iter()
        .map(|w| (w.id, w.name))
        .collect();
    let place = |w: Option<WorkspaceId>| w.and_then(|w| workspaces.get(&w).cloned());
    let rows: Vec<Value> = if tab == "invited" {
        page.tenant
            .invites(Some(InviteStatus::Pending))?
            .into_iter()
            .filter(|i| i.role.is_team())
            .map(|i| {
                json!({
                    "invite_id": i.id.to_string(), "email": i.email, "name": i.name,
                    "roles": [{ "role": role_name(i.role), "workspace": place(i.workspace) }],
                    "expires": date(i.expires_at),
                })
            })
            .collect()
    } else {
        let mut rows = Vec::new();
        for t in page.tenant.team()? {
            if t.member.status.as_str() != tab {
                continue;
            }
            let held: Vec<Value> = t
                .roles
                .iter()
                .map(|a| json!({ "role": role_name(a.role), "workspace": place(a.workspace) }))
                .collect();
            let tenant_role = t.roles.iter().find(|a| a.workspace.is_none());
            rows.push(json!({
                "id": t.member.id.to_string(), "email": t.member.email, "name": t.member.name,
                "roles": held, "role": tenant_role.map(|a| a.role.key()),
                "may_manage": page.tenant.may_manage(page.who.actor, t.member.id)?,
            }));
        }
        rows
    };
    let custom: Vec<Value> = custom_roles
        .into_iter()
        .map(|r| {
            let permissions: Vec<&str> = r.permissions.iter().map(Permission::as_str).collect();
            json!({ "id": r.id.to_string(), "name": r.name, "permissions": permissions })
        })
        .collect();
    let catalogue: Vec<&str> = Permission::CATALOGUE.iter().map(|p| p.as_str()).collect();
    Ok(page.render(
        200,
        "team.html",
        json!({
            "tab": tab, "rows": rows, "roles": choices(&names),
            "custom_roles": custom, "catalogue": catalogue,
        }),
    ))
}

/// Where an action goes back to: the page the form came from (a path below the mount prefix,
/// never another site), or `fallback`.
fn back<'a>(page: &'a Page<'_>, fallback: &'a str) -> String {
    let form = page.request.form_fields();
    let query = page.request.query_map();
    let asked = form
        .get("back")
        .map(str::to_owned)
        .or_else(|| query.get("back").cloned());
    match asked {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => fallback.to_owned(),
    }
}

fn member_id(id: &str) -> Result<MemberId> {
    parse_id("member", id)
}

/// "Deactivate …?" and "Remove …?": nothing changes until the page's form is sent.
pub(super) fn confirm(page: &Page<'_>, id: &str, action: &str) -> Result<Response> {
    let member = page.tenant.member(member_id(id)?)?;
    let (question, detail, button) = match action {
        "deactivate" => (
            format!("Deactivate {}?", member.email),
            "They lose access and permissions at once. You can reactivate them later.",
            "Deactivate",
        ),
        _ => (
            format!("Remove {}?", member.email),
            "Their access, roles, workspaces and pending invites are deleted. The audit log \
             keeps what they did. This cannot be undone.",
            "Remove",
        ),
    };
    let back = back(page, "/team");
    Ok(page.confirm(Confirm {
        question,
        detail,
        action: format!("/members/{}/{action}", member.id),
        field: None,
        button,
        back,
    }))
}

pub(super) fn deactivate(page: &Page<'_>, id: &str) -> Result<Response> {
    let member = page.tenant.deactivate(page.who.actor, member_id(id)?)?;
    Ok(page.done(
        &back(page, "/team"),
        &format!("{} was deactivated.", member.email),
    ))
}

pub(super) fn reactivate(page: &Page<'_>, id: &str) -> Result<Response> {
    let member = page.tenant.reactivate(page.who.actor, member_id(id)?)?;
    Ok(page.done(
        &back(page, "/team"),
        &format!("{} was reactivated.", member.email),
    ))
}

pub(super) fn remove(page: &Page<'_>, id: &str) -> Result<Response> {
    let member = page.tenant.member(member_id(id)?)?;
    page.tenant.remove_member(page.who.actor, member.id)?;
    // Their own page is gone: back to the list it belongs to.
    let to = match back(page, "/team") {
        path if path.starts_with("/customers") => "/customers".to_owned(),
        path => path,
    };
    Ok(page.done(&to, &format!("{} was removed.", member.email)))
}

/// Sets a member's role tenant-wide, or in the form's workspace.
pub(super) fn assign_role(page: &Page<'_>, id: &str) -> Result<Response> {
    let form = page.request.form_fields();
    let role: Role = form.get("role").unwrap_or("").parse()?;
    let workspace = form
        .get("workspace")
        .map(|w| parse_id("workspace", w))
        .transpose()?;
    let assignment = page
        .tenant
        .assign_role(page.who.actor, member_id(id)?, role, workspace)?;
    let member = page.tenant.member(assignment.member_id)?;
    Ok(page.done(
        &back(page, "/team"),
        &format!("{}'s role was changed.", member.email),
    ))
}

/// Creates a custom role with the ticked permissions and any others typed in (comma
/// separated: the host's own modules).
pub(super) fn create_role(page: &Page<'_>) -> Result<Response> {
    let form = page.request.form_fields();
    let mut permissions: Vec<Permission> = form
        .all("permission")
        .into_iter()
        .map(Permission::custom)
        .collect();
    for other in form.get("other").unwrap_or("").split(',') {
        if !other.trim().is_empty() {
            permissions.push(Permission::custom(other.trim()));
        }
    }
    let role =
        page.tenant
            .create_role(page.who.actor, form.get("name").unwrap_or(""), &permissions)?;
    Ok(page.done("/team", &format!("The role {} was created.", role.name)))
}

pub(super) fn confirm_delete_role(page: &Page<'_>, id: &str) -> Result<Response> {
    let id: RoleId = parse_id("role", id)?;
    let role = page
        .tenant
        .roles()?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| Error::NotFound {
            entity: "role",
            key: id.to_string(),
        })?;
    Ok(page.confirm(Confirm {
        question: format!("Delete the role {}?", role.name),
        detail: "Only a role nobody holds and no pending invite carries can be deleted.",
        action: format!("/roles/{id}/delete"),
        field: None,
        button: "Delete",
        back: "/team".into(),
    }))
}

pub(super) fn delete_role(page: &Page<'_>, id: &str) -> Result<Response> {
    page.tenant
        .delete_role(page.who.actor, parse_id("role", id)?)?;
    Ok(page.done("/team", "The role was deleted."))
}
