//! Several app servers on one database, on each store: 4 processes × 4 threads adding,
//! inviting, accepting, claiming and importing the same people, then granting and revoking
//! for a bounded time. Nothing is claimed twice, no email gets two members, the final state is
//! what was acknowledged last, and no caller sees a busy or locked database, a serialization
//! failure or a deadlock. Prints throughput and the longest wait for one call.

mod common;

use memberkit::*;
use memberkit_open::OpenHub;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::{Duration, Instant};

const WORKER: &str = "MEMBERKIT_TEST_PROCESS_WORKER";
const PROCESSES: usize = 4;
const THREADS: usize = 4;
const PEOPLE: usize = 40;
const CLAIMANTS: usize = 10;
/// How long each thread grants and revokes.
const TOGGLING: Duration = Duration::from_millis(1500);
/// Members each thread grants and revokes the shared product for (its own).
const TOGGLED: usize = 4;

/// Runs in a child process: each thread races through every shared operation and prints one
/// line per acknowledged result.
#[test]
#[ignore = "helper run by another test in a child process"]
fn worker() {
    let Ok(plan) = std::env::var(WORKER) else {
        return;
    };
    let (url, tenant, shared, invites) = common::read_plan(&plan);
    let process = std::process::id();
    let hub = Hub::open(&url).unwrap();
    let lines = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let (hub, lines, invites) = (&hub, &lines, &invites);
            s.spawn(move || {
                let t = hub.tenant(tenant).unwrap();
                let mut out = Vec::new();
                let mut note = |r: Result<String>, what: &str| match r {
                    Ok(line) => out.push(line),
                    Err(e) => out.push(format!("error {what} {}", e.code().as_str())),
                };
                // Everyone adds the same people, with the shared product.
                for i in 0..PEOPLE {
                    let new = NewCustomer::new(format!("person{i}@race.test")).product(shared);
                    note(
                        t.add_customer(Actor::System, new)
                            .map(|a| format!("member person{i}@race.test {}", a.member.id)),
                        "add",
                    );
                }
                // Everyone tries every invite link; each may be accepted once.
                for (email, token) in invites {
                    note(
                        t.accept(token, Some(email))
                            .map(|a| format!("accepted {}", a.invite.id)),
                        "accept",
                    );
                }
                // Everyone signs the same people up: each pending invite, in either tenant, is
                // claimed once (claims lock each tenant they reach, in any order).
                for i in 0..CLAIMANTS {
                    let email = format!("claimant{i}@race.test");
                    // One result line per claimed invite (none when another worker won).
                    match hub.claim(&email) {
                        Ok(accepted) => {
                            for a in accepted {
                                note(Ok(format!("claimed {}", a.invite.id)), "claim");
                            }
                        }
                        Err(e) => note(Err(e), "claim"),
                    }
                }
                // Everyone imports an overlapping file: the shared people and some of its own.
                let mut csv = String::from("email,name\n");
                for i in (0..PEOPLE).step_by(3) {
                    csv.push_str(&format!("person{i}@race.test,Person {i}\n"));
                }
                for i in 0..10 {
                    csv.push_str(&format!("own{i}.{process}.{thread}@race.test,Own {i}\n"));
                }
                let options = ImportOptions {
                    products: vec![shared],
                    ..Default::default()
                };
                note(
                    t.import_customers(
                        Actor::System,
                        ImportSource::new(ImportFormat::Csv, &csv),
                        &options,
                    )
                    .map(|r| format!("imported {}", r.rows.len())),
                    "import",
                );
                // Then grant and revoke its own members' access for a bounded time; the last
                // acknowledged call for each member is what must hold at the end.
                let own: Vec<MemberId> = (0..TOGGLED)
                    .map(|i| {
                        let email = format!("toggle{i}.{process}.{thread}@race.test");
                        t.add_customer(Actor::System, NewCustomer::new(email))
                            .unwrap()
                            .member
                            .id
                    })
                    .collect();
                let mut last = vec![None; TOGGLED];
                let (mut calls, mut longest) = (0u64, Duration::ZERO);
                let started = Instant::now();
                while started.elapsed() < TOGGLING {
                    let i = calls as usize % TOGGLED;
                    let grant = (calls / TOGGLED as u64) % 2 == 0;
                    let call = Instant::now();
                    let r = match grant {
                        true => t
                            .grant(Actor::System, own[i], shared, GrantOptions::default())
                            .map(drop),
                        false => t.revoke(Actor::System, own[i], shared).map(drop),
                    };
                    longest = longest.max(call.elapsed());
                    calls += 1;
                    match r {
                        Ok(()) => last[i] = Some(grant),
                        Err(e) => note(Err(e), "toggle"),
                    }
                }
                for (m, state) in own.iter().zip(last) {
                    if let Some(state) = state {
                        out.push(format!("holds {m} {state}"));
                    }
                }
                out.push(format!("toggled {calls} {}", longest.as_micros()));
                lines.lock().unwrap().extend(out);
            });
        }
    });
    let mut stdout = std::io::stdout();
    #[cfg(feature = "postgres")]
    let retried = memberkit_postgres::retried_transactions();
    #[cfg(not(feature = "postgres"))]
    let retried = 0;
    writeln!(stdout, "retried {retried}").unwrap();
    for line in lines.into_inner().unwrap() {
        writeln!(stdout, "result {line}").unwrap();
    }
}

