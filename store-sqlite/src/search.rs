//! The customer list's SQL: the per-tenant trigram search text and the WHERE clause built
//! from a `CustomerFilter`.

use crate::rows::*;
use crate::sql_err;
use memberkit::store::CustomerFilter;
use memberkit::*;
use rusqlite::{params, Connection};
use uuid::Uuid;

/// Three private-use characters derived from the tenant id: one trigram that only this
/// tenant's search texts contain (a collision would only cost speed: the tenant is filtered too).
pub(crate) fn tenant_marker(tenant: TenantId) -> String {
    let b = tenant.u().into_bytes();
    [(b[10], b[11]), (b[12], b[13]), (b[14], b[15])]
        .iter()
        .map(|&(hi, lo)| {
            let n = u32::from(u16::from_be_bytes([hi, lo])) % 6400;
            char::from_u32(0xE000 + n).unwrap_or('\u{E000}')
        })
        .collect()
}

/// The `search_text` (tenant marker + folded name and email) and `sort_name` columns of a member.
pub(crate) fn search_columns(
    tenant: TenantId,
    name: Option<&str>,
    email_key: &str,
) -> (String, String) {
    let (text, sort_name) = normalize::search_forms(name, email_key);
    (format!("{} {text}", tenant_marker(tenant)), sort_name)
}

/// An FTS5 query for `term` within one tenant: the tenant's marker AND the term as a phrase.
pub(crate) fn tenant_phrase(tenant: TenantId, term: &str) -> String {
    format!(
        "\"{}\" AND \"{}\"",
        tenant_marker(tenant),
        term.replace('"', "\"\"")
    )
}

/// The WHERE clause of a customer-list query and its arguments, built up one filter at a time.
pub(crate) struct CustomerSql {
    pub(crate) conditions: Vec<String>,
    pub(crate) args: Vec<Box<dyn rusqlite::ToSql>>,
}

impl CustomerSql {
    /// `search_here`: put the search term in the WHERE clause (false when the caller drives
    /// the query from the trigram index instead).
    pub(crate) fn new(tenant: TenantId, f: &CustomerFilter, search_here: bool) -> Self {
        let mut q = Self {
            conditions: Vec::new(),
            args: Vec::new(),
        };
        let t = q.arg(tenant.u());
        q.and(format!("m.tenant_id = {t}"));
        if let Some(status) = f.status {
            let s = q.arg(status.as_str());
            q.and(format!("m.status = {s}"));
        }
        if f.active_only {
            q.and("m.status = 'active'".into());
        }
        if let Some(text) = f.search.as_ref().filter(|_| search_here) {
            if text.chars().count() >= 3 {
                // The trigram index finds substrings of three or more characters.
                let phrase = q.arg(tenant_phrase(tenant, text));
                q.and(format!(
                    "m.seq IN (SELECT rowid FROM members_fts WHERE members_fts MATCH {phrase})"
                ));
            } else {
                let needle = q.arg(text.clone());
                q.and(format!("instr(m.search_text, {needle}) > 0"));
            }
        }
        let now = ts(f.now);
        if let Some(product) = f.paid_product {
            let p = q.arg(product.u());
            let n = q.arg(now);
            q.and(format!(
                "EXISTS (SELECT 1 FROM grants g WHERE g.tenant_id = m.tenant_id
                   AND g.member_id = m.id AND g.revoked_at IS NULL
                   AND (g.product_id = {p} OR g.product_id IN (SELECT b.bundle_id
                        FROM bundle_items b WHERE b.tenant_id = m.tenant_id AND b.product_id = {p}))
                   AND (g.expires_at IS NULL OR g.expires_at > {n})
                   AND (g.starts_at IS NULL OR g.starts_at <= {n}))"
            ));
        }
        if f.no_access {
            let n = q.arg(now);
            q.and(format!(
                "NOT EXISTS (SELECT 1 FROM grants g JOIN products p
                   ON p.tenant_id = g.tenant_id AND p.id = g.product_id
                   WHERE g.tenant_id = m.tenant_id AND g.member_id = m.id
                   AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > {n})
                   AND (g.starts_at IS NULL OR g.starts_at <= {n})
                   AND p.paid = 1)"
            ));
        }
        if let Some(ws) = f.workspace {
            let w = q.arg(scope_key(Some(ws)));
            q.and(format!(
                "EXISTS (SELECT 1 FROM role_assignments r WHERE r.tenant_id = m.tenant_id
                   AND r.member_id = m.id AND r.workspace_id = {w})"
            ));
        }
        q
    }

    /// Adds an argument and returns its placeholder.
    pub(crate) fn arg(&mut self, value: impl rusqlite::ToSql + 'static) -> String {
        self.args.push(Box::new(value));
        format!("?{}", self.args.len())
    }

    pub(crate) fn and(&mut self, condition: String) {
        self.conditions.push(condition);
    }
}

/// Fills the search columns of rows written before migration 3.
pub(crate) fn backfill_search_text(conn: &Connection) -> Result<()> {
    type Row = (i64, Uuid, Option<String>, String);
    let rows: Vec<Row> = {
        let mut stmt = conn
            .prepare("SELECT seq, tenant_id, name, email_key FROM members")
            .map_err(sql_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(sql_err)?;
        rows.collect::<rusqlite::Result<_>>().map_err(sql_err)?
    };
    let mut update = conn
        .prepare("UPDATE members SET search_text = ?2, sort_name = ?3 WHERE seq = ?1")
        .map_err(sql_err)?;
    for (seq, tenant, name, key) in rows {
        let (text, sort_name) = search_columns(TenantId::from_uuid(tenant), name.as_deref(), &key);
        update
            .execute(params![seq, text, sort_name])
            .map_err(sql_err)?;
    }
    conn.execute(
        "INSERT INTO members_fts (rowid, search_text) SELECT seq, search_text FROM members",
        [],
    )
    .map_err(sql_err)?;
    Ok(())
}
