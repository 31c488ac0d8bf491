//! The model-based property test: random sequences of operations run against memberkit and
//! against a small in-memory reference model ([`reference`]); after every step the answers
//! (`has_access`, `can`, customer lists and counts, invite statuses, error codes) must agree,
//! and no call may reach another tenant's rows. proptest shrinks a failure to a shortest
//! sequence, which is printed; fixed failures become ordinary tests in the suite.
//!
//! `MEMBERKIT_MODEL_OPS` sets how many operations each store runs (default 100,000, split over
//! its variants and [`PARTS`] trials each); `MEMBERKIT_MODEL_SEED` changes the seeds for a longer, different run.

mod check;
mod compare;
mod reference;
mod step;

use crate::fixture::Open;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
pub use step::Step;

/// Operations per generated sequence (at most).
const STEPS_PER_CASE: usize = 120;
/// Trials the operations of one store are split into (they run in parallel).
pub const PARTS: usize = 4;
const DEFAULT_OPS: usize = 100_000;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// How many operations each store runs: `MEMBERKIT_MODEL_OPS`, or 100,000.
pub fn total_ops() -> usize {
    env_number("MEMBERKIT_MODEL_OPS", DEFAULT_OPS as u64) as usize
}

/// Runs part `part` of [`PARTS`] of the model test (about `ops / PARTS` operations) on the
/// store `open` opens; panics with the shrunk sequence on the first disagreement.
pub fn run_part(open: &'static Open, variant: &str, part: usize, ops: usize) {
    let seed = env_number("MEMBERKIT_MODEL_SEED", 0);
    // A sequence has STEPS_PER_CASE / 2 steps on average.
    let cases = (ops / PARTS / (STEPS_PER_CASE / 2)).max(1) as u32;
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4_000,
        ..Config::default()
    };
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&(part as u64).to_le_bytes());
    // Each variant runs different sequences.
    for (slot, b) in bytes[16..].iter_mut().zip(variant.bytes()) {
        *slot = b;
    }
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let bench = check::Bench::open(open);
    let result = runner.run(&step::sequence(STEPS_PER_CASE), |steps| {
        check::run(&bench, &steps).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("memberkit and the reference model disagree: {e}");
    }
}

/// Runs one fixed sequence (a shrunk failure kept as a regression test).
pub fn replay(open: &'static Open, steps: &[Step]) {
    if let Err(e) = check::run(&check::Bench::open(open), steps) {
        panic!("memberkit and the reference model disagree: {e}");
    }
}
