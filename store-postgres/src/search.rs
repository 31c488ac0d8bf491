//! The customer list's SQL: the WHERE clause built from a
//! `CustomerFilter`, with `pg_trgm` finding substrings.

use crate::rows::*;
use memberkit::store::CustomerFilter;
use memberkit::*;
use postgres::types::{ToSql, Type};
use time::OffsetDateTime;
use uuid::Uuid;

/// A query argument and its PostgreSQL type (the query is sent with its types, in one round
/// trip: [`crate::transaction::PgTx::rows_planned_now`]).
pub(crate) type Arg = (Box<dyn ToSql + Sync + Send>, Type);

/// A Rust value's PostgreSQL type, for the arguments of a customer-list query.
pub(crate) trait PgType {
    /// The type the value is sent as.
    const TYPE: Type;
}

impl PgType for Uuid {
    const TYPE: Type = Type::UUID;
}

impl PgType for String {
    const TYPE: Type = Type::TEXT;
}

impl PgType for i64 {
    const TYPE: Type = Type::INT8;
}

impl PgType for OffsetDateTime {
    const TYPE: Type = Type::TIMESTAMPTZ;
}

/// A LIKE pattern matching `term` anywhere, with LIKE's wildcards in it taken literally. The
/// trigram index (`gin_trgm_ops`) serves it; LIKE's recheck keeps the match exact, so the rows
/// are those SQLite's trigram index finds.
pub(crate) fn contains_pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The WHERE clause of a customer-list query and its arguments, built up one filter at a time.
/// Every table in it is filtered by the tenant argument itself (not by a correlation with
/// `m.tenant_id`): Citus then routes the whole query to the tenant's shard.
pub(crate) struct CustomerSql {
    pub(crate) conditions: Vec<String>,
    pub(crate) args: Vec<Arg>,
}

impl CustomerSql {
    pub(crate) fn new(tenant: TenantId, f: &CustomerFilter) -> Self {
        let mut q = Self {
            conditions: Vec::new(),
            args: Vec::new(),
        };
        let t = q.arg(tenant.u());
        q.and(format!("m.tenant_id = {t}"));
        if let Some(status) = f.status {
            let s = q.arg(status.as_str().to_owned());
            q.and(format!("m.status = {s}"));
        }
        if f.active_only {
            q.and("m.status = 'active'".into());
        }
        if let Some(text) = &f.search {
            let pattern = q.arg(contains_pattern(text));
            q.and(format!("m.search_text LIKE {pattern}"));
        }
        if let Some(product) = f.paid_product {
            let p = q.arg(product.u());
            let n = q.arg(f.now);
            q.and(format!(
                "EXISTS (SELECT 1 FROM grants g WHERE g.tenant_id = {t}
                   AND g.member_id = m.id AND g.revoked_at IS NULL
                   AND (g.product_id = {p} OR g.product_id IN (SELECT b.bundle_id
                        FROM bundle_items b WHERE b.tenant_id = {t} AND b.product_id = {p}))
                   AND (g.expires_at IS NULL OR g.expires_at > {n})
                   AND (g.starts_at IS NULL OR g.starts_at <= {n}))"
            ));
        }
        if f.no_access {
            let n = q.arg(f.now);
            q.and(format!(
                "NOT EXISTS (SELECT 1 FROM grants g JOIN products p
                   ON p.tenant_id = {t} AND p.id = g.product_id
                   WHERE g.tenant_id = {t} AND g.member_id = m.id
                   AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > {n})
                   AND (g.starts_at IS NULL OR g.starts_at <= {n})
                   AND p.paid)"
            ));
        }
        if let Some(ws) = f.workspace {
            let w = q.arg(scope_key(Some(ws)));
            q.and(format!(
                "EXISTS (SELECT 1 FROM role_assignments r WHERE r.tenant_id = {t}
                   AND r.member_id = m.id AND r.workspace_id = {w})"
            ));
        }
        q
    }

    /// Adds an argument and returns its placeholder.
    pub(crate) fn arg<T: ToSql + PgType + Sync + Send + 'static>(&mut self, value: T) -> String {
        self.args.push((Box::new(value), T::TYPE));
        format!("${}", self.args.len())
    }

    pub(crate) fn and(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    pub(crate) fn params(&self) -> Vec<(&(dyn ToSql + Sync), Type)> {
        self.args
            .iter()
            .map(|(value, ty)| (value.as_ref() as &(dyn ToSql + Sync), ty.clone()))
            .collect()
    }
}
