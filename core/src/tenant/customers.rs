//! The customer list: search, filters, keyset pagination, count, and CSV export.

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::normalize;
use crate::query::{CustomerQuery, CustomerSort, MAX_CUSTOMER_PAGE};
use crate::store::{CustomerFilter, Tx};
use crate::tenant::Tenant;
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A product on a customer row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductRef {
    /// Its id.
    pub id: ProductId,
    /// Its name.
    pub name: String,
    /// The bundle it comes through, when the member holds no grant to it directly (as
    /// [`ProductAccess::via`](crate::ProductAccess) in `access()`).
    pub via: Option<ProductId>,
}

/// One row of the customer list: the member and the paid products they can use now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    /// The member.
    pub member: Member,
    /// Paid products they can use now, oldest product first: those with an active grant, and
    /// those that a bundle with an active grant includes (`via` names the bundle), the same
    /// set `access()`, the product filter and the count see.
    pub products: Vec<ProductRef>,
}

/// One page of the customer list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPage {
    /// The rows.
    pub rows: Vec<CustomerRow>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl Tenant {
    /// One page of customers (every member of the tenant) matching `query`, each with the paid
    /// products they can use now, so a list page needs one call.
    ///
    /// Cursors are keyset positions: rows inserted while paging never shift or repeat rows.
    /// Errors: `invalid_input` (limit, malformed cursor or one from another sort),
    /// `not_found` (product or workspace).
    pub fn customers(&self, query: &CustomerQuery) -> Result<CustomerPage> {
        if !(1..=MAX_CUSTOMER_PAGE).contains(&query.limit) {
            return Err(Error::invalid(
                "limit",
                format!("must be 1 to {MAX_CUSTOMER_PAGE}"),
            ));
        }
        self.read(|tx, now| {
            let Some(mut filter) = self.filter(tx, query, now)? else {
                return Ok(CustomerPage {
                    rows: Vec::new(),
                    next_cursor: None,
                });
            };
            filter.limit = query.limit + 1;
            let mut found = tx.customers(self.id(), &filter)?;
            let more = found.len() > query.limit;
            found.truncate(query.limit);
            let next_cursor = match found.last() {
                Some((_, position)) if more => Some(encode_cursor(query.sort, position)),
                _ => None,
            };
            let members = found.into_iter().map(|(m, _)| m).collect();
            let rows = with_products(tx, self.id(), members, now)?;
            Ok(CustomerPage { rows, next_cursor })
        })
    }

    /// How many customers match `query` (its cursor and limit are ignored).
    pub fn count_customers(&self, query: &CustomerQuery) -> Result<usize> {
        self.read(|tx, now| match self.filter(tx, query, now)? {
            Some(filter) => tx.count_customers(self.id(), &filter),
            None => Ok(0),
        })
    }

    /// Every customer matching `query` (from the start; cursor and limit ignored) as CSV:
    /// `name,email,external_id,status,products,created_at,metadata` (products as the row's
    /// names joined with `; `, one that comes through a bundle as `Name (via Bundle)`;
    /// metadata as compact JSON, empty when there is none). Quoted per RFC 4180; a cell that
    /// starts with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so spreadsheets do not run
    /// it as a formula (import strips it again, so an export re-imports unchanged).
    pub fn export_customers(&self, query: &CustomerQuery) -> Result<String> {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let header = [
            "name",
            "email",
            "external_id",
            "status",
            "products",
            "created_at",
            "metadata",
        ];
        out.write_record(header).map_err(Error::storage)?;
        let mut page_query = CustomerQuery {
            cursor: None,
            limit: MAX_CUSTOMER_PAGE,
            ..query.clone()
        };
        loop {
            let page = self.customers(&page_query)?;
            for row in &page.rows {
                let m = &row.member;
                let products: Vec<String> = row
                    .products
                    .iter()
                    .map(|p| export_name(p, &row.products))
                    .collect();
                let created = m.created_at.format(&Rfc3339).unwrap_or_default();
                let metadata = match m.metadata.is_empty() {
                    true => String::new(),
                    false => serde_json::to_string(&m.metadata).map_err(Error::storage)?,
                };
                let cells = [
                    m.name.as_deref().unwrap_or(""),
                    &m.email,
                    m.external_id.as_deref().unwrap_or(""),
                    m.status.as_str(),
                    &products.join("; "),
                    &created,
                    &metadata,
                ];
                out.write_record(cells.iter().map(|c| neutralize(c).into_owned()))
                    .map_err(Error::storage)?;
            }
            match page.next_cursor {
                Some(c) => page_query.cursor = Some(c),
                None => break,
            }
        }
        let bytes = out
            .into_inner()
            .map_err(|e| Error::storage(e.into_error()))?;
        String::from_utf8(bytes).map_err(Error::storage)
    }

    /// The store's filter for `q`; `None` when nobody can match (an archived free product).
    fn filter(
        &self,
        tx: &dyn Tx,
        q: &CustomerQuery,
        now: OffsetDateTime,
    ) -> Result<Option<CustomerFilter>> {
        // "Can use this product now" means what has_access answers: only active members, with
        // an active grant to a paid product; a free product is everyone's until archived.
        let (paid_product, active_only) = match q.product {
            Some(id) => {
                let p = tx
                    .product(self.id(), id)?
                    .ok_or_else(|| Error::not_found("product", id))?;
                match (p.paid, p.archived) {
                    (true, _) => (Some(id), true),
                    (false, false) => (None, true),
                    (false, true) => return Ok(None),
                }
            }
            None => (None, false),
        };
        if let Some(ws) = q.workspace {
            tx.workspace(self.id(), ws)?
                .ok_or_else(|| Error::not_found("workspace", ws))?;
        }
        let search = q
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                // Bounded: a substring search over a megabyte of text costs seconds per call.
                if s.chars().count() > normalize::MAX_SEARCH_CHARS {
                    return Err(Error::invalid(
                        "search",
                        format!("must be at most {} characters", normalize::MAX_SEARCH_CHARS),
                    ));
                }
                // No name or email holds a control character, and a NUL cut the SQLite
                // full-text query short (found by fuzzing): refuse them; tabs and line breaks
                // pasted into a search box are spaces.
                if s.chars().any(|c| c.is_control() && !c.is_whitespace()) {
                    return Err(Error::invalid(
                        "search",
                        "must not contain control characters",
                    ));
                }
                let s: String = s
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                Ok(normalize::fold(&s))
            })
            .transpose()?;
        let after = q
            .cursor
            .as_deref()
            .map(|c| decode_cursor(q.sort, c))
            .transpose()?;
        Ok(Some(CustomerFilter {
            search,
            status: q.status,
            paid_product,
            active_only,
            no_access: q.no_access,
            workspace: q.workspace,
            sort: q.sort,
            after,
            limit: q.limit,
            now,
        }))
    }
}

