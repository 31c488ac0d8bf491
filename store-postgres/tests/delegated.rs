//! On a Citus coordinator the hot reads (`has_access`, `can`) are functions delegated to the
//! worker that holds the tenant: checked in the catalog, and by the commands the coordinator
//! sends. On plain PostgreSQL the functions must not exist (one statement serves there).

mod common;

use memberkit::*;
use memberkit_postgres::PgStore;
use std::sync::{Arc, Mutex};

const FUNCTIONS: [&str; 2] = ["memberkit_access_facts_v1", "memberkit_permission_facts_v1"];

#[test]
fn the_hot_reads_run_on_the_worker_that_holds_the_tenant() {
    let Some(server) = common::server() else {
        return common::skip_note("delegated functions");
    };
    let url = common::fresh_url(&server);
    let hub = Hub::new(PgStore::open(&url).unwrap());
    let t = hub.create_tenant("Delegated").unwrap();
    let course = t
        .create_product(Actor::System, NewProduct::paid("C", ProductKind::Course))
        .unwrap();
    let mut new = NewCustomer::new("d@example.com");
    new.products = vec![course.id];
    let m = t.add_customer(Actor::System, new).unwrap().member;
    assert!(t.has_access(m.id, course.id).unwrap());

    // Notices (the remote commands Citus logs) collected from our own session.
    let notices = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = notices.clone();
    let mut config: postgres::Config = url.parse().unwrap();
    config.notice_callback(move |n| sink.lock().unwrap().push(n.message().to_string()));
    let mut client = config.connect(postgres::NoTls).unwrap();
    let defined: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_proc WHERE proname = ANY($1)
               AND pronamespace = current_schema()::regnamespace",
            &[&FUNCTIONS.as_slice()],
        )
        .unwrap()
        .get(0);
    if !common::is_citus(&server) {
        assert_eq!(defined, 0, "the functions exist only on Citus");
        return;
    }
    assert_eq!(defined, 2, "both functions are created on Citus");

    // Distributed by their first argument (the tenant), co-located with `tenants`.
    let placed = client
        .query(
            "SELECT p.proname::text, o.distribution_argument_index,
                    o.colocationid = (SELECT colocationid FROM pg_dist_partition
                                      WHERE logicalrelid = 'tenants'::regclass)
             FROM pg_dist_object o JOIN pg_proc p ON p.oid = o.objid
             WHERE o.classid = 'pg_proc'::regclass AND p.proname = ANY($1)
               AND p.pronamespace = current_schema()::regnamespace
             ORDER BY 1",
            &[&FUNCTIONS.as_slice()],
        )
        .unwrap();
    let placed: Vec<(String, Option<i32>, Option<bool>)> = placed
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        placed,
        FUNCTIONS
            .iter()
            .map(|f| (f.to_string(), Some(0), Some(true)))
            .collect::<Vec<_>>()
    );

    // A call is forwarded whole to one worker: the one command the coordinator sends is the
    // call itself, not the function's lookups on shards.
    client
        .batch_execute("SET citus.log_remote_commands = on; SET client_min_messages = log")
        .unwrap();
    notices.lock().unwrap().clear();
    let tenant = *t.id().as_uuid();
    let rows = client
        .query(
            "SELECT * FROM memberkit_access_facts_v1($1, $2, $3)",
            &[&tenant, m.id.as_uuid(), course.id.as_uuid()],
        )
        .unwrap();
    assert_eq!(rows.len(), 1, "the member's own grant: one row");
    let sent: Vec<String> = notices
        .lock()
        .unwrap()
        .iter()
        .filter(|n| n.starts_with("issuing"))
        .cloned()
        .collect();
    assert!(
        sent.iter().any(|c| c.contains("memberkit_access_facts_v1")),
        "the call was not delegated; the coordinator sent: {sent:?}"
    );
    assert!(
        !sent
            .iter()
            .any(|c| c.contains("grants_") || c.contains("members_")),
        "the coordinator read shards itself: {sent:?}"
    );
}