#[test]
fn sqlite_four_processes_racing_on_one_file_lose_nothing_and_claim_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    race("sqlite", dir.path().join("race.db").to_str().unwrap());
}

#[test]
fn postgres_four_processes_racing_on_one_database_lose_nothing_and_claim_nothing_twice() {
    if let Some(target) = common::postgres_target("mk_race") {
        race("postgres", &target);
    }
}

fn race(store: &str, url: &str) {
    let hub = Hub::open(url).unwrap();
    let t = hub.create_tenant("Race").unwrap();
    let shared = t
        .create_product(
            Actor::System,
            NewProduct::paid("Shared", ProductKind::Course),
        )
        .unwrap();
    let invites: Vec<(String, String)> = (0..10)
        .map(|i| {
            let email = format!("invitee{i}@race.test");
            let issued = t.invite(Actor::System, NewInvite::new(&email)).unwrap();
            (email, issued.token.expose().to_owned())
        })
        .collect();
    // The same people invited by this tenant and by another one, to sign up during the race.
    let elsewhere = hub.create_tenant("Race, too").unwrap();
    for i in 0..CLAIMANTS {
        let email = format!("claimant{i}@race.test");
        t.invite(Actor::System, NewInvite::new(&email)).unwrap();
        elsewhere
            .invite(Actor::System, NewInvite::new(&email))
            .unwrap();
    }
    let plan = common::plan_line(url, t.id(), shared.id, &invites);
    let started = std::time::Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| common::spawn_helper("worker", WORKER, &plan))
        .collect();
    let mut results = Vec::new();
    let mut retried = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a worker failed");
        let text = String::from_utf8(out.stdout).unwrap();
        retried += text
            .lines()
            .filter_map(|l| {
                l.find("retried ")
                    .map(|at| l[at + 8..].trim().parse::<u64>())
            })
            .map(Result::unwrap)
            .sum::<u64>();
        results.extend(
            text.lines()
                .filter_map(|l| l.find("result ").map(|at| l[at + 7..].to_owned())),
        );
    }
    let elapsed = started.elapsed();
    let workers = PROCESSES * THREADS;
    let errors: Vec<&String> = results.iter().filter(|r| r.starts_with("error")).collect();
    // Losing an accept race is the one expected answer; nothing else may fail.
    let unexpected: Vec<&&String> = errors
        .iter()
        .filter(|e| !e.starts_with("error accept invite_used"))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");

    // One member per email, whoever added it: every worker was told the same id.
    let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &results {
        if let Some(rest) = r.strip_prefix("member ") {
            let (email, id) = rest.split_once(' ').unwrap();
            ids.entry(email).or_default().insert(id);
        }
    }
    assert_eq!(ids.len(), PEOPLE);
    assert!(ids.values().all(|set| set.len() == 1), "{ids:?}");

    // Each invite accepted exactly once.
    let accepted: Vec<&String> = results
        .iter()
        .filter(|r| r.starts_with("accepted"))
        .collect();
    let distinct: BTreeSet<&&String> = accepted.iter().collect();
    assert_eq!(accepted.len(), invites.len(), "{accepted:?}");
    assert_eq!(distinct.len(), invites.len());
    assert_eq!(errors.len(), invites.len() * (workers - 1));

    // Each sign-up invite claimed exactly once, in both tenants.
    let claimed: Vec<&String> = results
        .iter()
        .filter(|r| r.starts_with("claimed"))
        .collect();
    let distinct: BTreeSet<&&String> = claimed.iter().collect();
    assert_eq!(claimed.len(), 2 * CLAIMANTS, "{claimed:?}");
    assert_eq!(distinct.len(), 2 * CLAIMANTS);
    assert!(elsewhere
        .invites(Some(InviteStatus::Pending))
        .unwrap()
        .is_empty());

    // Every import was acknowledged, and all its people are there with the shared product.
    assert_eq!(
        results.iter().filter(|r| r.starts_with("imported")).count(),
        workers
    );
    let everyone = PEOPLE + invites.len() + CLAIMANTS + workers * (10 + TOGGLED);
    assert_eq!(
        t.count_customers(&CustomerQuery::default()).unwrap(),
        everyone
    );
    for (email, _) in ids.iter().take(5) {
        let m = t.member_by_email(email).unwrap().unwrap();
        assert!(t.has_access(m.id, shared.id).unwrap());
    }
    // One open grant per member and product, whoever granted first.
    let with_shared = t
        .count_customers(&CustomerQuery {
            product: Some(shared.id),
            ..Default::default()
        })
        .unwrap();
    // The shared people hold it, and the toggled members whose last call was a grant; each
    // worker's own people were invited with it (the import's default mode) and get it when
    // they sign up.
    let granted_last = results
        .iter()
        .filter(|r| r.starts_with("holds ") && r.ends_with(" true"));
    assert_eq!(with_shared, PEOPLE + granted_last.count());
    let pending = t.invites(Some(InviteStatus::Pending)).unwrap();
    assert_eq!(pending.len(), workers * 10);
    let newcomer = pending[0].email.clone();
    let claimed = hub.claim(&newcomer).unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(t.has_access(claimed[0].member.id, shared.id).unwrap());

    // Grants and revokes: each member holds what the last acknowledged call left.
    let mut held = 0;
    for r in &results {
        if let Some(rest) = r.strip_prefix("holds ") {
            let (m, state) = rest.split_once(' ').unwrap();
            let m: MemberId = m.parse().unwrap();
            assert_eq!(t.has_access(m, shared.id).unwrap(), state == "true", "{r}");
            held += 1;
        }
    }
    assert_eq!(held, workers * TOGGLED);
    let (mut toggles, mut longest) = (0u64, 0u64);
    for r in &results {
        if let Some(rest) = r.strip_prefix("toggled ") {
            let (calls, micros) = rest.split_once(' ').unwrap();
            toggles += calls.parse::<u64>().unwrap();
            longest = longest.max(micros.parse().unwrap());
        }
    }
    eprintln!(
        "{store}: {workers} workers in {PROCESSES} processes: {} acknowledged results in \
         {elapsed:?}; {toggles} grants and revokes in {TOGGLING:?} per worker ({:.0}/s), \
         longest wait for one {:.1} ms; {retried} transactions retried inside the store",
        results.len(),
        toggles as f64 / TOGGLING.as_secs_f64(),
        longest as f64 / 1000.0
    );
}
