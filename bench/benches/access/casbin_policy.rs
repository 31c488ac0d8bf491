//! casbin-rs on the equivalent policy: RBAC with domains, one domain per tenant, each paid
//! product a role its buyers hold, free products open to every active member. casbin keeps the
//! whole policy in memory, a snapshot of the file taken once; memberkit reads current state.

use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};
use memberkit::*;
use rusqlite::Connection;

const MODEL: &str = "
[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
";

/// An enforcer holding the large tenant's access as it stands in the file now.
pub fn enforcer(conn: &Connection, tenant: TenantId) -> (Enforcer, usize) {
    let now = to_unix_micros(memberkit::time::OffsetDateTime::now_utc());
    let t = tenant.as_uuid();
    let rows = |sql: &str| -> Vec<(uuid::Uuid, uuid::Uuid)> {
        let mut stmt = conn.prepare(sql).unwrap();
        let out = stmt
            .query_map(rusqlite::params![t, now], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        out.collect::<Result<_, _>>().unwrap()
    };
    // Who holds which paid product now: an open, unexpired grant of an active member to a
    // product that is not archived (archiving keeps existing grants working, as in memberkit).
    let grants = rows(
        "SELECT g.member_id, g.product_id FROM grants g
         JOIN members m ON m.tenant_id = g.tenant_id AND m.id = g.member_id
         WHERE g.tenant_id = ?1 AND g.revoked_at IS NULL
           AND (g.expires_at IS NULL OR g.expires_at > ?2) AND m.status = 'active'",
    );
    let active =
        rows("SELECT id, id FROM members WHERE tenant_id = ?1 AND status = 'active' AND ?2 = ?2");
    let free = rows(
        "SELECT id, id FROM products WHERE tenant_id = ?1 AND paid = 0 AND archived = 0
         AND ?2 = ?2",
    );
    let paid = rows("SELECT id, id FROM products WHERE tenant_id = ?1 AND paid = 1 AND ?2 = ?2");
    let dom = t.to_string();
    let mut policies: Vec<Vec<String>> = Vec::new();
    for (p, _) in &paid {
        policies.push(vec![
            format!("buyer:{p}"),
            dom.clone(),
            p.to_string(),
            "access".into(),
        ]);
    }
    for (p, _) in &free {
        policies.push(vec![
            "member".into(),
            dom.clone(),
            p.to_string(),
            "access".into(),
        ]);
    }
    let mut groupings: Vec<Vec<String>> = grants
        .iter()
        .map(|(m, p)| vec![m.to_string(), format!("buyer:{p}"), dom.clone()])
        .collect();
    groupings.extend(
        active
            .iter()
            .map(|(m, _)| vec![m.to_string(), "member".into(), dom.clone()]),
    );
    let rules = policies.len() + groupings.len();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let enforcer = runtime.block_on(async {
        let model = DefaultModel::from_str(MODEL).await.unwrap();
        let mut e = Enforcer::new(model, MemoryAdapter::default())
            .await
            .unwrap();
        e.add_policies(policies).await.unwrap();
        e.add_grouping_policies(groupings).await.unwrap();
        e
    });
    (enforcer, rules)
}

/// casbin's answer to the same question.
pub fn enforce(e: &Enforcer, tenant: &str, member: &str, product: &str) -> bool {
    e.enforce((member, tenant, product, "access")).unwrap()
}
