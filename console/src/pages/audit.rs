//! The audit log with its filters (who, about what, when) and older pages; the tenant's
//! settings (invite lifetimes, the impersonation limit, expiry reminders).

use super::Page;
use crate::http::Response;
use crate::render::date;
use memberkit::time::Duration;
use memberkit::*;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Entries per page.
const PAGE: usize = 50;

pub(super) fn log(page: &Page<'_>) -> Result<Response> {
    let q = page.request.query_map();
    let field = |name: &str| q.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    // "Who" is an email (or `system`), as people know them, not an id.
    let actor = match field("actor") {
        None => None,
        Some("system") => Some(Actor::System),
        Some(email) => Some(match page.tenant.member_by_email(email)? {
            Some(m) => Actor::Member(m.id),
            None => {
                return Err(Error::invalid(
                    "actor",
                    format!("nobody here has the email {email}"),
                ))
            }
        }),
    };
    let query = AuditQuery {
        actor,
        subject: field("subject").map(str::to_owned),
        since: super::customers::instant(field("since"), "since")?,
        until: super::customers::instant(field("until"), "until")?,
        before: field("before")
            .map(|b| super::parse_id("audit entry", b))
            .transpose()?,
        limit: PAGE,
    };
    let entries = page.tenant.audit(&query)?;
    let mut names: HashMap<MemberId, String> = HashMap::new();
    let mut rows = Vec::new();
    for e in &entries {
        let who = match e.actor {
            Actor::System => "system".to_owned(),
            Actor::Member(id) => match names.get(&id) {
                Some(name) => name.clone(),
                None => {
                    // A removed member's entries stay; they show by id.
                    let name = page
                        .tenant
                        .member(id)
                        .map_or_else(|_| id.to_string(), |m| m.email);
                    names.insert(id, name.clone());
                    name
                }
            },
        };
        rows.push(json!({
            "at": date(e.at), "actor": who, "action": e.action, "subject": e.subject,
            "details": e.details.to_string(),
        }));
    }
    // The next page keeps the filters and continues after the last entry.
    let older = (entries.len() == PAGE).then(|| {
        let mut next = form_urlencoded::Serializer::new(String::new());
        for (k, v) in q.iter().filter(|(k, _)| k.as_str() != "before") {
            next.append_pair(k, v);
        }
        next.append_pair("before", &entries[PAGE - 1].id.to_string());
        next.finish()
    });
    let filters: Value = ["actor", "subject", "since", "until"]
        .iter()
        .map(|k| (k.to_string(), json!(field(k))))
        .collect::<serde_json::Map<_, _>>()
        .into();
    Ok(page.render(
        200,
        "audit.html",
        json!({ "rows": rows, "older": older, "filters": filters }),
    ))
}

/// A duration as the settings page shows it: `7d`, `36h` or `90m`.
fn show(d: Duration) -> String {
    let minutes = d.whole_minutes();
    if minutes % (24 * 60) == 0 {
        format!("{}d", minutes / (24 * 60))
    } else if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

/// Reads `7d`, `36h` or `90m` (the unit is required).
fn read(text: &str, field: &'static str) -> Result<Duration> {
    let text = text.trim();
    let bad = || {
        Error::invalid(
            field,
            format!("`{text}` is not a duration like 7d, 12h or 30m"),
        )
    };
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number.trim().parse().map_err(|_| bad())?;
    match unit {
        "d" => Ok(Duration::days(n)),
        "h" => Ok(Duration::hours(n)),
        "m" => Ok(Duration::minutes(n)),
        _ => Err(bad()),
    }
}

pub(super) fn settings(page: &Page<'_>) -> Result<Response> {
    let info = page.tenant.info()?;
    let s = &info.settings;
    let reminders: Vec<String> = s.expiry_reminders.iter().map(|d| show(*d)).collect();
    Ok(page.render(
        200,
        "settings.html",
        json!({
            "invite_lifetime": show(s.invite_lifetime),
            "max_invite_lifetime": show(s.max_invite_lifetime),
            "max_impersonation": show(s.max_impersonation),
            "reminders": reminders.join(", "),
            "seat_limit": s.seat_limit,
            "swept_until": info.swept_until.map(date),
        }),
    ))
}

pub(super) fn save_settings(page: &Page<'_>) -> Result<Response> {
    let form = page.request.form_fields();
    let duration = |name: &'static str| form.get(name).map(|v| read(v, name)).transpose();
    let reminders = form
        .get("reminders")
        .unwrap_or("")
        .split(',')
        .filter(|r| !r.trim().is_empty())
        .map(|r| read(r, "reminders"))
        .collect::<Result<Vec<_>>>()?;
    let update = SettingsUpdate {
        invite_lifetime: duration("invite_lifetime")?,
        max_invite_lifetime: duration("max_invite_lifetime")?,
        max_impersonation: duration("max_impersonation")?,
        expiry_reminders: Some(reminders),
    };
    page.tenant.update_settings(page.who.actor, update)?;
    Ok(page.done("/settings", "Settings saved."))
}
