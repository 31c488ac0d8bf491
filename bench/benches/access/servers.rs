//! The server figures, side by side in one run: single-server PostgreSQL
//! (`MEMBERKIT_BENCH_POSTGRES`, else `MEMBERKIT_TEST_POSTGRES`) and a Citus coordinator
//! (`MEMBERKIT_BENCH_CITUS`, else `MEMBERKIT_TEST_CITUS`), each beside the same work by hand on
//! the same database, then memberkit on Citus against memberkit on one server, and the mixed
//! workload on both with how the cluster would grow.

use crate::mixed::{self, Mixed};
use crate::postgres::{self, Summary};
use crate::worker_reads::{self, WorkerReads};
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
    let routed = cluster
        .as_ref()
        .map(|s| worker_reads::compare(size, &s.url));
    let one_mixed = one
        .as_ref()
        .map(|s| mixed::run(size, "postgres", &s.url, false));
    let cluster_mixed = cluster
        .as_ref()
        .map(|s| mixed::run(size, "citus", &s.url, false));
    let routed_mixed = cluster
        .as_ref()
        .map(|s| mixed::run(size, "citus, memberkit_reads=workers,", &s.url, true));
    if let (Some(one), Some(cluster), Some(routed)) = (&one, &cluster, &routed) {
        side_by_side(one, cluster, routed);
    }
    if let (Some(one), Some(cluster), Some(routed)) = (&one_mixed, &cluster_mixed, &routed_mixed) {
        println!(
            "mixed workload, {} clients: citus {:.0} ops/s, with reads on the workers {:.0} ops/s \
             | one server {:.0} ops/s ({:.2}x and {:.2}x; here the three nodes share this \
             machine's cores)",
            mixed::CLIENTS,
            cluster.per_second,
            routed.per_second,
            one.per_second,
            cluster.per_second / one.per_second,
            routed.per_second / one.per_second
        );
        growth(one, cluster, routed);
    }
}

fn side_by_side(one: &Summary, cluster: &Summary, routed: &WorkerReads) {
    println!(
        "memberkit on citus against one server: has_access p50 {:.1} µs, reads on the workers \
         {:.1} µs | {:.1} µs ({:.2}x, {:.2}x); can p50 {:.1} µs, on the workers {:.1} µs | {:.1} \
         µs ({:.2}x, {:.2}x); grants {:.0}/s | {:.0}/s ({:.2}x the rate); import {:.0} rows/s | \
         {:.0} rows/s ({:.2}x the rate)",
        cluster.has_access,
        routed.has_access,
        one.has_access,
        cluster.has_access / one.has_access,
        routed.has_access / one.has_access,
        cluster.can,
        routed.can,
        one.can,
        cluster.can / one.can,
        routed.can / one.can,
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
/// coordinator's CPU and the workers' (shared by tenant) are the two limits. With reads on the
/// workers the coordinator only sees the writes.
fn growth(one: &Mixed, cluster: &Mixed, routed: &Mixed) {
    let cpu = |m: &Mixed, prefix: &str| -> Option<f64> {
        let parts: Vec<f64> = m
            .cpu_per_op
            .iter()
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(_, us)| *us)
            .collect();
        (!parts.is_empty()).then(|| parts.iter().sum())
    };
    let (Some(server), Some(coordinator), Some(workers), Some(coordinator_w), Some(workers_w)) = (
        cpu(one, "server"),
        cpu(cluster, "coordinator"),
        cpu(cluster, "worker"),
        cpu(routed, "coordinator"),
        cpu(routed, "worker"),
    ) else {
        println!("  (growth with workers: the servers' processes are not readable here)");
        return;
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let rate = |us: f64| cores * 1e6 / us;
    println!(
        "  server CPU per operation: one server {server:.0} µs; citus coordinator \
         {coordinator:.0} µs + workers {workers:.0} µs; with reads on the workers, coordinator \
         {coordinator_w:.0} µs + workers {workers_w:.0} µs. With each node on {cores} cores of \
         its own, one server tops out near {:.0} ops/s, and the cluster near:",
        rate(server)
    );
    let bound = |k: f64, coordinator: f64, workers: f64| {
        let (w, c) = (k * rate(workers), rate(coordinator));
        (w.min(c), if w < c { "workers" } else { "coordinator" })
    };
    for k in [2.0, 4.0, 8.0, 16.0] {
        let (through, by) = bound(k, coordinator, workers);
        let (routed, routed_by) = bound(k, coordinator_w, workers_w);
        println!(
            "    {k} workers: {through:.0} ops/s through the coordinator ({by} bound); \
             {routed:.0} ops/s with memberkit_reads=workers ({routed_by} bound)"
        );
    }
}
