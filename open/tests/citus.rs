//! Online operations on a Citus cluster (`scripts/citus start`; skipped without
//! `MEMBERKIT_TEST_CITUS`): a tenant's shard moves to the other worker and is then isolated on
//! a shard of its own while 4 processes × 2 threads grant, revoke, invite and accept in that
//! tenant; afterwards every acknowledged write is there, no invite was accepted twice, no read
//! after an acknowledged write was stale, and no caller saw an error. Then one worker is killed
//! under load: tenants on the other worker keep working, the failed calls are clear `storage`
//! errors, and nothing acknowledged is lost once the worker is back.

mod common;

use memberkit::*;
use memberkit_open::OpenHub;
use std::collections::BTreeSet;
use std::io::Write;
use std::time::{Duration, Instant};

const WORKER: &str = "MEMBERKIT_TEST_CITUS_WORKER";
const PROCESSES: usize = 4;
const THREADS: usize = 2;
/// How long each thread keeps calling.
const LOAD: Duration = Duration::from_secs(12);

/// One test at a time on the cluster: one kills a worker another would be moving shards to.
static CLUSTER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The coordinator's URL, or `None` (after saying so) without a cluster.
fn coordinator() -> Option<String> {
    let url = std::env::var("MEMBERKIT_TEST_CITUS")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("skipped: MEMBERKIT_TEST_CITUS is not set (eval \"$(scripts/citus start)\")");
    }
    url
}

/// A fresh schema on the cluster: its name, and the URL whose tables live there. With
/// `MEMBERKIT_TEST_CITUS_READS=workers` the hubs send their hot reads to the workers.
fn fresh(server: &str, prefix: &str) -> (String, String) {
    let schema = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    let sep = if server.contains('?') { '&' } else { '?' };
    let mut url = format!("{server}{sep}options=-csearch_path%3D{schema},public");
    if let Ok(reads) = std::env::var("MEMBERKIT_TEST_CITUS_READS") {
        url.push_str(&format!("&memberkit_reads={reads}"));
    }
    (schema, url)
}

/// Runs in a child process: each thread calls for `LOAD` and prints one line per outcome.
#[test]
#[ignore = "helper run by another test in a child process"]
fn load() {
    let Ok(plan) = std::env::var(WORKER) else {
        return;
    };
    let (url, tenant, product, invites) = common::read_plan(&plan);
    let process = std::process::id();
    let hub = Hub::open(&url).unwrap();
    let lines = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let (hub, lines, invites) = (&hub, &lines, &invites);
            s.spawn(move || {
                let lines_out = call_for_a_while(hub, tenant, product, invites, process, thread);
                lines.lock().unwrap().extend(lines_out);
            });
        }
    });
    let mut stdout = std::io::stdout();
    writeln!(
        stdout,
        "retried {}",
        memberkit_postgres::retried_transactions()
    )
    .unwrap();
    for line in lines.into_inner().unwrap() {
        writeln!(stdout, "result {line}").unwrap();
    }
}

