//! The axum example's router, driven request by request: the console answers at the example's
//! prefix, its links follow it, and a forged post is refused.

use axum::body::Body;
use http_body_util::BodyExt;
use memberkit::*;
use memberkit_open::OpenHub;
use tower::ServiceExt;

async fn send(app: &axum::Router, request: axum::http::Request<Body>) -> (u16, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        String::from_utf8_lossy(&body).replace("&#x2f;", "/"),
    )
}

#[tokio::test]
async fn the_console_answers_below_the_example_prefix_and_refuses_a_forged_post() {
    let hub = Hub::open(":memory:").unwrap();
    let (app, academy) = memberkit_examples::back_office_app(&hub).unwrap();
    let get = |uri: &str| axum::http::Request::get(uri).body(Body::empty()).unwrap();
    let (status, html) = send(&app, get("/back-office/customers")).await;
    assert_eq!(status, 200);
    assert!(html.contains("grace@example.com") && html.contains("via All Access"));
    assert!(html.contains("href=\"/back-office/customers/new\""));
    let (status, css) = send(&app, get("/back-office/static/console.css")).await;
    assert_eq!(status, 200);
    assert!(css.contains("--mk-accent"));
    let forged = axum::http::Request::post("/back-office/customers")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("email=forged%40evil.example"))
        .unwrap();
    let (status, _) = send(&app, forged).await;
    assert_eq!(status, 403);
    assert!(academy
        .member_by_email("forged@evil.example")
        .unwrap()
        .is_none());
    // The form's own token, from the same origin, adds the customer.
    let (_, form) = send(&app, get("/back-office/customers/new")).await;
    let at = form.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = form[at..].split('"').next().unwrap();
    let body = format!("csrf={token}&email=new%40example.com&notify=on");
    let post = axum::http::Request::post("/back-office/customers")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(post).await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("/back-office/customers/"),
        "{location}"
    );
    assert!(academy
        .member_by_email("new@example.com")
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn a_long_import_page_reaches_the_browser_frame_by_frame() {
    use memberkit_console::{Console, ConsoleService, Who};
    let hub = Hub::open(":memory:").unwrap();
    let tenant = hub.create_tenant("Shop").unwrap();
    let admin = NewCustomer::new("admin@x.com").role(Role::Admin);
    let admin = tenant.add_customer(Actor::System, admin).unwrap().member.id;
    // Every import counts as long here: the page shows progress at once.
    let console = Console::new(hub.clone(), b"test secret, thirty-two bytes long")
        .progress_after(std::time::Duration::ZERO);
    let who = Who {
        tenant: tenant.id(),
        actor: Actor::Member(admin),
    };
    let service = ConsoleService::new(std::sync::Arc::new(console), "/bo", move |_| Some(who));
    let app = axum::Router::new().nest_service("/bo", service);
    let get = axum::http::Request::get("/bo/import").body(Body::empty());
    let (_, form) = send(&app, get.unwrap()).await;
    let at = form.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = form[at..].split('"').next().unwrap();
    let lines: Vec<String> = (0..2500).map(|i| format!("p{i}%40x.com")).collect();
    let body = format!("csrf={token}&mode=grant&text={}", lines.join("%0A"));
    let post = axum::http::Request::post("/bo/import/run")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    let response = app.oneshot(post).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers().get("content-length").is_none());
    let mut body = response.into_body();
    let mut frames = Vec::new();
    while let Some(frame) = body.frame().await {
        let data = frame.unwrap().into_data().unwrap();
        frames.push(String::from_utf8(data.to_vec()).unwrap());
    }
    assert!(
        frames.len() >= 3,
        "the head, the steps, the result: {frames:?}"
    );
    assert!(frames[0].contains("Checking the rows"));
    let last = frames.last().unwrap();
    assert!(last.contains("2500 created") && last.trim_end().ends_with("</html>"));
    let all = CustomerQuery::default();
    assert_eq!(tenant.count_customers(&all).unwrap(), 2501);
}
