//! Import: upload a CSV or paste "name, email" lines → a preview from the core's dry run with
//! each row's outcome and reason → run → the result. In temporary-password mode the result
//! page holds the only copy of the passwords: they are never stored, the page is never cached,
//! and sending the form again imports nothing new (every row is then `existing`), so no
//! password can be had twice. An import still running after a moment answers with a page
//! that grows by a step per chunk written and ends with the result.

use super::Page;
use crate::http::{Fields, Response, Rest};
use crate::render::{escape, Templates};
use memberkit::*;
use serde_json::{json, Value};
use std::sync::{mpsc, Arc};

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
    let mut chosen = chosen(&form)?;
    let mode = chosen.options.mode.as_str();
    // The import runs on its own thread, telling this one how far it got; the page waits a
    // moment for it, then, if it is still running, shows its progress as it comes.
    let (events, arrived) = mpsc::channel();
    let progress = events.clone();
    chosen.options.progress = Some(Arc::new(move |done, total| {
        // A closed page does not stop the import: nobody may be reading.
        let _ = progress.send(Event::Progress(done, total));
        Ok(())
    }));
    let (tenant, actor) = (page.tenant.clone(), page.who.actor);
    std::thread::spawn(move || {
        let source = ImportSource::new(chosen.format, &chosen.text);
        let _ = events.send(Event::Done(Box::new(tenant.import_customers(
            actor,
            source,
            &chosen.options,
        ))));
    });
    // Until the wait is over only the result matters; the latest step is kept for the page.
    let deadline = std::time::Instant::now() + page.console.progress_after;
    let mut first = None;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match arrived.recv_timeout(left) {
            Ok(Event::Done(result)) => return Ok(finished(page, (*result)?, mode)),
            Ok(progress) => first = Some(progress),
            Err(_) => break,
        }
    }
    let running = page.render(200, "import_running.html", json!({ "mode": mode }));
    let text = running.text();
    let parts: Vec<&str> = text.split(STREAM_MARK).collect();
    let [head, between, tail] = parts[..] else {
        // A replaced template without the marks: wait, and answer with the result.
        return match first.into_iter().chain(arrived).last() {
            Some(Event::Done(result)) => Ok(finished(page, (*result)?, mode)),
            _ => Err(Error::storage(std::io::Error::other(
                "the import stopped without a result",
            ))),
        };
    };
    let result = Finish {
        templates: page.console.templates.shared(),
        mount: page.request.mount.clone(),
        mode,
        between: between.to_owned(),
        tail: tail.to_owned(),
    };
    let chunks = first
        .into_iter()
        .chain(arrived)
        .map(move |event| match event {
            Event::Progress(done, total) => step(done, total).into_bytes(),
            Event::Done(outcome) => result.chunk(*outcome).into_bytes(),
        });
    let mut response = Response::new(200, "text/html; charset=utf-8", head.to_owned());
    response.headers = running.headers;
    // A proxy that buffers (nginx does by default) would hold the steps until the end.
    response
        .headers
        .push(("x-accel-buffering".into(), "no".into()));
    response.rest = Some(Rest(Box::new(chunks)));
    Ok(response)
}

/// Where the running page's template is split: the steps go at the first mark, the result at
/// the second.
const STREAM_MARK: &str = "<!--mk-stream-->";

/// What the import's thread tells the page.
enum Event {
    Progress(usize, usize),
    Done(Box<Result<ImportReport>>),
}

/// One step of a running import's page.
fn step(done: usize, total: usize) -> String {
    format!(
        "<li class=\"mk-step\"><progress value=\"{done}\" max=\"{total}\"></progress>\
         {done} of {total} rows</li>\n"
    )
}

/// The end of a running import's page: its result, rendered on whichever thread sends it.
struct Finish {
    templates: Templates,
    mount: String,
    mode: &'static str,
    between: String,
    tail: String,
}

impl Finish {
    fn chunk(&self, outcome: Result<ImportReport>) -> String {
        let mut context = match outcome {
            Ok(report) => result_context(&report, self.mode),
            Err(e) => json!({ "error": e.to_string() }),
        };
        context["mount"] = json!(self.mount);
        let result = self
            .templates
            .html("import_result.html", &context)
            .unwrap_or_else(|e| format!("<p class=\"mk-error\">{}</p>", escape(&e)));
        format!("{}{result}{}", self.between, self.tail)
    }
}

/// What the result shows: the rows, and the temporary passwords when this run made some.
fn result_context(report: &ImportReport, mode: &str) -> Value {
    let passwords = report
        .rows
        .iter()
        .any(|r| r.temporary_password.is_some())
        .then(|| report.temporary_passwords_csv());
    json!({
        "report": rows(report), "applied": report.applied, "written": report.written,
        "passwords": passwords, "mode": mode,
    })
}

fn finished(page: &Page<'_>, report: ImportReport, mode: &str) -> Response {
    page.render(200, "import_done.html", result_context(&report, mode))
}
