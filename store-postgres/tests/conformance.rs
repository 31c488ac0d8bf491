//! The conformance suite on PostgreSQL: every test in a fresh schema of the server that
//! `MEMBERKIT_TEST_POSTGRES` names.

mod common;

use memberkit::Hub;
use memberkit_conformance::{run, Variant};
use memberkit_postgres::PgStore;

fn main() {
    let Some(server) = common::server() else {
        common::skip_note("conformance on PostgreSQL");
        return;
    };
    // `run` wants variants for the life of the process.
    let server: &'static str = Box::leak(server.into_boxed_str());
    let open = Box::leak(Box::new(move |clock| {
        let store = PgStore::open_with_pool_size(&common::fresh_url(server), 4).unwrap();
        Hub::with_clock(store, clock)
    }));
    let variants = Box::leak(Box::new([Variant {
        name: "postgres",
        open,
    }]));
    run(variants);
}
