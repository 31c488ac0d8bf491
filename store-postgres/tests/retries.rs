//! Losses to concurrent transactions are the store's business: a deadlock between two writers
//! is broken by PostgreSQL, and the store runs the losing body again, so both calls succeed.

mod common;

use memberkit::*;
use memberkit_postgres::{retried_transactions, PgStore};
use std::sync::Barrier;

#[test]
fn two_writers_that_deadlock_both_commit_after_the_store_retries_one() {
    let Some(server) = common::server() else {
        return common::skip_note("retries");
    };
    let url = common::fresh_url(&server);
    let hub = Hub::new(PgStore::open(&url).unwrap());
    let a = hub.create_tenant("A").unwrap().id();
    let b = hub.create_tenant("B").unwrap().id();
    let before = retried_transactions();
    let both_hold_one = Barrier::new(2);
    // Each writer takes one tenant, waits until the other holds the other tenant, then reaches
    // for it: a cycle. Only the first run of each body waits (a retried run goes straight on).
    let cross = |first: TenantId, second: TenantId| {
        let store = PgStore::open(&url).unwrap();
        let mut runs = 0;
        let result = memberkit::store::write(&store, |tx| {
            runs += 1;
            let name = tx.tenant(first)?.unwrap().name;
            if runs == 1 {
                both_hold_one.wait();
            }
            let other = tx.tenant(second)?.unwrap().name;
            Ok(format!("{name}+{other}"))
        });
        (result, runs)
    };
    let (ab, ba) = std::thread::scope(|s| {
        let one = s.spawn(|| cross(a, b));
        let two = s.spawn(|| cross(b, a));
        (one.join().unwrap(), two.join().unwrap())
    });
    assert_eq!(ab.0.unwrap(), "A+B");
    assert_eq!(ba.0.unwrap(), "B+A");
    // PostgreSQL picked one of them to break the cycle; that one ran again.
    assert_eq!(ab.1 + ba.1, 3, "runs: {} and {}", ab.1, ba.1);
    assert!(retried_transactions() > before);
}
