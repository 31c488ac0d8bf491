//! On Citus with `memberkit_reads=workers`: `has_access` and `can` sent to the worker holding the
//! tenant's shard, beside the same hub's calls through the coordinator and beside the same
//! statements by hand on that worker, interleaved in one run.

use crate::postgres::{by_hand_access, can_by_hand, ACCESS_SQL, CAN_SQL};
use crate::{interleave, Figures};
use memberkit::*;
use memberkit_bench::{Population, Size};
use memberkit_open::OpenHub;
use postgres::{Client, NoTls};

/// What reads on the workers measured (p50, µs).
pub struct WorkerReads {
    /// `has_access` on the worker.
    pub has_access: f64,
    /// `can` on the worker.
    pub can: f64,
}

/// The figures on the dataset at `url` (a coordinator's hub URL).
pub fn compare(size: &Size, url: &str) -> WorkerReads {
    let pop = Population::read_pg(url);
    let through_coordinator = Hub::open(url).unwrap();
    let on_workers = Hub::open(format!("{url}&memberkit_reads=workers")).unwrap();
    let (routed, direct) = (
        on_workers.tenant(pop.tenant).unwrap(),
        through_coordinator.tenant(pop.tenant).unwrap(),
    );
    let mut worker = connect_to_worker(url, pop.tenant);
    let access = worker.prepare(ACCESS_SQL).unwrap();
    let can_sql = CAN_SQL.map(|sql| worker.prepare(sql).unwrap());
    let t = pop.tenant;
    let samples = size.samples / 4;

    let mut figures = Figures::default();
    for rep in 0..size.reps {
        let pairs = pop.pairs(samples, 0x3c6e_f372 + rep as u64);
        let worker = std::cell::RefCell::new(&mut worker);
        interleave(
            &mut figures,
            &pairs,
            vec![
                (
                    "memberkit",
                    Box::new(|&(m, p)| routed.has_access(m, p).unwrap()),
                ),
                (
                    "through the coordinator",
                    Box::new(|&(m, p)| direct.has_access(m, p).unwrap()),
                ),
                (
                    "by hand on the worker",
                    Box::new(|&(m, p)| by_hand_access(&mut worker.borrow_mut(), &access, t, m, p)),
                ),
            ],
        );
    }
    let label = "citus, memberkit_reads=workers,";
    figures.print(
        &format!("{label} has_access"),
        "memberkit",
        &["through the coordinator", "by hand on the worker"],
    );
    let has_access = figures.stat("memberkit").0;

    let mut figures = Figures::default();
    for rep in 0..size.reps {
        let perm = |i: usize| Permission::CATALOGUE[i % Permission::CATALOGUE.len()].clone();
        let asks: Vec<(MemberId, Permission)> = pop
            .pairs(samples, 0xa54f_f53a + rep as u64)
            .into_iter()
            .enumerate()
            .map(|(i, (m, _))| (m, perm(i)))
            .collect();
        let worker = std::cell::RefCell::new(&mut worker);
        interleave(
            &mut figures,
            &asks,
            vec![
                (
                    "memberkit",
                    Box::new(|(m, p)| routed.can(*m, p, None).unwrap()),
                ),
                (
                    "through the coordinator",
                    Box::new(|(m, p)| direct.can(*m, p, None).unwrap()),
                ),
                (
                    "by hand on the worker",
                    Box::new(|(m, p)| {
                        can_by_hand(&mut worker.borrow_mut(), &can_sql, *t.as_uuid(), *m, p)
                    }),
                ),
            ],
        );
    }
    figures.print(
        &format!("{label} can"),
        "memberkit",
        &["through the coordinator", "by hand on the worker"],
    );
    WorkerReads {
        has_access,
        can: figures.stat("memberkit").0,
    }
}

/// A client on the worker holding `tenant`'s shard, with the URL's user, database and options.
fn connect_to_worker(url: &str, tenant: TenantId) -> Client {
    let mut coordinator = Client::connect(url, NoTls).unwrap();
    let row = coordinator
        .query_one(
            "SELECT n.nodename::text, n.nodeport FROM pg_dist_placement p
             JOIN pg_dist_node n ON n.groupid = p.groupid
             WHERE p.shardid = get_shard_id_for_distribution_column('tenants', $1::uuid)",
            &[tenant.as_uuid()],
        )
        .unwrap();
    let (host, port): (String, i32) = (row.get(0), row.get(1));
    let from: postgres::Config = url.parse().unwrap();
    let mut config = postgres::Config::new();
    config.host(&host).port(port as u16);
    if let Some(user) = from.get_user() {
        config.user(user);
    }
    if let Some(password) = from.get_password() {
        config.password(password);
    }
    if let Some(db) = from.get_dbname() {
        config.dbname(db);
    }
    if let Some(options) = from.get_options() {
        config.options(options);
    }
    config.connect(NoTls).unwrap()
}
