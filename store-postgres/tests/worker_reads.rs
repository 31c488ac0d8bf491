//! `memberkit_reads=workers`: on Citus, `has_access` and `can` run on the worker that holds the
//! tenant's shard, see every change at once (from any connection), and stay right after the
//! shard moves away under a cached route. Elsewhere the parameter changes nothing; a wrong value
//! is refused before anything connects.

mod common;

use memberkit::*;
use memberkit_postgres::PgStore;

const APP: &str = "memberkit worker reads";

#[test]
fn a_value_other_than_workers_or_coordinator_is_refused_before_connecting() {
    // Port 1: nothing listens there, so getting `invalid_input` proves nothing connected.
    let err = PgStore::open("postgresql://app:s3cret@127.0.0.1:1/db?memberkit_reads=replica")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("memberkit_reads=replica"), "{err}");
    assert!(!err.to_string().contains("s3cret"), "{err}");
}

#[test]
fn the_hot_reads_go_to_the_tenants_worker_and_see_every_change_at_once() {
    let Some(server) = common::server() else {
        return common::skip_note("worker reads");
    };
    let url = format!("{}&memberkit_reads=workers", common::fresh_url(&server));
    let hub = Hub::new(PgStore::open(&url).unwrap());
    // A second hub through the coordinator only: changes made elsewhere.
    let elsewhere = Hub::new(PgStore::open(&url.replace("=workers", "=coordinator")).unwrap());
    let t = hub.create_tenant("Routed").unwrap();
    let course = t
        .create_product(Actor::System, NewProduct::paid("C", ProductKind::Course))
        .unwrap();
    let mut new = NewCustomer::new("r@example.com");
    new.products = vec![course.id];
    let m = t.add_customer(Actor::System, new).unwrap().member;
    let other = elsewhere.tenant(t.id()).unwrap();
    let reply = Permission::custom("tickets.reply");
    let support = t
        .create_role(Actor::System, "Support", std::slice::from_ref(&reply))
        .unwrap();
    t.assign_role(Actor::System, m.id, Role::Custom(support.id), None)
        .unwrap();

    assert!(t.has_access(m.id, course.id).unwrap());
    assert!(t.can(m.id, &reply, None).unwrap());
    other.revoke(Actor::System, m.id, course.id).unwrap();
    assert!(
        !t.has_access(m.id, course.id).unwrap(),
        "a revoke is seen at once"
    );
    other
        .update_role(Actor::System, support.id, "Support", &[])
        .unwrap();
    assert!(
        !t.can(m.id, &reply, None).unwrap(),
        "a narrowed role at once"
    );

    if !common::is_citus(&server) {
        return; // Off Citus the parameter changes nothing; the answers above are the test.
    }
    let mut coordinator = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    let schema = url
        .split("search_path%3D")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap()
        .to_owned();
    let (shard, holder) = placement(&mut coordinator, &schema, t.id());
    let nodes = workers(&mut coordinator);
    let server_config: postgres::Config = server.parse().unwrap();
    assert!(nodes.len() >= 2, "the test cluster has two workers");
    // The reads ran on the worker holding the shard, and only there.
    for node in &nodes {
        let ran = reads_seen(&server_config, node);
        match *node == holder {
            true => assert!(
                ran > 0,
                "no hot read reached {node:?}, which holds the tenant"
            ),
            false => assert_eq!(ran, 0, "hot reads reached {node:?}, which does not"),
        }
    }

    // The shard moves away; the cached route now names the old worker, which forwards.
    let to = nodes.iter().find(|n| **n != holder).unwrap();
    coordinator
        .execute(
            "SELECT citus_move_shard_placement($1, $2, $3, $4, $5,
                 shard_transfer_mode := 'block_writes')",
            &[&shard, &holder.0, &holder.1, &to.0, &to.1],
        )
        .unwrap();
    assert!(!t.has_access(m.id, course.id).unwrap());
    other
        .grant(Actor::System, m.id, course.id, GrantOptions::default())
        .unwrap();
    assert!(
        t.has_access(m.id, course.id).unwrap(),
        "a grant after the move is seen at once"
    );
    other
        .update_role(
            Actor::System,
            support.id,
            "Support",
            std::slice::from_ref(&reply),
        )
        .unwrap();
    assert!(t.can(m.id, &reply, None).unwrap());
    // Another tenant's ids are not found, as through the coordinator.
    let stranger = hub.create_tenant("Stranger").unwrap();
    assert_eq!(
        stranger.has_access(m.id, course.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

/// The worker holding `tenant`'s shard of `schema.tenants`, and the shard.
fn placement(admin: &mut postgres::Client, schema: &str, tenant: TenantId) -> (i64, (String, i32)) {
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
    (row.get(0), (row.get(1), row.get(2)))
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

/// Connections of this store on `node` whose last statement was a hot read.
fn reads_seen(server: &postgres::Config, (host, port): &(String, i32)) -> i64 {
    let mut config = postgres::Config::new();
    config.host(host).port(*port as u16);
    config.user(server.get_user().unwrap_or("postgres"));
    config.dbname(server.get_dbname().unwrap_or("postgres"));
    if let Some(password) = server.get_password() {
        config.password(password);
    }
    let mut client = config.connect(postgres::NoTls).unwrap();
    client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1
               AND query LIKE '%memberkit\\_%\\_facts\\_v1%'",
            &[&APP],
        )
        .unwrap()
        .get(0)
}
