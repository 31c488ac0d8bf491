//! Distributed by tenant, checked on a live database: every primary key and unique index
//! leads with `tenant_id`, except the documented hub-wide tables.

mod common;

use memberkit_postgres::{PgStore, Placement, CITUS_PLACEMENT, HUB_WIDE_TABLES};

#[test]
fn every_key_leads_with_tenant_id_except_the_documented_hub_wide_tables() {
    let Some(server) = common::server() else {
        return common::skip_note("catalog");
    };
    let url = common::fresh_url(&server);
    PgStore::open(&url).unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let schema: String = client
        .query_one("SELECT current_schema()", &[])
        .unwrap()
        .get(0);
    // Each primary key and unique index: its table, its name, its first column.
    let keys = client
        .query(
            "SELECT t.relname, i.relname, a.attname
             FROM pg_index x
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
             WHERE n.nspname = $1 AND (x.indisprimary OR x.indisunique)
             ORDER BY 1, 2",
            &[&schema],
        )
        .unwrap();
    let tables: Vec<String> = client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY 1",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(tables.len() >= 12, "the schema was created: {tables:?}");
    let hub_wide: Vec<&str> = HUB_WIDE_TABLES.iter().map(|(t, _)| *t).collect();
    let mut offending = Vec::new();
    for key in &keys {
        let (table, index, first): (String, String, String) = (key.get(0), key.get(1), key.get(2));
        if first != "tenant_id" && !hub_wide.contains(&table.as_str()) {
            offending.push(format!("{table}.{index} leads with {first}"));
        }
    }
    assert!(
        offending.is_empty(),
        "not keyed by tenant first: {offending:?}"
    );
    // Every table is either keyed by tenant (and has a primary key) or documented hub-wide.
    for table in &tables {
        let keyed = keys
            .iter()
            .any(|k| k.get::<_, String>(0) == *table && k.get::<_, String>(2) == "tenant_id");
        assert!(
            keyed || hub_wide.contains(&table.as_str()),
            "{table} has no key leading with tenant_id and is not a documented hub-wide table"
        );
    }
    // And the documented list names only tables that exist.
    for t in &hub_wide {
        assert!(
            tables.iter().any(|x| x == t),
            "{t} is documented but missing"
        );
    }
    // Every table has its place on Citus: by tenant exactly when keyed by tenant.
    for table in &tables {
        let placed = CITUS_PLACEMENT.iter().find(|(t, _, _)| t == table);
        let Some((_, placement, _)) = placed else {
            panic!("{table} has no place on Citus (CITUS_PLACEMENT)");
        };
        let by_tenant = *placement == Placement::ByTenant;
        assert_eq!(by_tenant, !hub_wide.contains(&table.as_str()), "{table}");
    }
    for (t, _, _) in CITUS_PLACEMENT {
        assert!(tables.iter().any(|x| x == t), "{t} is placed but missing");
    }
}

/// No foreign key guards `members` (migration 3 dropped them: row-by-row checks chose a
/// quadratic plan mid-import), so removing a member must itself leave no row pointing at it.
#[test]
fn removing_a_member_leaves_no_row_that_points_at_it() {
    use memberkit::*;
    let Some(server) = common::server() else {
        return common::skip_note("catalog");
    };
    let url = common::fresh_url(&server);
    let hub = Hub::new(PgStore::open(&url).unwrap());
    let t = hub.create_tenant("Leftovers").unwrap();
    let course = t
        .create_product(Actor::System, NewProduct::paid("C", ProductKind::Course))
        .unwrap();
    let ws = t.create_workspace(Actor::System, "W").unwrap();
    let mut new = NewCustomer::new("gone@example.com");
    new.products = vec![course.id];
    let m = t.add_customer(Actor::System, new).unwrap().member;
    t.add_to_workspace(Actor::System, m.id, ws.id, Role::Member)
        .unwrap();
    t.set_password(Actor::System, m.id, "long enough pw", false)
        .unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let count = |client: &mut postgres::Client, table: &str| -> i64 {
        client
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE member_id = $1"),
                &[&m.id.to_string().parse::<uuid::Uuid>().unwrap()],
            )
            .unwrap()
            .get(0)
    };
    let tables = ["grants", "role_assignments", "credentials"];
    for table in tables {
        assert!(
            count(&mut client, table) > 0,
            "{table} has the member's rows"
        );
    }
    t.remove_member(Actor::System, m.id).unwrap();
    for table in tables {
        assert_eq!(
            count(&mut client, table),
            0,
            "{table} still points at the member"
        );
    }
}
