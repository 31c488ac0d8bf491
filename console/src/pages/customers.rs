//! Customers: the list (search, filters, pages, the count), "Add customer", and one customer's
//! access rights (add access with an optional start and end; remove, after a confirmation).

use super::{Confirm, Page};
use crate::http::Response;
use crate::render::{date, escape_into};
use memberkit::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;
use time::macros::format_description;
use time::PrimitiveDateTime;

/// A member id from a URL; a malformed one is simply not found.
fn member_id(id: &str) -> Result<MemberId> {
    id.parse().map_err(|_| Error::NotFound {
        entity: "member",
        key: id.to_owned(),
    })
}

/// A product id from a form or query; a malformed one is simply not found.
pub(super) fn product_id(id: &str) -> Result<ProductId> {
    id.parse().map_err(|_| Error::NotFound {
        entity: "product",
        key: id.to_owned(),
    })
}

/// Whether the acting member may manage customers: which actions a page offers. The core
/// checks again when one is taken.
fn manages_customers(page: &Page<'_>) -> Result<bool> {
    match page.who.actor {
        Actor::System => Ok(true),
        Actor::Member(id) => page.tenant.can(id, &Permission::CUSTOMERS_MANAGE, None),
    }
}

/// The products a grant picker offers: paid and not archived, grouped by kind.
pub(super) fn grantable(products: &[Product]) -> Vec<Value> {
    let mut kinds: Vec<(String, Vec<Value>)> = Vec::new();
    for p in products.iter().filter(|p| p.is_grantable()) {
        let kind = p.kind.to_string().replace('_', " ");
        let item = json!({ "id": p.id.to_string(), "name": p.name });
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, items)) => items.push(item),
            None => kinds.push((kind, vec![item])),
        }
    }
    kinds
        .into_iter()
        .map(|(kind, items)| json!({ "kind": kind, "products": items }))
        .collect()
}

pub(super) fn list(page: &Page<'_>) -> Result<Response> {
    let q = page.request.query_map();
    let field = |name: &str| q.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let query = CustomerQuery {
        search: field("q").map(str::to_owned),
        status: field("status").map(str::parse).transpose()?,
        product: field("product").map(product_id).transpose()?,
        no_access: field("filter") == Some("no_access"),
        cursor: field("cursor").map(str::to_owned),
        ..Default::default()
    };
    let found = page.tenant.customers(&query)?;
    // One page from the start holds every match: its length is the count (no second query).
    let count = match (&found.next_cursor, &query.cursor) {
        (None, None) => found.rows.len(),
        _ => page.tenant.count_customers(&query)?,
    };
    let products = page.tenant.products()?;
    let names: HashMap<ProductId, Arc<str>> = products
        .iter()
        .map(|p| (p.id, Arc::from(p.name.as_str())))
        .collect();
    let rows: Vec<minijinja::Value> = found
        .rows
        .into_iter()
        .map(|row| {
            let held = row
                .products
                .iter()
                .map(|p| {
                    let via = p.via.and_then(|v| names.get(&v).cloned());
                    minijinja::Value::from_object(HeldView {
                        name: p.name.as_str().into(),
                        via,
                    })
                })
                .collect();
            minijinja::Value::from_object(RowView {
                member: row.member,
                products: held,
            })
        })
        .collect();
    let next = found.next_cursor.map(|cursor| {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        for (k, v) in q.iter().filter(|(k, _)| k.as_str() != "cursor") {
            pairs.append_pair(k, v);
        }
        pairs.append_pair("cursor", &cursor);
        pairs.finish()
    });
    let can_manage = manages_customers(page)?;
    let filters: Vec<Value> = products
        .iter()
        .filter(|p| p.paid)
        .map(|p| json!({ "id": p.id.to_string(), "name": p.name }))
        .collect();
    Ok(page.render_with(
        200,
        "customers.html",
        json!({
            "count": count, "next": next, "products": filters,
            "q": field("q"), "filter": field("filter"), "product": field("product"),
            "status": field("status"), "statuses": MemberStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "can_manage": can_manage,
        }),
        minijinja::context! {
            rows_html => minijinja::Value::from_safe_string(table_rows(
                &rows, &page.request.mount, can_manage,
            )),
            rows => minijinja::Value::from(rows),
        },
    ))
}

