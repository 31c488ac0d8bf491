//! The back office's customer list page beside the `customers()` call behind it: what the
//! console adds (the count, the filters' choices, rendering and escaping the HTML) on the large
//! tenant. The goal: the page within 1.5x of the call.

use crate::{interleave, Figures};
use memberkit::*;
use memberkit_bench::{Population, Size};
use memberkit_console::{Console, Request, Who};

pub fn compare(size: &Size, hub: &Hub, tenant: &Tenant, pop: &Population) {
    let console = Console::new(hub.clone(), b"the benchmark's secret, 32 bytes long");
    let who = Who {
        tenant: tenant.id(),
        actor: Actor::System,
    };
    // The first page, and searches: the pages an operator opens most.
    let searches: Vec<String> = (0..200)
        .map(|i| match i % 4 {
            0 => String::new(),
            _ => format!("member {}", (i * 7919) % pop.members.len()),
        })
        .collect();
    let page = |term: &String| {
        let path = match term.as_str() {
            "" => "/customers".to_owned(),
            t => format!("/customers?q={}", t.replace(' ', "+")),
        };
        let response = console.handle(&Request::new("GET", "/back-office", &path), Some(&who));
        response.status == 200
    };
    let call = |term: &String| {
        let query = CustomerQuery {
            search: (!term.is_empty()).then(|| term.clone()),
            ..Default::default()
        };
        !tenant.customers(&query).unwrap().rows.is_empty() || !term.is_empty()
    };
    assert!(page(&searches[0]) && page(&searches[1]));
    // The mix, then the unfiltered first page alone: the one page that always counts every
    // customer of the tenant (a page that holds every match needs no count).
    let first_pages = vec![String::new(); 200];
    for (what, inputs) in [
        ("customer list page", &searches),
        ("customer list, first page", &first_pages),
    ] {
        let mut figures = Figures::default();
        for _ in 0..size.reps {
            interleave(
                &mut figures,
                inputs,
                vec![
                    ("console page", Box::new(page)),
                    ("customers()", Box::new(call)),
                ],
            );
        }
        figures.print(what, "console page", &["customers()"]);
    }
}