/// One thread's calls: grant or revoke its own members (reading back at once), invite new
/// people, accept the shared invites (each once, whoever is first).
fn call_for_a_while(
    hub: &Hub,
    tenant: TenantId,
    product: ProductId,
    invites: &[(String, String)],
    process: u32,
    thread: usize,
) -> Vec<String> {
    let t = hub.tenant(tenant).unwrap();
    let mut out = Vec::new();
    let own: Vec<MemberId> = (0..2)
        .map(|i| {
            let email = format!("own{i}.{process}.{thread}@load.test");
            t.add_customer(Actor::System, NewCustomer::new(email))
                .unwrap()
                .member
                .id
        })
        .collect();
    let mut last = [None; 2];
    let started = Instant::now();
    let mut step = 0usize;
    while started.elapsed() < LOAD {
        match step % 3 {
            0 => {
                let i = (step / 3) % 2;
                let grant = (step / 6) % 2 == 0;
                let done = match grant {
                    true => t
                        .grant(Actor::System, own[i], product, GrantOptions::default())
                        .map(drop),
                    false => t.revoke(Actor::System, own[i], product).map(drop),
                };
                match done {
                    Ok(()) => {
                        last[i] = Some(grant);
                        // Read your own write, on whatever shard it lives now.
                        match t.has_access(own[i], product) {
                            Ok(held) if held == grant => {}
                            Ok(_) => out.push(format!("stale {}", own[i])),
                            Err(e) => out.push(format!("error read {}", e)),
                        }
                    }
                    Err(e) => out.push(format!("error toggle {e}")),
                }
            }
            1 => {
                let email = format!("new{step}.{process}.{thread}@load.test");
                let invite = NewInvite::new(&email).product(product);
                match t.invite(Actor::System, invite) {
                    Ok(_) => out.push(format!("invited {email}")),
                    Err(e) => out.push(format!("error invite {e}")),
                }
            }
            _ => {
                let (email, token) = &invites[(step / 3) % invites.len()];
                match t.accept(token, Some(email)) {
                    Ok(a) => out.push(format!("accepted {}", a.invite.id)),
                    Err(e) if e.code() == ErrorCode::InviteUsed => {}
                    Err(e) => out.push(format!("error accept {e}")),
                }
            }
        }
        step += 1;
    }
    for (m, state) in own.iter().zip(last) {
        if let Some(state) = state {
            out.push(format!("holds {m} {state}"));
        }
    }
    out
}