/// The table's rows as HTML, written here rather than by the template: a template spends
/// about 2 µs a row, which made the first page take twice as long as the query behind it. A
/// replaced `customers.html` may loop over `rows` instead.
fn table_rows(rows: &[minijinja::Value], mount: &str, can_manage: bool) -> String {
    let mut out = String::with_capacity(rows.len() * 400);
    let mut link = String::with_capacity(mount.len() + 60);
    for row in rows {
        let Some(row) = row.downcast_object_ref::<RowView>() else {
            continue;
        };
        let m = &row.member;
        link.clear();
        escape_into(&mut link, mount);
        link.push_str("&#x2f;customers&#x2f;");
        link.push_str(&m.id.to_string());
        let _ = write!(out, "<tr>\n<td><a href=\"{link}\">");
        match &m.name {
            Some(name) => escape_into(&mut out, name),
            None => out.push('—'),
        }
        out.push_str("</a></td>\n<td>");
        escape_into(&mut out, &m.email);
        let status = m.status.as_str();
        let _ = write!(
            out,
            "</td>\n<td><span class=\"mk-status mk-{status}\">{status}</span></td>\n<td>"
        );
        for held in &row.products {
            let Some(held) = held.downcast_object_ref::<HeldView>() else {
                continue;
            };
            out.push_str("<span class=\"mk-chip\">");
            escape_into(&mut out, &held.name);
            if let Some(via) = &held.via {
                out.push_str(" <small>via ");
                escape_into(&mut out, via);
                out.push_str("</small>");
            }
            out.push_str("</span> ");
        }
        if row.products.is_empty() {
            out.push_str("<span class=\"mk-muted\">No access</span>");
        }
        out.push_str("</td>\n<td>");
        if can_manage {
            let _ = write!(out, "<a href=\"{link}\">Edit access rights</a>");
        }
        out.push_str("</td>\n</tr>\n");
    }
    out
}

/// A customer-list row as the template reads it, field by field.
#[derive(Debug)]
struct RowView {
    member: Member,
    products: Vec<minijinja::Value>,
}

impl minijinja::value::Object for RowView {
    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        let m = &self.member;
        Some(match key.as_str()? {
            "id" => m.id.to_string().into(),
            "name" => m.name.as_deref().into(),
            "email" => m.email.as_str().into(),
            "status" => m.status.as_str().into(),
            "products" => self.products.clone().into(),
            _ => return None,
        })
    }
}

/// A product on a row: its name, and the bundle it comes through.
#[derive(Debug)]
struct HeldView {
    name: Arc<str>,
    via: Option<Arc<str>>,
}

impl minijinja::value::Object for HeldView {
    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        Some(match key.as_str()? {
            "name" => self.name.clone().into(),
            "via" => self.via.clone().into(),
            _ => return None,
        })
    }
}

/// "Add customer", empty or with what was entered and why it was refused.
pub(super) fn new_form(page: &Page<'_>, refused: Option<(&Error, Value)>) -> Result<Response> {
    let products = page.tenant.products()?;
    let (status, error, entered) = match refused {
        Some((e, entered)) => (crate::render::status_of(e), Some(e.to_string()), entered),
        // The box starts as the core's default for `notify`.
        None => (200, None, json!({ "notify": NewCustomer::new("").notify })),
    };
    Ok(page.render(
        status,
        "customer_new.html",
        json!({ "groups": grantable(&products), "error": error, "entered": entered }),
    ))
}

pub(super) fn add(page: &Page<'_>) -> Result<Response> {
    let form = page.request.form_fields();
    let email = form.get("email").unwrap_or("");
    let chosen = form.all("product");
    let entered = json!({
        "name": form.get("name"), "email": email, "products": chosen,
        "notify": form.checked("notify"),
    });
    let attempt = || -> Result<AddedCustomer> {
        let mut new = NewCustomer::new(email);
        new.name = form.get("name").map(str::to_owned);
        new.notify = form.checked("notify");
        for id in &chosen {
            new = new.product(product_id(id)?);
        }
        page.tenant.add_customer(page.who.actor, new)
    };
    match attempt() {
        Ok(added) => {
            let id = added.member.id;
            let message = format!("{} was added.", added.member.email);
            Ok(page.done(&format!("/customers/{id}"), &message))
        }
        Err(e) if matches!(crate::render::status_of(&e), 400 | 409) => {
            new_form(page, Some((&e, entered)))
        }
        Err(e) => Err(e),
    }
}

