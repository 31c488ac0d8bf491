//! The suite, one module per area; each lists its tests in `TESTS` (a test left out of the
//! list is dead code, which the build refuses).

mod access;
mod access_time;
mod answers;
mod bundles;
mod counts;
mod customer_passwords;
mod customers;
mod domains;
mod hub;
mod import;
mod import_chunks;
mod import_runs;
mod invite_options;
mod invitee;
mod invites;
mod members;
mod metadata;
mod model_found;
mod rank;
mod rules;
mod scenarios;
mod seats;
mod sweep;
mod team;

use crate::fixture::Case;

/// Every test with its module's name.
pub(crate) fn all() -> impl Iterator<Item = (&'static str, &'static Case)> {
    let modules: [(&str, &[Case]); 24] = [
        ("access", access::TESTS),
        ("access_time", access_time::TESTS),
        ("answers", answers::TESTS),
        ("bundles", bundles::TESTS),
        ("customer_passwords", customer_passwords::TESTS),
        ("counts", counts::TESTS),
        ("customers", customers::TESTS),
        ("domains", domains::TESTS),
        ("hub", hub::TESTS),
        ("import", import::TESTS),
        ("import_chunks", import_chunks::TESTS),
        ("import_runs", import_runs::TESTS),
        ("invite_options", invite_options::TESTS),
        ("invitee", invitee::TESTS),
        ("invites", invites::TESTS),
        ("members", members::TESTS),
        ("metadata", metadata::TESTS),
        ("model_found", model_found::TESTS),
        ("rank", rank::TESTS),
        ("rules", rules::TESTS),
        ("scenarios", scenarios::TESTS),
        ("seats", seats::TESTS),
        ("sweep", sweep::TESTS),
        ("team", team::TESTS),
    ];
    modules
        .into_iter()
        .flat_map(|(module, cases)| cases.iter().map(move |case| (module, case)))
}
