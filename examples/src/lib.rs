//! Runnable walk-throughs; see the `examples/` targets. The axum app that mounts the back
//! office is here so that its test drives the very router the example serves.

use memberkit::*;
use memberkit_console::{Console, ConsoleService, Who};
use std::sync::Arc;

/// A demo site: a tenant with products and customers, and the console mounted at
/// `/back-office` for its owner. A real host answers "who is acting" from its own session;
/// this one treats every request as the owner's.
pub fn back_office_app(hub: &Hub) -> Result<(axum::Router, Tenant)> {
    let academy = hub.create_tenant("Ada's Academy")?;
    let host = Actor::System;
    let course = academy.create_product(host, NewProduct::paid("Rust 101", ProductKind::Course))?;
    let all = academy.create_product(
        host,
        NewProduct::paid("All Access", ProductKind::Membership),
    )?;
    academy.include_in_bundle(host, all.id, course.id)?;
    let owner = NewCustomer::new("owner@academy.example")
        .name("Ada")
        .role(Role::Admin);
    let owner = academy.add_customer(host, owner)?.member.id;
    let grace = NewCustomer::new("grace@example.com")
        .name("Grace")
        .product(all.id);
    academy.add_customer(host, grace)?;
    academy.add_customer(host, NewCustomer::new("lin@example.com").name("Lin"))?;
    let console = Arc::new(Console::new(
        hub.clone(),
        b"demo secret: use 32+ random bytes",
    ));
    let who = Who {
        tenant: academy.id(),
        actor: Actor::Member(owner),
    };
    let service = ConsoleService::new(console, "/back-office", move |_parts| Some(who));
    let app = axum::Router::new()
        .route(
            "/",
            axum::routing::get(|| async { "The shop. The back office is at /back-office/." }),
        )
        .nest_service("/back-office", service);
    Ok((app, academy))
}