/// One customer's access rights, optionally with why an action was refused.
fn access_page(page: &Page<'_>, id: MemberId, refused: Option<&Error>) -> Result<Response> {
    let member = page.tenant.member(id)?;
    let products = page.tenant.products()?;
    let names: HashMap<ProductId, &str> =
        products.iter().map(|p| (p.id, p.name.as_str())).collect();
    let access: Vec<Value> = page
        .tenant
        .access(id)?
        .into_iter()
        .filter(|a| a.product.paid)
        .map(|a| {
            let grant = a.grant.as_ref();
            json!({
                "product_id": a.product.id.to_string(), "name": a.product.name,
                "via": a.via.and_then(|v| names.get(&v).copied()),
                "since": grant.map(|g| date(g.starts_at.unwrap_or(g.granted_at))),
                "until": grant.and_then(|g| g.expires_at).map(date),
            })
        })
        .collect();
    let status = refused.map_or(200, crate::render::status_of);
    Ok(page.render(
        status,
        "access.html",
        json!({
            "member": { "id": id.to_string(), "name": member.name, "email": member.email,
                        "status": member.status.as_str() },
            "access": access, "groups": grantable(&products),
            "error": refused.map(|e| e.to_string()),
            "can_manage": manages_customers(page)?,
            "may_manage": page.tenant.may_manage(page.who.actor, id)?,
        }),
    ))
}

pub(super) fn access(page: &Page<'_>, id: &str) -> Result<Response> {
    access_page(page, member_id(id)?, None)
}

/// A `datetime-local` field's value, read as UTC.
pub(super) fn instant(
    field: Option<&str>,
    name: &'static str,
) -> Result<Option<time::OffsetDateTime>> {
    let Some(text) = field else {
        return Ok(None);
    };
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    PrimitiveDateTime::parse(text, format)
        .map(|t| Some(t.assume_utc()))
        .map_err(|_| Error::invalid(name, format!("`{text}` is not a date and time")))
}

pub(super) fn grant(page: &Page<'_>, id: &str) -> Result<Response> {
    let member = member_id(id)?;
    let form = page.request.form_fields();
    let attempt = || -> Result<Grant> {
        let product = product_id(form.get("product").unwrap_or(""))?;
        let options = GrantOptions {
            starts_at: instant(form.get("starts_at"), "starts_at")?,
            expires_at: instant(form.get("expires_at"), "expires_at")?,
            ..Default::default()
        };
        page.tenant.grant(page.who.actor, member, product, options)
    };
    match attempt() {
        Ok(_) => Ok(page.done(&format!("/customers/{member}"), "Access added.")),
        Err(e) if matches!(crate::render::status_of(&e), 400 | 409) => {
            access_page(page, member, Some(&e))
        }
        Err(e) => Err(e),
    }
}

/// "Remove from this product?": nothing changes until the form on this page is sent.
pub(super) fn confirm_revoke(page: &Page<'_>, id: &str) -> Result<Response> {
    let member = page.tenant.member(member_id(id)?)?;
    let q = page.request.query_map();
    let product_id = product_id(q.get("product").map_or("", |p| p.as_str()))?;
    let product = page
        .tenant
        .products()?
        .into_iter()
        .find(|p| p.id == product_id)
        .ok_or_else(|| Error::NotFound {
            entity: "product",
            key: product_id.to_string(),
        })?;
    Ok(page.confirm(Confirm {
        question: format!("Remove {} from {}?", member.email, product.name),
        detail: "They lose access at once. Access that comes through a bundle stays.",
        action: format!("/customers/{}/revoke", member.id),
        field: Some(("product", product.id.to_string())),
        button: "Remove",
        back: format!("/customers/{}", member.id),
    }))
}

pub(super) fn revoke(page: &Page<'_>, id: &str) -> Result<Response> {
    let member = member_id(id)?;
    let form = page.request.form_fields();
    let product = product_id(form.get("product").unwrap_or(""))?;
    page.tenant.revoke(page.who.actor, member, product)?;
    Ok(page.done(&format!("/customers/{member}"), "Access removed."))
}
