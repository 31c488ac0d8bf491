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
