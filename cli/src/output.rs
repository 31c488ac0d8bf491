//! What the command prints: tables or JSON on stdout, errors on stderr, and the exit status a
//! core error gives.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use memberkit::time::format_description::well_known::Rfc3339;
use memberkit::time::OffsetDateTime;
use memberkit::*;
use serde_json::{json, Value};
use std::io::Write;

/// The exit status of a core error: 10 plus its place in [`ErrorCode::ALL`] (`not_found` 10
/// … `storage` 21), so scripts can tell failures apart without parsing messages.
pub fn exit_status(code: ErrorCode) -> i32 {
    let place = ErrorCode::ALL.iter().position(|c| *c == code);
    10 + place.unwrap_or(ErrorCode::ALL.len()) as i32
}

/// Where results go, and in which form.
pub(crate) struct Output {
    pub json: bool,
}

impl Output {
    /// Prints `e` to stderr (as JSON with `--json`); returns the exit status.
    pub fn error(&self, e: &Error) -> i32 {
        let code = e.code();
        let mut stderr = std::io::stderr().lock();
        let _ = match self.json {
            true => writeln!(
                stderr,
                "{}",
                json!({"error": {"code": code.as_str(), "message": e.to_string()}})
            ),
            false => writeln!(stderr, "memberkit: error[{code}]: {e}"),
        };
        exit_status(code)
    }

    /// A finished action: a line for people, or `value` with `--json`.
    pub fn done(&self, line: &str, value: Value) -> Result<()> {
        match self.json {
            true => self.raw(&format!("{value}\n")),
            false => self.raw(&format!("{line}\n")),
        }
    }

    /// `text` on stdout as it is; a closed pipe (`| head`) is not an error worth a trace.
    pub fn raw(&self, text: &str) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        match stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
        {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::storage(e)),
            _ => Ok(()),
        }
    }
}

pub(crate) fn time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

pub(crate) fn print_tenants(out: &Output, tenants: &[TenantInfo]) -> Result<()> {
    if out.json {
        let rows: Vec<Value> = tenants
            .iter()
            .map(|t| json!({"id": t.id.to_string(), "name": t.name, "created_at": time(t.created_at)}))
            .collect();
        return out.raw(&format!("{}\n", Value::Array(rows)));
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["id", "name", "created"]);
    for t in tenants {
        table.add_row([t.id.to_string(), t.name.clone(), time(t.created_at)]);
    }
    out.raw(&format!("{table}\n"))
}

/// One page of customers, with the tenant's `catalogue` to name the bundles access comes
/// through, and how many match in all.
pub(crate) fn print_customers(
    out: &Output,
    page: &CustomerPage,
    catalogue: &[Product],
    total: usize,
) -> Result<()> {
    let name_of = |id: ProductId| {
        catalogue
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    let products = |row: &CustomerRow| -> Vec<String> {
        row.products
            .iter()
            .map(|p| match p.via {
                Some(via) => format!("{} (via {})", p.name, name_of(via)),
                None => p.name.clone(),
            })
            .collect()
    };
    if out.json {
        let rows: Vec<Value> = page
            .rows
            .iter()
            .map(|r| {
                let m = &r.member;
                json!({"id": m.id.to_string(), "email": m.email, "name": m.name,
                       "external_id": m.external_id, "status": m.status.as_str(),
                       "created_at": time(m.created_at), "products": products(r)})
            })
            .collect();
        return out.raw(&format!("{}\n", json!({"total": total, "rows": rows})));
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["id", "email", "name", "status", "products"]);
    for r in &page.rows {
        let m = &r.member;
        table.add_row([
            m.id.to_string(),
            m.email.clone(),
            m.name.clone().unwrap_or_default(),
            m.status.as_str().to_string(),
            products(r).join("; "),
        ]);
    }
    out.raw(&format!("{table}\n{} of {total}\n", page.rows.len()))
}

fn size(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "unknown".into(),
        |b| format!("{:.1} MB", b as f64 / 1_000_000.0),
    )
}

/// `memberkit stats`.
pub(crate) fn print_stats(out: &Output, stats: &HubStats) -> Result<()> {
    if out.json {
        let by = |list: Vec<(&str, usize)>| -> Value {
            Value::Object(
                list.into_iter()
                    .map(|(k, n)| (k.to_string(), json!(n)))
                    .collect(),
            )
        };
        let members = by(stats
            .members
            .iter()
            .map(|(s, n)| (s.as_str(), *n))
            .collect());
        let invites = by(stats
            .invites
            .iter()
            .map(|(s, n)| (s.as_str(), *n))
            .collect());
        return out.raw(&format!(
            "{}\n",
            json!({"tenants": stats.tenants, "members": members, "open_grants": stats.open_grants,
                   "invites": invites, "outbox_pending": stats.outbox_pending,
                   "size_bytes": stats.size_bytes})
        ));
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["", "count"]);
    table.add_row(["tenants".to_string(), stats.tenants.to_string()]);
    for (s, n) in &stats.members {
        table.add_row([format!("members {s}"), n.to_string()]);
    }
    table.add_row(["open grants".to_string(), stats.open_grants.to_string()]);
    for (s, n) in &stats.invites {
        table.add_row([format!("invites {s}"), n.to_string()]);
    }
    table.add_row([
        "outbox backlog".to_string(),
        stats.outbox_pending.to_string(),
    ]);
    table.add_row(["database size".to_string(), size(stats.size_bytes)]);
    out.raw(&format!("{table}\n"))
}

/// `memberkit migrate` and `doctor`: the schema, what opening applied, and (with `checks`)
/// the size and the problems found.
pub(crate) fn print_report(out: &Output, report: &StoreReport, checks: bool) -> Result<()> {
    if out.json {
        return out.raw(&format!(
            "{}\n",
            json!({"engine": report.engine, "schema_version": report.schema_version,
                   "latest_schema_version": report.latest_schema_version,
                   "migrated_now": report.migrated_at_open, "size_bytes": report.size_bytes,
                   "problems": report.problems})
        ));
    }
    let version = |v: Option<i64>| v.map_or_else(|| "unknown".into(), |v| v.to_string());
    let mut text = format!(
        "{}: schema version {} of {}; ",
        report.engine,
        version(report.schema_version),
        version(report.latest_schema_version)
    );
    text.push_str(&match report.migrated_at_open.as_slice() {
        [] => "no migration was pending".to_string(),
        applied => format!(
            "applied now: {}",
            applied
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    text.push('\n');
    if checks {
        text.push_str(&format!("size: {}\n", size(report.size_bytes)));
        match report.problems.as_slice() {
            [] => text.push_str("problems: none\n"),
            found => {
                for p in found {
                    text.push_str(&format!("problem: {p}\n"));
                }
            }
        }
    }
    out.raw(&text)
}