/// A product's name in the export's `products` cell.
fn export_name(product: &ProductRef, row: &[ProductRef]) -> String {
    let bundle = product.via.and_then(|via| row.iter().find(|p| p.id == via));
    match bundle {
        Some(bundle) => format!("{} (via {})", product.name, bundle.name),
        None => product.name.clone(),
    }
}

/// Each member with the paid products they can use now: their active grants, plus what the
/// bundles among those include (the inclusions are read only when the tenant has bundles).
fn with_products(
    tx: &dyn Tx,
    tenant: TenantId,
    members: Vec<Member>,
    now: OffsetDateTime,
) -> Result<Vec<CustomerRow>> {
    let ids: Vec<MemberId> = members.iter().map(|m| m.id).collect();
    let mut by_member: HashMap<MemberId, Vec<ProductRef>> = HashMap::new();
    for (member, id, name) in tx.active_products(tenant, &ids, now)? {
        by_member.entry(member).or_default().push(ProductRef {
            id,
            name,
            via: None,
        });
    }
    let inclusions = match by_member.is_empty() {
        true => Vec::new(),
        false => tx.bundle_items(tenant)?,
    };
    if !inclusions.is_empty() {
        let paid: HashMap<ProductId, String> = tx
            .products(tenant)?
            .into_iter()
            .filter(|p| p.paid)
            .map(|p| (p.id, p.name))
            .collect();
        for held in by_member.values_mut() {
            add_bundled(held, &inclusions, &paid);
        }
    }
    Ok(members
        .into_iter()
        .map(|member| {
            let products = by_member.remove(&member.id).unwrap_or_default();
            CustomerRow { member, products }
        })
        .collect())
}

/// Adds to a member's directly held products the paid ones their bundles include, each once,
/// through the first bundle (by id) that includes it; keeps the list oldest product first.
fn add_bundled(
    held: &mut Vec<ProductRef>,
    inclusions: &[(ProductId, ProductId, bool)],
    paid: &HashMap<ProductId, String>,
) {
    let mut bundles: Vec<ProductId> = held.iter().map(|p| p.id).collect();
    bundles.sort();
    for bundle in bundles {
        for (_, item, _) in inclusions.iter().filter(|(b, _, _)| *b == bundle) {
            if held.iter().any(|p| p.id == *item) {
                continue;
            }
            if let Some(name) = paid.get(item) {
                held.push(ProductRef {
                    id: *item,
                    name: name.clone(),
                    via: Some(bundle),
                });
            }
        }
    }
    held.sort_by_key(|p| p.id);
}

/// Cursors are opaque to callers: hex of `sort \n position`, the store's keyset position of the
/// last row (so a cursor from one sort cannot be used with another).
fn encode_cursor(sort: CustomerSort, position: &str) -> String {
    let plain = format!("{}\n{position}", sort.as_str());
    plain.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(sort: CustomerSort, cursor: &str) -> Result<String> {
    let bad = || Error::invalid("cursor", "is not a cursor from this customer query");
    if cursor.len() % 2 != 0 || cursor.len() > 4096 {
        return Err(bad());
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(cursor.get(i..i + 2).ok_or_else(bad)?, 16).map_err(|_| bad()))
        .collect::<Result<Vec<u8>>>()?;
    let plain = String::from_utf8(bytes).map_err(|_| bad())?;
    match plain.split_once('\n') {
        // A position holds a name key, an email key or a number, and the name cursor's
        // separator: any other control character is forged (PostgreSQL text cannot hold NUL).
        Some((s, position))
            if s == sort.as_str() && !position.chars().any(|c| c.is_control() && c != '\u{1f}') =>
        {
            Ok(position.to_owned())
        }
        _ => Err(bad()),
    }
}

/// Cells a spreadsheet would evaluate get a leading apostrophe.
pub(crate) fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    // A cell that already starts with quotes before a trigger gets one more, so that
    // `unneutralize` can tell it from a neutralised one and an export always imports back
    // to the same text (`'=1` exports as `''=1`).
    if starts_formula(cell.trim_start_matches('\'')) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn starts_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The inverse of [`neutralize`], applied to imported cells.
pub(crate) fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_formula(rest.trim_start_matches('\'')) => rest,
        _ => cell,
    }
}
