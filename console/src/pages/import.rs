//! Import: upload a CSV or paste "name, email" lines → a preview from the core's dry run with
//! each row's outcome and reason → run → the result. In temporary-password mode the result
//! page holds the only copy of the passwords: they are never stored, the page is never cached,
//! and sending the form again imports nothing new (every row is then `existing`), so no
//! password can be had twice.

use super::Page;
use crate::http::{Fields, Response};
use memberkit::*;
use serde_json::{json, Value};

/// Rows a preview or result lists; the counts cover every row.
const SHOWN_ROWS: usize = 1000;

/// What the form chose: the text and how to import it.
struct Chosen {
    text: String,
    format: ImportFormat,
    options: ImportOptions,
}

fn chosen(form: &Fields) -> Result<Chosen> {
    // An uploaded file wins over pasted text; a file is CSV, pasted text is lines.
    let (text, format) = match (form.get("file"), form.get("text")) {
        (Some(file), _) => (file.to_owned(), ImportFormat::Csv),
        (None, Some(text)) => (text.to_owned(), ImportFormat::Pasted),
        (None, None) => return Err(Error::invalid("text", "choose a CSV file or paste lines")),
    };
    let format = form
        .get("format")
        .map(str::parse)
        .transpose()?
        .unwrap_or(format);
    let mut options = ImportOptions {
        mode: form
            .get("mode")
            .map(str::parse)
            .transpose()?
            .unwrap_or_default(),
        role: form
            .get("role")
            .map(str::parse)
            .transpose()?
            .unwrap_or_default(),
        workspace: form
            .get("workspace")
            .map(|w| super::parse_id("workspace", w))
            .transpose()?,
        notify: Some(form.checked("notify")),
        skip_invalid: form.checked("skip_invalid"),
        ..Default::default()
    };
    for id in form.all("product") {
        options.products.push(super::customers::product_id(id)?);
    }
    Ok(Chosen {
        text,
        format,
        options,
    })
}

/// What the form chose, to carry from the preview to the run.
fn carried(form: &Fields, chosen: &Chosen) -> Value {
    json!({
        "text": chosen.text, "format": chosen.format.as_str(),
        "mode": chosen.options.mode.as_str(), "role": chosen.options.role.key(),
        "workspace": form.get("workspace"), "products": form.all("product"),
        "notify": form.checked("notify"), "skip_invalid": chosen.options.skip_invalid,
    })
}

fn rows(report: &ImportReport) -> Value {
    let rows: Vec<Value> = report
        .rows
        .iter()
        .take(SHOWN_ROWS)
        .map(|r| {
            json!({
                "line": r.line, "email": r.email, "name": r.name,
                "outcome": r.outcome.as_str().replace('_', " "), "reason": r.reason,
            })
        })
        .collect();
    let counts: Vec<Value> = [
        ImportOutcome::Created,
        ImportOutcome::Updated,
        ImportOutcome::Existing,
        ImportOutcome::DuplicateInFile,
        ImportOutcome::Invalid,
        ImportOutcome::SeatLimit,
    ]
    .iter()
    .map(|o| json!({ "outcome": o.as_str().replace('_', " "), "count": report.count(*o) }))
    .filter(|c| c["count"] != 0)
    .collect();
    json!({
        "rows": rows, "counts": counts, "total": report.rows.len(),
        "hidden": report.rows.len().saturating_sub(SHOWN_ROWS),
        "refused": report.count(ImportOutcome::Invalid) + report.count(ImportOutcome::SeatLimit),
    })
}

/// The choices every step offers: products, workspaces, roles and modes.
fn choices(page: &Page<'_>) -> Result<Value> {
    let workspaces = super::workspaces::choices(page)?;
    let modes: Vec<&str> = [
        ImportMode::Invite,
        ImportMode::Grant,
        ImportMode::TemporaryPassword,
    ]
    .iter()
    .map(|m| m.as_str())
    .collect();
    Ok(json!({
        "groups": super::customers::grantable(&page.tenant.products()?),
        "workspaces": workspaces, "roles": super::team::role_choices(page)?, "modes": modes,
    }))
}

pub(super) fn form(page: &Page<'_>) -> Result<Response> {
    let defaults = ImportOptions::default();
    let entered = json!({
        "mode": defaults.mode.as_str(), "role": defaults.role.key(),
        "notify": defaults.notify != Some(false), "skip_invalid": defaults.skip_invalid,
    });
    Ok(page.render(
        200,
        "import.html",
        json!({ "choices": choices(page)?, "entered": entered }),
    ))
}

pub(super) fn preview(page: &Page<'_>) -> Result<Response> {
    let form = page.request.form_fields();
    let mut chosen = chosen(&form)?;
    chosen.options.dry_run = true;
    let source = ImportSource::new(chosen.format, &chosen.text);
    let report = page
        .tenant
        .import_customers(page.who.actor, source, &chosen.options)?;
    Ok(page.render(
        200,
        "import_preview.html",
        json!({
            "report": rows(&report), "entered": carried(&form, &chosen),
            "choices": choices(page)?,
        }),
    ))
}

pub(super) fn run(page: &Page<'_>) -> Result<Response> {
    let form = page.request.form_fields();
    let chosen = chosen(&form)?;
    let source = ImportSource::new(chosen.format, &chosen.text);
    let report = page
        .tenant
        .import_customers(page.who.actor, source, &chosen.options)?;
    let passwords = report
        .rows
        .iter()
        .any(|r| r.temporary_password.is_some())
        .then(|| report.temporary_passwords_csv());
    Ok(page.render(
        200,
        "import_done.html",
        json!({
            "report": rows(&report), "applied": report.applied, "written": report.written,
            "passwords": passwords, "mode": chosen.options.mode.as_str(),
        }),
    ))
}
