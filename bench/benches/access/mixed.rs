//! Throughput of a mixed workload over every tenant of the dataset: 90% `has_access`, 10%
//! writes (a grant, or a revoke when the member already has the product), from the same number
//! of client threads on each server. Where the servers run on this machine, the CPU time each
//! node's processes spent per operation is read from /proc, and from it how the cluster's
//! throughput would grow with workers on machines of their own.

use memberkit::*;
use memberkit_bench::{Rng, Size};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Client threads, the same on every server.
pub const CLIENTS: usize = 8;

/// One tenant's ids: every member and product for reads, active members and live paid
/// products for writes.
struct TenantIds {
    tenant: Tenant,
    members: Vec<MemberId>,
    products: Vec<ProductId>,
    writable_members: Vec<MemberId>,
    writable_products: Vec<ProductId>,
}

/// What one run measured.
pub struct Mixed {
    /// Operations per second, all clients together.
    pub per_second: f64,
    /// CPU time per operation of each node's processes (µs), by node label, when readable.
    pub cpu_per_op: Vec<(String, f64)>,
}

/// Runs the workload on the dataset at `url` (the hub's URL) for a window fitting `size`;
/// with `reads_on_workers`, the hub sends its reads to the Citus workers
/// (`memberkit_reads=workers`).
pub fn run(size: &Size, label: &str, url: &str, reads_on_workers: bool) -> Mixed {
    let window = match size.name {
        "full" => Duration::from_secs(20),
        "quick" => Duration::from_secs(8),
        _ => Duration::from_millis(300),
    };
    let store_url = match reads_on_workers {
        true => format!("{url}&memberkit_reads=workers"),
        false => url.to_owned(),
    };
    let store =
        memberkit_postgres::PgStore::open_with_pool_size(&store_url, CLIENTS as u32).unwrap();
    let hub = Hub::new(store);
    let tenants = read_tenants(&hub, url);
    let nodes = Nodes::find(url);
    let ops = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let before = nodes.cpu();
    let started = Instant::now();
    std::thread::scope(|s| {
        for client in 0..CLIENTS {
            let (tenants, ops, stop) = (&tenants, &ops, &stop);
            s.spawn(move || {
                let mut rng = Rng(0x5eed_0000 + client as u64 * 7919);
                let mut done = 0;
                while !stop.load(Ordering::Relaxed) {
                    one_operation(&tenants[rng.below(tenants.len())], &mut rng);
                    done += 1;
                }
                ops.fetch_add(done, Ordering::Relaxed);
            });
        }
        std::thread::sleep(window);
        stop.store(true, Ordering::Relaxed);
    });
    let elapsed = started.elapsed().as_secs_f64();
    let after = nodes.cpu();
    let ops = ops.load(Ordering::Relaxed);
    let cpu_per_op = nodes
        .labels
        .iter()
        .zip(before.iter().zip(&after))
        .filter_map(|(name, (b, a))| Some((name.clone(), (a.as_ref()? - b.as_ref()?) / ops as f64)))
        .collect();
    let mixed = Mixed {
        per_second: ops as f64 / elapsed,
        cpu_per_op,
    };
    print!(
        "{label} mixed workload (90% has_access, 10% grant or revoke; {} tenants, {CLIENTS} \
         clients): {:.0} ops/s",
        tenants.len(),
        mixed.per_second
    );
    if !mixed.cpu_per_op.is_empty() {
        let parts: Vec<String> = mixed
            .cpu_per_op
            .iter()
            .map(|(n, us)| format!("{n} {us:.0} µs"))
            .collect();
        print!("; server CPU per operation: {}", parts.join(", "));
    }
    println!();
    mixed
}

fn one_operation(t: &TenantIds, rng: &mut Rng) {
    if rng.below(10) != 0 || t.writable_members.is_empty() || t.writable_products.is_empty() {
        let m = t.members[rng.below(t.members.len())];
        let p = t.products[rng.below(t.products.len())];
        t.tenant.has_access(m, p).unwrap();
        return;
    }
    let m = t.writable_members[rng.below(t.writable_members.len())];
    let p = t.writable_products[rng.below(t.writable_products.len())];
    let revoked = t.tenant.revoke(Actor::System, m, p).unwrap();
    if revoked.is_none() {
        t.tenant
            .grant(Actor::System, m, p, GrantOptions::default())
            .unwrap();
    }
}

