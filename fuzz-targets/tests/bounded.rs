//! A bounded fuzz run on stable: each target gets seed inputs and then random mutations of
//! them for `MEMBERKIT_FUZZ_SECONDS` (default 3) seconds; `MEMBERKIT_FUZZ_SEED` picks other
//! mutations. Not coverage-guided (that is
//! `cargo fuzz`, see `fuzz/`), but it runs every time CI does. A failing input is printed
//! in full; add it to the seeds below once fixed.

use memberkit_fuzz_targets::TARGETS;
use std::time::{Duration, Instant};

/// Valid and nearly valid inputs the mutations start from.
const SEEDS: &[&str] = &[
    "email,name\nada@example.com,Ada\n",
    "\u{feff}Email;Name\r\n\"b@x.org\";\"Bob, \"\"the\"\" builder\"\r\n",
    "name,email,external_id\n=cmd,c@x.org,crm-1\n,d@x.org,\n",
    "Ada Lovelace <ada@example.com>\nbob@example.com, Bob\n\tcarol@example.com\tCarol\n",
    "ZOË@Example.COM",
    "user+tag@xn--bcher-kva.example",
    "\"quoted local\"@example.com",
    "a@b",
    "mki_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "mkimp_FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "MTIz",
    "bmFtZR9hZGE",
    "",
];

/// Bytes that tend to matter to parsers.
const SPICE: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"@",
    b"=",
    b"+",
    b"-",
    b"\x1f",
    b"\xef\xbb\xbf",
    b"\xc3\xa9",
    b"\xe2\x80\xae",
    b"\xf0\x9f\x98\x80",
    b"\xed\xa0\x80",
    b"\xff",
    b"%",
    b"_",
    b"\\",
    b"'",
];

/// splitmix64: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let at = rng.below(input.len() + 1);
        match rng.below(6) {
            0 => input
                .splice(at..at, SPICE[rng.below(SPICE.len())].iter().copied())
                .for_each(drop),
            1 if at < input.len() => input[at] ^= 1 << rng.below(8),
            2 if at < input.len() => {
                let end = (at + rng.below(8)).min(input.len());
                input.drain(at..end);
            }
            3 => {
                let seed = SEEDS[rng.below(SEEDS.len())].as_bytes();
                input.splice(at..at, seed.iter().copied()).for_each(drop);
            }
            4 if !input.is_empty() => {
                // A long run: huge cells, lines and local parts.
                let byte = input[rng.below(input.len())];
                let times = 1 << rng.below(14);
                input
                    .splice(at..at, std::iter::repeat_n(byte, times))
                    .for_each(drop);
            }
            _ => input.push(rng.next() as u8),
        }
    }
    input.truncate(1 << 16);
}

#[test]
fn every_target_survives_seeds_and_mutations() {
    let seconds: f64 = std::env::var("MEMBERKIT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let budget = Duration::from_secs_f64(seconds);
    let seed: u64 = std::env::var("MEMBERKIT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    for (i, target) in TARGETS.iter().enumerate() {
        let mut rng = Rng(seed ^ (i as u64) << 32);
        let mut runs = 0u64;
        let started = Instant::now();
        for seed in SEEDS {
            (target.run)(seed.as_bytes());
        }
        while started.elapsed() < budget {
            let mut input = SEEDS[rng.below(SEEDS.len())].as_bytes().to_vec();
            mutate(&mut rng, &mut input);
            let outcome = std::panic::catch_unwind(|| (target.run)(&input));
            if outcome.is_err() {
                panic!(
                    "{} failed on {:?} (bytes {:?})",
                    target.name,
                    String::from_utf8_lossy(&input),
                    input
                );
            }
            runs += 1;
        }
        eprintln!(
            "{}: {runs} inputs in {:.1} s",
            target.name,
            started.elapsed().as_secs_f64()
        );
    }
}
