//! Several app servers on one database: four processes granting, inviting, accepting and
//! importing the same people at once. Nothing is claimed twice, no email gets two members,
//! nothing acknowledged is lost, and no caller sees a lock, a serialization failure or a
//! deadlock (writers of one tenant take turns; `retries.rs` forces a deadlock).

mod common;

use memberkit::*;
use memberkit_open::OpenHub;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

const WORKER: &str = "MEMBERKIT_TEST_PG_WORKER";
const PROCESSES: usize = 4;
const THREADS: usize = 2;
const PEOPLE: usize = 40;
const CLAIMANTS: usize = 10;

/// What every worker gets: the database, the tenant, the shared product, and the invites.
fn plan_line(
    url: &str,
    tenant: TenantId,
    shared: ProductId,
    invites: &[(String, String)],
) -> String {
    let mut line = format!("{url} {tenant} {shared}");
    for (email, token) in invites {
        line.push_str(&format!(" {email}={token}"));
    }
    line
}

/// Runs in a child process: each thread races through every shared operation and prints one
/// line per acknowledged result.
#[test]
#[ignore = "helper run by another test in a child process"]
fn worker() {
    let Ok(plan) = std::env::var(WORKER) else {
        return;
    };
    let mut parts = plan.split(' ');
    let url = parts.next().unwrap().to_owned();
    let tenant: TenantId = parts.next().unwrap().parse().unwrap();
    let shared: ProductId = parts.next().unwrap().parse().unwrap();
    let invites: Vec<(String, String)> = parts
        .map(|p| {
            let (e, t) = p.split_once('=').unwrap();
            (e.to_owned(), t.to_owned())
        })
        .collect();
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
                lines.lock().unwrap().extend(out);
            });
        }
    });
    let mut stdout = std::io::stdout();
    let retried = memberkit_postgres::retried_transactions();
    writeln!(stdout, "retried {retried}").unwrap();
    for line in lines.into_inner().unwrap() {
        writeln!(stdout, "result {line}").unwrap();
    }
}

#[test]
fn four_processes_racing_on_one_database_lose_nothing_and_claim_nothing_twice() {
    let Some(server) = common::server() else {
        return common::skip_note("processes");
    };
    let url = common::fresh_url(&server);
    let hub = Hub::open(&url).unwrap();
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
    let plan = plan_line(&url, t.id(), shared.id, &invites);
    let started = std::time::Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "worker",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(WORKER, &plan)
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
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
    let everyone = PEOPLE + invites.len() + CLAIMANTS + workers * 10;
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
    // The shared people hold it; each worker's own people were invited with it (the import's
    // default mode) and get it when they sign up.
    assert_eq!(with_shared, PEOPLE);
    let pending = t.invites(Some(InviteStatus::Pending)).unwrap();
    assert_eq!(pending.len(), workers * 10);
    let newcomer = pending[0].email.clone();
    let claimed = hub.claim(&newcomer).unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(t.has_access(claimed[0].member.id, shared.id).unwrap());
    eprintln!(
        "{workers} workers in {PROCESSES} processes: {} acknowledged results in {elapsed:?}, \
         {retried} transactions retried inside the store",
        results.len()
    );
}
