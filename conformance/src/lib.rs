//! # memberkit-conformance
//!
//! Every behaviour test of memberkit, written once against the [`Store`](memberkit::Store)
//! seam and run against every store. A store's test target hands it a function that opens a
//! fresh, empty hub on that store with a given clock:
//!
//! ```ignore
//! // store-sqlite/tests/conformance.rs, with `harness = false` in Cargo.toml
//! use memberkit::Hub;
//! use memberkit_sqlite::SqliteStore;
//! fn main() {
//!     memberkit_conformance::run(&[memberkit_conformance::Variant {
//!         name: "memory",
//!         open: &|clock| Hub::with_clock(SqliteStore::open(":memory:").unwrap(), clock),
//!     }]);
//! }
//! ```
//!
//! Tests are named `variant::module::test` and take the usual libtest arguments (a name
//! filter, `--list`, `--test-threads`). Only what is truly specific to one store (pragmas,
//! files, what is on disk) is tested in that store's own crate.

mod fixture;
pub mod model;
mod retry;
mod suite;

pub use fixture::{Fixture, Open, Variant};
pub use retry::RetryingStore;

use libtest_mimic::{Arguments, Trial};

/// Runs the whole suite once per variant (say a file-backed and an in-memory hub), with the
/// command line's libtest arguments, and exits with the result.
pub fn run(variants: &'static [Variant]) -> ! {
    run_then(variants, || Ok(()))
}

/// [`run`], then `check` once every test has finished (a cluster-wide check of what the tests
/// did, such as which statements reached more than one shard); its error fails the run.
pub fn run_then(
    variants: &'static [Variant],
    check: impl FnOnce() -> std::result::Result<(), String>,
) -> ! {
    let args = Arguments::from_args();
    // The model test's operations are split over the variants: each store runs the total.
    let model_ops = model::total_ops() / variants.len().max(1);
    let trials = variants
        .iter()
        .flat_map(|variant| {
            let cases = suite::all().map(move |(module, case)| {
                let name = format!("{}::{module}::{}", variant.name, case.name);
                Trial::test(name, move || {
                    fixture::with_opener(variant.open, case.run);
                    Ok(())
                })
            });
            let model = (0..model::PARTS).map(move |part| {
                let name = format!("{}::model::part_{part}", variant.name);
                Trial::test(name, move || {
                    model::run_part(variant.open, variant.name, part, model_ops);
                    Ok(())
                })
            });
            cases.chain(model)
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if let Err(failed) = check() {
        eprintln!("after the tests: {failed}");
        std::process::exit(101);
    }
    conclusion.exit()
}
