//! The server figures, side by side in one run: single-server PostgreSQL
//! (`MEMBERKIT_BENCH_POSTGRES`, else `MEMBERKIT_TEST_POSTGRES`) and a Citus coordinator
//! (`MEMBERKIT_BENCH_CITUS`, else `MEMBERKIT_TEST_CITUS`), each beside the same work by hand on
//! the same database, then memberkit on Citus against memberkit on one server, and the mixed
//! workload on both with how the cluster would grow.

use crate::mixed::{self, Mixed};
use crate::postgres::{self, Summary};
use memberkit_bench::Size;

pub fn compare(size: &Size) {
    let server = |vars: [&str; 2]| {
        vars.iter()
            .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
    };
    let one = server(["MEMBERKIT_BENCH_POSTGRES", "MEMBERKIT_TEST_POSTGRES"]);
    let cluster = server(["MEMBERKIT_BENCH_CITUS", "MEMBERKIT_TEST_CITUS"]);
    if one.is_none() && cluster.is_none() {
        println!(
            "PostgreSQL and Citus: skipped (set MEMBERKIT_BENCH_POSTGRES or MEMBERKIT_BENCH_CITUS, \
             or run `eval \"$(scripts/postgres start)\"` or `eval \"$(scripts/citus start)\"` \
             first)"
        );
        return;
    }
    let one = one.map(|s| postgres::compare(size, "postgres", &s));
    let cluster = cluster.map(|s| postgres::compare(size, "citus", &s));
    let one_mixed = one.as_ref().map(|s| mixed::run(size, "postgres", &s.url));
    let cluster_mixed = cluster.as_ref().map(|s| mixed::run(size, "citus", &s.url));
    if let (Some(one), Some(cluster)) = (&one, &cluster) {
        side_by_side(one, cluster);
    }
    if let (Some(one), Some(cluster)) = (&one_mixed, &cluster_mixed) {
        println!(
            "mixed workload, {} clients: citus {:.0} ops/s | one server {:.0} ops/s ({:.2}x; here \
             the three nodes share this machine's cores)",
            mixed::CLIENTS,
            cluster.per_second,
            one.per_second,
            cluster.per_second / one.per_second
        );
        growth(one, cluster);
    }
}

fn side_by_side(one: &Summary, cluster: &Summary) {
    println!(
        "memberkit on citus against one server: has_access p50 {:.1} µs | {:.1} µs ({:.2}x); can \
         p50 {:.1} µs | {:.1} µs ({:.2}x); grants {:.0}/s | {:.0}/s ({:.2}x the rate); import \
         {:.0} rows/s | {:.0} rows/s ({:.2}x the rate)",
        cluster.has_access,
        one.has_access,
        cluster.has_access / one.has_access,
        cluster.can,
        one.can,
        cluster.can / one.can,
        cluster.grants,
        one.grants,
        cluster.grants / one.grants,
        cluster.import,
        one.import,
        cluster.import / one.import,
    );
}

/// How the cluster's throughput grows with workers, from the CPU time each node spent per
/// operation: with every node on a machine of its own with this machine's cores, the
/// coordinator's CPU and the workers' (shared by tenant) are the two limits.
fn growth(one: &Mixed, cluster: &Mixed) {
    let cpu = |m: &Mixed, prefix: &str| -> Option<f64> {
        let parts: Vec<f64> = m
            .cpu_per_op
            .iter()
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(_, us)| *us)
            .collect();
        (!parts.is_empty()).then(|| parts.iter().sum())
    };
    let (Some(server), Some(coordinator), Some(workers)) = (
        cpu(one, "server"),
        cpu(cluster, "coordinator"),
        cpu(cluster, "worker"),
    ) else {
        println!("  (growth with workers: the servers' processes are not readable here)");
        return;
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let rate = |us: f64| cores * 1e6 / us;
    println!(
        "  server CPU per operation: one server {server:.0} µs; citus coordinator \
         {coordinator:.0} µs + workers {workers:.0} µs. With each node on {cores} cores of its \
         own, one server tops out near {:.0} ops/s, and the cluster near:",
        rate(server)
    );
    for k in [2.0, 4.0, 8.0, 16.0] {
        let workers_bound = k * rate(workers);
        let coordinator_bound = rate(coordinator);
        println!(
            "    {k} workers: {:.0} ops/s through one coordinator ({} bound); {:.0} ops/s with \
             the app servers connecting to the workers directly (each worker also routes)",
            workers_bound.min(coordinator_bound),
            if workers_bound < coordinator_bound {
                "workers"
            } else {
                "coordinator"
            },
            k * rate(workers + coordinator)
        );
    }
}
