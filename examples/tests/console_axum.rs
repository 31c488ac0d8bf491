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
