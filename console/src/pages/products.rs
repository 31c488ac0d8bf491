//! Products and bundles: the list, "Add New Product", archive (after a confirmation), and what
//! a bundle includes (add an item; remove one after a confirmation).

use super::{Confirm, Page};
use crate::http::Response;
use memberkit::*;
use serde_json::{json, Value};

/// The product a URL names; another tenant's, or a malformed id, is not found.
fn product(page: &Page<'_>, id: &str) -> Result<Product> {
    let id = super::customers::product_id(id)?;
    page.tenant
        .products()?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| Error::NotFound {
            entity: "product",
            key: id.to_string(),
        })
}

fn list_page(page: &Page<'_>, refused: Option<(&Error, Value)>) -> Result<Response> {
    let products = page.tenant.products()?;
    let mut rows = Vec::new();
    for p in &products {
        let items: Vec<Value> = match p.paid {
            true => page
                .tenant
                .bundle_items(p.id)?
                .into_iter()
                .map(|i| json!({ "id": i.id.to_string(), "name": i.name }))
                .collect(),
            false => Vec::new(),
        };
        let addable: Vec<Value> = products
            .iter()
            .filter(|o| {
                o.id != p.id && !o.archived && !items.iter().any(|i| i["id"] == o.id.to_string())
            })
            .map(|o| json!({ "id": o.id.to_string(), "name": o.name }))
            .collect();
        rows.push(json!({
            "id": p.id.to_string(), "name": p.name, "kind": p.kind.as_str(),
            "paid": p.paid, "archived": p.archived, "items": items, "addable": addable,
        }));
    }
    let kinds: Vec<&str> = ProductKind::BUILT_IN.iter().map(|k| k.as_str()).collect();
    let defaults = NewProduct::paid("", ProductKind::Course);
    let (status, error, entered) = match refused {
        Some((e, entered)) => (crate::render::status_of(e), Some(e.to_string()), entered),
        None => (200, None, json!({ "paid": defaults.paid })),
    };
    Ok(page.render(
        status,
        "products.html",
        json!({ "rows": rows, "kinds": kinds, "error": error, "entered": entered }),
    ))
}

pub(super) fn list(page: &Page<'_>) -> Result<Response> {
    list_page(page, None)
}

pub(super) fn create(page: &Page<'_>) -> Result<Response> {
    let form = page.request.form_fields();
    let kind = form.get("custom_kind").or(form.get("kind")).unwrap_or("");
    let entered = json!({
        "name": form.get("name"), "kind": form.get("kind"),
        "custom_kind": form.get("custom_kind"), "paid": form.checked("paid"),
    });
    let attempt = || -> Result<Product> {
        let mut new = NewProduct::paid(form.get("name").unwrap_or(""), kind.parse()?);
        new.paid = form.checked("paid");
        page.tenant.create_product(page.who.actor, new)
    };
    match attempt() {
        Ok(p) => Ok(page.done("/products", &format!("{} was added.", p.name))),
        Err(e) if matches!(crate::render::status_of(&e), 400 | 409) => {
            list_page(page, Some((&e, entered)))
        }
        Err(e) => Err(e),
    }
}

pub(super) fn confirm_archive(page: &Page<'_>, id: &str) -> Result<Response> {
    let p = product(page, id)?;
    Ok(page.confirm(Confirm {
        question: format!("Archive {}?", p.name),
        detail: "It can no longer be granted or offered. Those who hold it keep their access.",
        action: format!("/products/{}/archive", p.id),
        field: None,
        button: "Archive",
        back: "/products".into(),
    }))
}

pub(super) fn archive(page: &Page<'_>, id: &str) -> Result<Response> {
    let p = product(page, id)?;
    let archived = page.tenant.archive_product(page.who.actor, p.id)?;
    Ok(page.done("/products", &format!("{} was archived.", archived.name)))
}

pub(super) fn include(page: &Page<'_>, id: &str) -> Result<Response> {
    let bundle = product(page, id)?;
    let form = page.request.form_fields();
    let item = super::customers::product_id(form.get("product").unwrap_or(""))?;
    page.tenant
        .include_in_bundle(page.who.actor, bundle.id, item)?;
    Ok(page.done("/products", &format!("{} now includes it.", bundle.name)))
}

pub(super) fn confirm_remove(page: &Page<'_>, id: &str) -> Result<Response> {
    let bundle = product(page, id)?;
    let q = page.request.query_map();
    let item = product(page, q.get("product").map_or("", String::as_str))?;
    Ok(page.confirm(Confirm {
        question: format!("Remove {} from {}?", item.name, bundle.name),
        detail: "Everyone who has it only through this bundle loses it at once.",
        action: format!("/products/{}/remove", bundle.id),
        field: Some(("product", item.id.to_string())),
        button: "Remove",
        back: "/products".into(),
    }))
}

pub(super) fn remove(page: &Page<'_>, id: &str) -> Result<Response> {
    let bundle = product(page, id)?;
    let form = page.request.form_fields();
    let item = super::customers::product_id(form.get("product").unwrap_or(""))?;
    page.tenant
        .remove_from_bundle(page.who.actor, bundle.id, item)?;
    Ok(page.done("/products", &format!("Removed from {}.", bundle.name)))
}