/// The shard holding `tenant`'s rows of `schema.tenants`, and the worker it is on.
fn placement(admin: &mut postgres::Client, schema: &str, tenant: TenantId) -> (i64, String, i32) {
    let row = admin
        .query_one(
            &format!(
                "SELECT shardid, nodename::text, nodeport FROM citus_shards
                 WHERE table_name = '{schema}.tenants'::regclass
                   AND shardid = get_shard_id_for_distribution_column('{schema}.tenants', '{tenant}')"
            ),
            &[],
        )
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

/// The workers: (host, port) of every node that holds shards.
fn workers(admin: &mut postgres::Client) -> Vec<(String, i32)> {
    admin
        .query(
            "SELECT nodename::text, nodeport FROM pg_dist_node
             WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[test]
fn a_shard_move_and_a_tenant_isolation_under_load_lose_nothing() {
    let Some(server) = coordinator() else {
        return;
    };
    let _alone = CLUSTER.lock().unwrap_or_else(|e| e.into_inner());
    let (schema, url) = fresh(&server, "mk_online");
    let hub = Hub::open(&url).unwrap();
    let t = hub.create_tenant("Hot").unwrap();
    // Neighbours sharing its shards until it is isolated.
    for i in 0..6 {
        hub.create_tenant(&format!("Neighbour {i}")).unwrap();
    }
    let product = t
        .create_product(
            Actor::System,
            NewProduct::paid("Course", ProductKind::Course),
        )
        .unwrap();
    let invites: Vec<(String, String)> = (0..30)
        .map(|i| {
            let email = format!("invitee{i}@load.test");
            let issued = t.invite(Actor::System, NewInvite::new(&email)).unwrap();
            (email, issued.token.expose().to_owned())
        })
        .collect();
    let plan = common::plan_line(&url, t.id(), product.id, &invites);
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| common::spawn_helper("load", WORKER, &plan))
        .collect();

    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    let (shard, host, port) = placement(&mut admin, &schema, t.id());
    let (to_host, to_port) = workers(&mut admin)
        .into_iter()
        .find(|w| w.1 != port)
        .expect("a second worker");
    let moving = Instant::now();
    admin
        .execute(
            &format!(
                "SELECT citus_move_shard_placement({shard}, '{host}', {port}, '{to_host}', \
                 {to_port}, shard_transfer_mode => 'force_logical')"
            ),
            &[],
        )
        .unwrap();
    let moved_in = moving.elapsed();
    assert_eq!(placement(&mut admin, &schema, t.id()).2, to_port, "moved");
    std::thread::sleep(Duration::from_millis(1000));
    // Writes wait while the tenant's rows are copied. Logical mode ('force_logical') hangs
    // under concurrent updates in Citus itself (citusdata/citus#6790): its split decoder sent
    // `members` updates without the replica identity, and the isolation waited forever.
    let isolating = Instant::now();
    admin
        .execute(
            &format!(
                "SELECT isolate_tenant_to_new_shard('{schema}.tenants', '{}'::uuid, 'CASCADE', \
                 shard_transfer_mode => 'block_writes')",
                t.id()
            ),
            &[],
        )
        .unwrap();
    let isolated_in = isolating.elapsed();
    let (isolated, _, _) = placement(&mut admin, &schema, t.id());
    assert_ne!(isolated, shard, "the tenant has a shard of its own");

    let mut results = Vec::new();
    let mut retried = 0u64;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a load process failed");
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            if let Some(at) = line.find("retried ") {
                retried += line[at + 8..].trim().parse::<u64>().unwrap();
            } else if let Some(at) = line.find("result ") {
                results.push(line[at + 7..].to_owned());
            }
        }
    }
    let errors: Vec<&String> = results
        .iter()
        .filter(|r| r.starts_with("error") || r.starts_with("stale"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // Every acknowledged invite is there, pending.
    let pending: BTreeSet<String> = t
        .invites(Some(InviteStatus::Pending))
        .unwrap()
        .into_iter()
        .map(|i| i.email)
        .collect();
    let invited: Vec<&str> = results
        .iter()
        .filter_map(|r| r.strip_prefix("invited "))
        .collect();
    assert!(!invited.is_empty());
    for email in &invited {
        assert!(
            pending.contains(*email),
            "{email} was acknowledged, then lost"
        );
    }
    // Each shared invite accepted once at most, and the accepted ones are members now.
    let accepted: Vec<&str> = results
        .iter()
        .filter_map(|r| r.strip_prefix("accepted "))
        .collect();
    let distinct: BTreeSet<&&str> = accepted.iter().collect();
    assert_eq!(accepted.len(), distinct.len(), "an invite accepted twice");
    assert_eq!(
        accepted.len(),
        invites.len(),
        "every shared invite was accepted"
    );
    // Each member holds what the last acknowledged grant or revoke left.
    let mut held = 0;
    for r in &results {
        if let Some(rest) = r.strip_prefix("holds ") {
            let (m, state) = rest.split_once(' ').unwrap();
            let m: MemberId = m.parse().unwrap();
            assert_eq!(t.has_access(m, product.id).unwrap(), state == "true", "{r}");
            held += 1;
        }
    }
    assert_eq!(held, PROCESSES * THREADS * 2);
    println!(
        "online: {} acknowledged writes over {:?}; shard move {:.1} s, isolation {:.1} s; \
         {retried} transactions retried by the store, none seen by a caller",
        results.len(),
        LOAD,
        moved_in.as_secs_f64(),
        isolated_in.as_secs_f64()
    );
}

#[test]
fn a_killed_worker_fails_only_its_own_tenants_clearly_and_loses_nothing() {
    let Some(server) = coordinator() else {
        return;
    };
    let _alone = CLUSTER.lock().unwrap_or_else(|e| e.into_inner());
    let (schema, url) = fresh(&server, "mk_kill");
    let hub = Hub::open(&url).unwrap();
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    let nodes = workers(&mut admin);
    // A tenant on each worker.
    let mut on: Vec<Option<Tenant>> = vec![None, None];
    for i in 0..64 {
        let tenant = hub.create_tenant(&format!("Tenant {i}")).unwrap();
        let (_, _, port) = placement(&mut admin, &schema, tenant.id());
        let slot = nodes.iter().position(|n| n.1 == port).unwrap();
        on[slot].get_or_insert(tenant);
        if on.iter().all(Option::is_some) {
            break;
        }
    }
    let [Some(alive), Some(doomed)] = [on[0].take(), on[1].take()] else {
        panic!("no tenant landed on one of the workers");
    };
    let products: Vec<ProductId> = [&alive, &doomed]
        .iter()
        .map(|t| {
            t.create_product(
                Actor::System,
                NewProduct::paid("Course", ProductKind::Course),
            )
            .unwrap()
            .id
        })
        .collect();
    let before: Vec<MemberId> = [&alive, &doomed]
        .iter()
        .zip(&products)
        .map(|(t, p)| {
            let new = NewCustomer::new("before@kill.test").product(*p);
            t.add_customer(Actor::System, new).unwrap().member.id
        })
        .collect();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/citus");
    let citus = |what: &str, port: i32| {
        let status = std::process::Command::new(script)
            .args([what, &port.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "scripts/citus {what} {port}");
    };
    // Load on both tenants from before the kill until after the revival.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (acked, refused) = std::thread::scope(|s| {
        let load = s.spawn(|| {
            let (mut acked, mut refused) = (Vec::new(), Vec::new());
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (slot, tenant) = match i % 2 {
                    0 => (0, &alive),
                    _ => (1, &doomed),
                };
                let email = format!("load{i}@kill.test");
                match tenant.add_customer(Actor::System, NewCustomer::new(&email)) {
                    Ok(_) => acked.push((slot, email)),
                    Err(e) => refused.push((slot, e)),
                }
                i += 1;
            }
            (acked, refused)
        });
        std::thread::sleep(Duration::from_millis(300));
        killed_and_back(&citus, &nodes, &alive, &doomed, &before, &products);
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        load.join().unwrap()
    });
    // Only the killed worker's tenant saw errors, each a storage error; every acknowledged
    // write is there.
    assert!(!refused.is_empty(), "the load reached the killed worker");
    for (slot, e) in &refused {
        assert_eq!(*slot, 1, "a tenant on the live worker failed: {e}");
        assert_eq!(e.code(), ErrorCode::Storage, "{e}");
    }
    for (slot, email) in &acked {
        let tenant = [&alive, &doomed][*slot];
        assert!(
            tenant.member_by_email(email).unwrap().is_some(),
            "{email} lost"
        );
    }
    println!(
        "worker killed: {} writes acknowledged, {} refused (all on the killed worker's tenant)",
        acked.len(),
        refused.len()
    );
}

