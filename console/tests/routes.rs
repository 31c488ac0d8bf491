//! The console's routes, request by request: what each page shows, what each form changes, and
//! every refusal (no actor, a forged post, a missing permission, another tenant's id) with
//! nothing changed.

mod common;

use common::*;
use memberkit::*;
use memberkit_console::{Console, Request, Who};

#[test]
fn the_customer_list_shows_rows_escaped_with_their_bundles_and_safe_headers() {
    let s = site();
    let page = s.get("/admin", "/customers", &s.admin);
    assert_eq!(page.status, 200);
    let html = page.html();
    assert!(html.contains("ada@x.com") && html.contains("grace@x.com"));
    assert!(
        !html.contains("<script>alert") && !html.contains("<img src=x"),
        "escaped"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(
        html.contains("Ada&#x27;s &lt;Academy&gt;"),
        "the tenant name too"
    );
    assert!(html.contains("Rust 101 <small>via All Access</small>"));
    assert!(html.contains("href=\"/admin/customers/new\""));
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    // Filters: no access, and holders of a product through a bundle.
    let none = s
        .get("/admin", "/customers?filter=no_access", &s.admin)
        .html();
    assert!(none.contains("grace@x.com") && !none.contains("ada@x.com"));
    let holders = format!("/customers?product={}", s.course.id);
    let holders = s.get("/admin", &holders, &s.admin).html();
    assert!(holders.contains("ada@x.com") && !holders.contains("grace@x.com"));
    let searched = s.get("/admin", "/customers?q=GRACE", &s.admin).html();
    assert!(searched.contains("grace@x.com") && !searched.contains("ada@x.com"));
}

#[test]
fn links_forms_redirects_and_cookies_follow_the_mount_prefix() {
    let s = site();
    for mount in ["/admin", "/back/office", ""] {
        let html = s.get(mount, "/customers", &s.admin).html();
        assert!(html.contains(&format!("href=\"{mount}/static/console.css\"")));
        assert!(html.contains(&format!("href=\"{mount}/customers/{}\"", s.ada)));
        let root = s.get(mount, "/", &s.admin);
        assert_eq!(
            root.header("location"),
            Some(&*format!("{mount}/customers"))
        );
        let token = s.token(mount, "/customers/new", &s.admin);
        let email = format!("new{}@x.com", mount.len());
        let added = s.post(
            mount,
            "/customers",
            &s.admin,
            &[("csrf", &token), ("email", &email), ("notify", "on")],
        );
        assert_eq!(added.status, 303, "{}", added.html());
        assert!(added
            .header("location")
            .unwrap()
            .starts_with(&format!("{mount}/customers/")));
        let path = if mount.is_empty() { "/" } else { mount };
        assert!(added
            .header("set-cookie")
            .unwrap()
            .contains(&format!("Path={path};")));
    }
}

#[test]
fn add_customer_grants_the_chosen_products_and_says_so_once() {
    let s = site();
    let form = s.get("/admin", "/customers/new", &s.admin).html();
    assert!(
        form.contains("Rust 101") && form.contains("All Access"),
        "paid products"
    );
    assert!(
        form.contains("name=\"notify\" checked"),
        "notify is on by default"
    );
    let token = s.token("/admin", "/customers/new", &s.admin);
    let course = s.course.id.to_string();
    let fields = [
        ("csrf", token.as_str()),
        ("name", "Lin"),
        ("email", "lin@x.com"),
        ("product", course.as_str()),
    ];
    let added = s.post("/admin", "/customers", &s.admin, &fields);
    assert_eq!(added.status, 303);
    let lin = s.tenant.member_by_email("lin@x.com").unwrap().unwrap();
    assert!(s.tenant.has_access(lin.id, s.course.id).unwrap());
    assert!(
        !s.tenant
            .outbox(100)
            .unwrap()
            .iter()
            .any(|e| e.channel.as_str() == "email"
                && e.payload.to_string().contains(&lin.id.to_string())),
        "notify was unticked"
    );
    let cookie = added.header("set-cookie").unwrap();
    let flash = cookie.split(';').next().unwrap().to_owned();
    let shown = s.console.handle(
        &Request::new(
            "GET",
            "/admin",
            added
                .header("location")
                .unwrap()
                .trim_start_matches("/admin"),
        )
        .header("cookie", &flash),
        Some(&s.admin),
    );
    assert!(shown.html().contains("lin@x.com was added."));
    assert!(
        shown.header("set-cookie").unwrap().contains("Max-Age=0"),
        "shown once"
    );
    // A flash cookie the console did not sign (set by a sibling subdomain) shows nothing.
    for forged in [
        "mk_flash=WW91IHdvbiBhIHByaXpl",
        "mk_flash=WW91IHdvbiBhIHByaXpl.c2lnbmF0dXJl",
    ] {
        let page = s.console.handle(
            &Request::new("GET", "/admin", "/customers").header("cookie", forged),
            Some(&s.admin),
        );
        assert!(!page.html().contains("You won a prize"), "{forged}");
    }
}

#[test]
fn a_refused_form_is_shown_again_with_the_reason_and_what_was_entered() {
    let s = site();
    let before = s.footprint();
    let token = s.token("/admin", "/customers/new", &s.admin);
    let page = s.post(
        "/admin",
        "/customers",
        &s.admin,
        &[("csrf", &token), ("name", XSS), ("email", "not an email")],
    );
    assert_eq!(page.status, 400);
    let html = page.html();
    assert!(html.contains("role=\"alert\"") && html.contains("value=\"not an email\""));
    assert!(!html.contains("<img src=x"), "what was entered is escaped");
    assert_eq!(s.footprint(), before);
}

#[test]
fn edit_access_rights_adds_with_a_window_and_removes_after_a_confirmation() {
    let s = site();
    let path = format!("/customers/{}", s.ada);
    let html = s.get("/admin", &path, &s.admin).html();
    assert!(html.contains("Through All Access"), "{html}");
    assert!(html.contains("Directly"));
    let token = s.token("/admin", &path, &s.admin);
    let course = s.course.id.to_string();
    let granted = s.post(
        "/admin",
        &format!("{path}/grant"),
        &s.admin,
        &[
            ("csrf", &token),
            ("product", &course),
            ("expires_at", "2099-01-01T00:00"),
        ],
    );
    assert_eq!(granted.status, 303, "{}", granted.html());
    let html = s.get("/admin", &path, &s.admin).html();
    assert!(html.contains("2099-01-01 00:00 UTC"));
    // The confirmation page changes nothing; its form does.
    let before = s.footprint();
    let bundle = s.bundle.id.to_string();
    let confirm = s.get(
        "/admin",
        &format!("{path}/revoke?product={bundle}"),
        &s.admin,
    );
    assert!(confirm.html().contains("Remove ada@x.com from All Access?"));
    assert_eq!(s.footprint(), before);
    assert!(s.tenant.has_access(s.ada, s.bundle.id).unwrap());
    let removed = s.post(
        "/admin",
        &format!("{path}/revoke"),
        &s.admin,
        &[("csrf", &token), ("product", &bundle)],
    );
    assert_eq!(removed.status, 303);
    assert!(!s.tenant.has_access(s.ada, s.bundle.id).unwrap());
    assert!(
        s.tenant.has_access(s.ada, s.course.id).unwrap(),
        "held directly"
    );
    // A start after the end is the core's invalid_input, shown on the page.
    let bad = s.post(
        "/admin",
        &format!("{path}/grant"),
        &s.admin,
        &[
            ("csrf", &token),
            ("product", &bundle),
            ("starts_at", "2099-02-01T00:00"),
            ("expires_at", "2099-01-01T00:00"),
        ],
    );
    assert_eq!(bad.status, 400);
    assert!(bad.html().contains("role=\"alert\""));
}

#[test]
fn forged_posts_are_refused_and_change_nothing() {
    let s = site();
    let before = s.footprint();
    let token = s.token("/admin", "/customers/new", &s.admin);
    let fields = |token: &str| -> Vec<(String, String)> {
        vec![
            ("csrf".into(), token.into()),
            ("email".into(), "forged@x.com".into()),
        ]
    };
    let send = |request: Request, token: &str| {
        let pairs = fields(token);
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        s.console.handle(&request.form(&pairs), Some(&s.admin))
    };
    let post = || Request::new("POST", "/admin", "/customers");
    let refused = [
        send(post(), ""),
        send(post(), "12345.not-a-signature"),
        send(post().header("sec-fetch-site", "cross-site"), &token),
        send(
            post()
                .header("origin", "https://evil.example")
                .header("host", "shop.example"),
            &token,
        ),
        // A token handed to someone else, or in another tenant, is not this actor's.
        send(post(), &s.token("/admin", "/customers/new", &s.customer)),
    ];
    for response in refused {
        assert_eq!(response.status, 403, "{}", response.html());
    }
    let other = s.hub.create_tenant("Other").unwrap();
    let elsewhere = Who {
        tenant: other.id(),
        actor: Actor::System,
    };
    let foreign = s.token("/admin", "/customers/new", &elsewhere);
    assert_eq!(send(post(), &foreign).status, 403);
    assert_eq!(s.footprint(), before);
    assert!(s.tenant.member_by_email("forged@x.com").unwrap().is_none());
    // Every state-changing route refuses a post without the token.
    let (ada, bundle) = (s.ada.to_string(), s.bundle.id.to_string());
    for path in [
        "/customers".to_owned(),
        format!("/customers/{ada}/grant"),
        format!("/customers/{ada}/revoke"),
    ] {
        let request = Request::new("POST", "/admin", &path)
            .header("sec-fetch-site", "same-origin")
            .form(&[("email", "forged@x.com"), ("product", &bundle)]);
        assert_eq!(
            s.console.handle(&request, Some(&s.admin)).status,
            403,
            "{path}"
        );
    }
    assert_eq!(s.footprint(), before);
    assert!(s.tenant.has_access(s.ada, s.bundle.id).unwrap());
    // A GET to an action's path changes nothing either.
    let path = format!("/customers/{}/grant", s.ada);
    assert_eq!(s.get("/admin", &path, &s.admin).status, 404);
    assert_eq!(s.footprint(), before);
}

#[test]
fn without_the_permission_the_actions_are_not_offered_and_a_post_is_refused() {
    let s = site();
    let html = s.get("/admin", "/customers", &s.customer).html();
    assert!(!html.contains("Add customer") && !html.contains("Edit access rights"));
    let before = s.footprint();
    let token = s.token("/admin", "/customers/new", &s.customer);
    let added = s.post(
        "/admin",
        "/customers",
        &s.customer,
        &[("csrf", &token), ("email", "sneaky@x.com")],
    );
    assert_eq!(added.status, 403);
    let bundle = s.bundle.id.to_string();
    let path = format!("/customers/{}/revoke", s.ada);
    let removed = s.post(
        "/admin",
        &path,
        &s.customer,
        &[("csrf", &token), ("product", &bundle)],
    );
    assert_eq!(removed.status, 403);
    assert_eq!(s.footprint(), before);
    assert!(s.tenant.has_access(s.ada, s.bundle.id).unwrap());
}

#[test]
fn another_tenants_ids_and_unknown_paths_are_not_found() {
    let s = site();
    let other = s.hub.create_tenant("Other").unwrap();
    let stranger = other
        .add_customer(Actor::System, NewCustomer::new("s@x.com"))
        .unwrap()
        .member
        .id;
    for path in [
        format!("/customers/{stranger}"),
        "/customers/not-an-id".to_owned(),
        "/nowhere".to_owned(),
        format!("/customers/{}/revoke?product={}", s.ada, MemberId::new()),
    ] {
        assert_eq!(s.get("/admin", &path, &s.admin).status, 404, "{path}");
    }
    let before = s.footprint();
    let token = s.token("/admin", "/customers/new", &s.admin);
    let course = s.course.id.to_string();
    let path = format!("/customers/{stranger}/grant");
    let granted = s.post(
        "/admin",
        &path,
        &s.admin,
        &[("csrf", &token), ("product", &course)],
    );
    assert_eq!(granted.status, 404);
    assert_eq!(s.footprint(), before);
}

#[test]
fn nobody_signed_in_gets_401_or_the_hosts_login_page_and_assets_are_served() {
    let s = site();
    let anonymous = s
        .console
        .handle(&Request::new("GET", "/admin", "/customers"), None);
    assert_eq!(anonymous.status, 401);
    let console = Console::new(s.hub.clone(), b"secret").login_url("/login?next=admin");
    let sent = console.handle(&Request::new("GET", "/admin", "/customers"), None);
    assert_eq!(
        (sent.status, sent.header("location")),
        (303, Some("/login?next=admin"))
    );
    let css = console.handle(&Request::new("GET", "/admin", "/static/console.css"), None);
    assert_eq!(css.status, 200);
    assert!(css.html().contains("--mk-accent"));
    let posted = console.handle(
        &Request::new("POST", "/admin", "/customers").form(&[("email", "x@x.com")]),
        None,
    );
    assert_eq!(posted.status, 401);
}

#[test]
fn a_host_can_replace_a_template_and_values_stay_escaped() {
    let mut s = site();
    let custom = "{% extends \"base.html\" %}{% block content %}<h1>Our members</h1>\
                  {% for r in rows %}<p>{{ r.name }}</p>{% endfor %}{% endblock %}";
    s.console.set_template("customers.html", custom).unwrap();
    let html = s.get("/admin", "/customers", &s.admin).html();
    assert!(html.contains("<h1>Our members</h1>"));
    assert!(!html.contains("<img src=x"));
    let err = s.console.set_template("nope.html", "x").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let err = s
        .console
        .set_template("customers.html", "{% if %}")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}