fn read_tenants(hub: &Hub, url: &str) -> Vec<TenantIds> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let ids: Vec<uuid::Uuid> = client
        .query("SELECT tenant_id FROM tenants ORDER BY tenant_id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut list = |sql: &str, t: &uuid::Uuid| -> Vec<uuid::Uuid> {
        let rows = client.query(sql, &[t]).unwrap();
        rows.iter().map(|r| r.get(0)).collect()
    };
    ids.iter()
        .map(|t| TenantIds {
            tenant: hub.tenant(TenantId::from_uuid(*t)).unwrap(),
            members: list("SELECT id FROM members WHERE tenant_id = $1", t)
                .into_iter()
                .map(MemberId::from_uuid)
                .collect(),
            products: list("SELECT id FROM products WHERE tenant_id = $1", t)
                .into_iter()
                .map(ProductId::from_uuid)
                .collect(),
            writable_members: list(
                "SELECT id FROM members WHERE tenant_id = $1 AND status = 'active'",
                t,
            )
            .into_iter()
            .map(MemberId::from_uuid)
            .collect(),
            writable_products: list(
                "SELECT id FROM products WHERE tenant_id = $1 AND paid AND NOT archived",
                t,
            )
            .into_iter()
            .map(ProductId::from_uuid)
            .collect(),
        })
        .collect()
}

/// The database servers behind a URL: the server itself and, on a Citus coordinator, each
/// worker; with each one's postmaster when its data directory is readable here.
struct Nodes {
    labels: Vec<String>,
    postmasters: Vec<Option<u32>>,
}

impl Nodes {
    fn find(url: &str) -> Nodes {
        let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let own: String = client.query_one("SHOW data_directory", &[]).unwrap().get(0);
        let mut found = vec![("server".to_string(), own)];
        let citus: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')",
                &[],
            )
            .unwrap()
            .get(0);
        if citus {
            found[0].0 = "coordinator".into();
            let workers = client
                .query(
                    "SELECT nodeport::text, result FROM run_command_on_workers(
                         'SHOW data_directory') WHERE success ORDER BY nodeport",
                    &[],
                )
                .unwrap();
            for w in workers {
                found.push((format!("worker :{}", w.get::<_, String>(0)), w.get(1)));
            }
        }
        Nodes {
            labels: found.iter().map(|(l, _)| l.clone()).collect(),
            postmasters: found.iter().map(|(_, dir)| postmaster(dir)).collect(),
        }
    }

    /// Each node's CPU time so far (µs): its postmaster, every live child, and the children
    /// it has reaped.
    fn cpu(&self) -> Vec<Option<f64>> {
        let procs = processes();
        self.postmasters
            .iter()
            .map(|pm| {
                let pm = (*pm)?;
                let own = procs.iter().find(|p| p.pid == pm)?;
                let children: f64 = procs.iter().filter(|p| p.parent == pm).map(|p| p.own).sum();
                Some(own.own + own.reaped + children)
            })
            .collect()
    }
}

fn postmaster(data_dir: &str) -> Option<u32> {
    let text = std::fs::read_to_string(Path::new(data_dir).join("postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

struct Process {
    pid: u32,
    parent: u32,
    /// utime + stime, µs.
    own: f64,
    /// cutime + cstime, µs.
    reaped: f64,
}

fn processes() -> Vec<Process> {
    // Clock ticks are 100 per second on Linux.
    let tick_us = 10_000.0;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let field = |i: usize| rest.get(i)?.parse::<f64>().ok();
        Some(Process {
            pid,
            parent: rest.get(1)?.parse().ok()?,
            own: (field(11)? + field(12)?) * tick_us,
            reaped: (field(13)? + field(14)?) * tick_us,
        })
    })
    .collect()
}