/// Kills the second worker, checks both tenants during the outage, revives it, and checks the
/// killed worker's tenant is back with what it held.
fn killed_and_back(
    citus: &dyn Fn(&str, i32),
    nodes: &[(String, i32)],
    alive: &Tenant,
    doomed: &Tenant,
    before: &[MemberId],
    products: &[ProductId],
) {
    citus("kill", nodes[1].1);
    // The other worker's tenant keeps working; the killed one's calls fail as storage errors
    // that say why.
    for i in 0..20 {
        let email = format!("during{i}@kill.test");
        let new = NewCustomer::new(&email).product(products[0]);
        alive.add_customer(Actor::System, new).unwrap();
        assert!(alive.has_access(before[0], products[0]).unwrap());
    }
    let failed = doomed
        .add_customer(Actor::System, NewCustomer::new("during@kill.test"))
        .unwrap_err();
    assert_eq!(failed.code(), ErrorCode::Storage, "{failed}");
    let message = failed.to_string();
    assert!(
        message.contains(&nodes[1].1.to_string()) || message.contains("connect"),
        "the error says which node or why: {message}"
    );
    let read = doomed.has_access(before[1], products[1]).unwrap_err();
    assert_eq!(read.code(), ErrorCode::Storage, "{read}");
    citus("revive", nodes[1].1);

    // Back: what was acknowledged before is there, and the tenant takes writes again.
    let deadline = Instant::now() + Duration::from_secs(30);
    let back = loop {
        match doomed.has_access(before[1], products[1]) {
            Ok(held) => break held,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => panic!("the worker did not come back: {e}"),
        }
    };
    assert!(back);
    doomed
        .add_customer(Actor::System, NewCustomer::new("after@kill.test"))
        .unwrap();
    for i in 0..20 {
        let email = format!("during{i}@kill.test");
        assert!(alive.member_by_email(&email).unwrap().is_some());
    }
    assert!(doomed
        .member_by_email("during@kill.test")
        .unwrap()
        .is_none());
}
