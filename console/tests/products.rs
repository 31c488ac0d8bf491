//! Products and bundles: the list, adding a product, archiving after a confirmation, what a
//! bundle includes, and every refusal with nothing changed.

mod common;

use common::*;
use memberkit::*;
use memberkit_console::Request;

#[test]
fn the_list_shows_products_and_what_bundles_include_escaped() {
    let s = site();
    s.tenant
        .create_product(Actor::System, NewProduct::paid(XSS, ProductKind::Course))
        .unwrap();
    let html = s.get("/admin", "/products", &s.admin).html();
    assert!(html.contains("Rust 101") && html.contains("All Access"));
    assert!(!html.contains("<img src=x") && html.contains("&lt;img src=x"));
    let remove = format!(
        "/admin/products/{}/remove?product={}",
        s.bundle.id, s.course.id
    );
    assert!(html.contains(&remove), "the bundle's item can be removed");
}

#[test]
fn add_archive_include_and_remove() {
    let s = site();
    let token = s.token("/admin", "/products", &s.admin);
    let form = s.get("/admin", "/products", &s.admin).html();
    assert!(
        form.contains("name=\"paid\" checked"),
        "paid by default, as the core's NewProduct"
    );
    let added = s.post(
        "/admin",
        "/products",
        &s.admin,
        &[("csrf", &token), ("name", "Lounge"), ("kind", "community")],
    );
    assert_eq!(added.status, 303, "{}", added.html());
    let lounge = s
        .tenant
        .products()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Lounge")
        .unwrap();
    assert!(!lounge.paid, "the box was unticked");
    assert_eq!(lounge.kind, ProductKind::Community);
    let custom = s.post(
        "/admin",
        "/products",
        &s.admin,
        &[
            ("csrf", &token),
            ("name", "Calls"),
            ("kind", "course"),
            ("custom_kind", "coaching"),
            ("paid", "on"),
        ],
    );
    assert_eq!(custom.status, 303);
    let calls = s
        .tenant
        .products()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Calls")
        .unwrap();
    assert_eq!(calls.kind.as_str(), "coaching");
    let bad = s.post(
        "/admin",
        "/products",
        &s.admin,
        &[("csrf", &token), ("name", " "), ("kind", "course")],
    );
    assert_eq!(bad.status, 400);
    // Include an item, then remove it after a confirmation that changes nothing.
    let (bundle, calls_id) = (s.bundle.id, calls.id.to_string());
    let included = s.post(
        "/admin",
        &format!("/products/{bundle}/include"),
        &s.admin,
        &[("csrf", &token), ("product", &calls_id)],
    );
    assert_eq!(included.status, 303, "{}", included.html());
    assert!(
        s.tenant.has_access(s.ada, calls.id).unwrap(),
        "the bundle's holder gets it at once"
    );
    let before = s.footprint();
    let confirm = s.get(
        "/admin",
        &format!("/products/{bundle}/remove?product={calls_id}"),
        &s.admin,
    );
    assert!(confirm.html().contains("Remove Calls from All Access?"));
    assert_eq!(s.footprint(), before);
    let removed = s.post(
        "/admin",
        &format!("/products/{bundle}/remove"),
        &s.admin,
        &[("csrf", &token), ("product", &calls_id)],
    );
    assert_eq!(removed.status, 303);
    assert!(!s.tenant.has_access(s.ada, calls.id).unwrap());
    // Archive after a confirmation.
    let path = format!("/products/{}/archive", s.course.id);
    assert!(s
        .get("/admin", &path, &s.admin)
        .html()
        .contains("Archive Rust 101?"));
    let archived = s.post("/admin", &path, &s.admin, &[("csrf", &token)]);
    assert_eq!(archived.status, 303);
    assert!(s
        .tenant
        .products()
        .unwrap()
        .iter()
        .any(|p| p.id == s.course.id && p.archived));
}

#[test]
fn forged_unpermitted_and_foreign_product_actions_change_nothing() {
    let s = site();
    let (bundle, course) = (s.bundle.id, s.course.id.to_string());
    let other = s.hub.create_tenant("Other").unwrap();
    let foreign = other
        .create_product(
            Actor::System,
            NewProduct::paid("Theirs", ProductKind::Course),
        )
        .unwrap()
        .id;
    let before = s.footprint();
    let routes = [
        "/products".to_owned(),
        format!("/products/{bundle}/archive"),
        format!("/products/{bundle}/include"),
        format!("/products/{bundle}/remove"),
    ];
    let customer_token = s.token("/admin", "/products", &s.customer);
    for path in &routes {
        let forged = Request::new("POST", "/admin", path)
            .header("sec-fetch-site", "same-origin")
            .form(&[("name", "Forged"), ("kind", "course"), ("product", &course)]);
        assert_eq!(
            s.console.handle(&forged, Some(&s.admin)).status,
            403,
            "{path}"
        );
        let fields = [
            ("csrf", customer_token.as_str()),
            ("name", "Sneaky"),
            ("kind", "course"),
            ("product", course.as_str()),
        ];
        assert_eq!(
            s.post("/admin", path, &s.customer, &fields).status,
            403,
            "{path}"
        );
    }
    let token = s.token("/admin", "/products", &s.admin);
    let archive = format!("/products/{foreign}/archive");
    assert_eq!(
        s.post("/admin", &archive, &s.admin, &[("csrf", &token)])
            .status,
        404
    );
    assert_eq!(s.get("/admin", &archive, &s.admin).status, 404);
    let include = format!("/products/{bundle}/include");
    let foreign_item = foreign.to_string();
    assert_eq!(
        s.post(
            "/admin",
            &include,
            &s.admin,
            &[("csrf", &token), ("product", &foreign_item)]
        )
        .status,
        404
    );
    assert_eq!(s.footprint(), before);
    assert_eq!(s.tenant.products().unwrap().len(), 2);
}
