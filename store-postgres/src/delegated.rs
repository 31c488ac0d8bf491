//! The hot reads on Citus, as functions the coordinator delegates to the worker holding the
//! tenant's shard (`create_distributed_function(…, '$1', colocate_with := 'tenants')`).
//!
//! Why: on one server `has_access` and `can` are one join each. Through a Citus coordinator a
//! join is planned twice on every call (by the coordinator's router planner, then by the
//! worker), about 0.9 ms here. Called as `SELECT * FROM f(tenant, …)`, the coordinator only
//! forwards the call, and on the worker the function's statements are one-table lookups on a
//! local shard, which Citus plans on its fast path. The functions return exactly the rows of
//! the single-server statements (`ACCESS_FACTS_SQL`, `PERMISSION_FACTS_SQL` in tx.rs), so one
//! Rust reader serves both; the conformance suite runs both.
//!
//! They exist only on Citus (plain PostgreSQL keeps its one statement). The names carry a
//! version: a changed body gets a new name, created beside the old one by a later open.

use crate::pg_err;
use memberkit::Result;

/// `has_access`'s facts on Citus: the rows of `ACCESS_FACTS_SQL`.
pub(crate) const ACCESS_FACTS_CALL: &str = "SELECT * FROM memberkit_access_facts_v1($1, $2, $3)";

/// `can`'s facts on Citus: the rows of `PERMISSION_FACTS_SQL`.
pub(crate) const PERMISSION_FACTS_CALL: &str =
    "SELECT * FROM memberkit_permission_facts_v1($1, $2, $3)";

/// The functions' bodies; `{s}` is the hub's quoted schema and `{attrs}` the function
/// attributes. Every statement names the tenant, so each is a one-shard fast-path lookup.
const FUNCTIONS: &[(&str, &str)] = &[
    (
        "memberkit_access_facts_v1(uuid, uuid, uuid)",
        r#"CREATE FUNCTION {s}.memberkit_access_facts_v1(t uuid, m uuid, p uuid)
RETURNS TABLE (kind int, status text, paid boolean, archived boolean, has_grant boolean,
               expires_at timestamptz, starts_at timestamptz)
LANGUAGE plpgsql STABLE {attrs} AS $body$
#variable_conflict use_column
DECLARE
  bundle uuid;
BEGIN
  SELECT 0, x.status INTO kind, status FROM {s}.members x WHERE x.tenant_id = t AND x.id = m;
  IF NOT FOUND THEN RETURN; END IF;
  SELECT x.paid, x.archived INTO paid, archived
    FROM {s}.products x WHERE x.tenant_id = t AND x.id = p;
  IF NOT FOUND THEN RETURN; END IF;
  SELECT true, x.expires_at, x.starts_at INTO has_grant, expires_at, starts_at
    FROM {s}.grants x
    WHERE x.tenant_id = t AND x.member_id = m AND x.product_id = p AND x.revoked_at IS NULL;
  has_grant := FOUND;
  RETURN NEXT;
  -- Bundles that include the product (few): the member's grant to each.
  FOR bundle IN SELECT x.bundle_id FROM {s}.bundle_items x
                WHERE x.tenant_id = t AND x.product_id = p LOOP
    RETURN QUERY SELECT 1, NULL::text, NULL::boolean, NULL::boolean, true,
                        x.expires_at, x.starts_at
      FROM {s}.grants x
      WHERE x.tenant_id = t AND x.member_id = m AND x.product_id = bundle
        AND x.revoked_at IS NULL;
  END LOOP;
END
$body$"#,
    ),
    (
        "memberkit_permission_facts_v1(uuid, uuid, uuid)",
        r#"CREATE FUNCTION {s}.memberkit_permission_facts_v1(t uuid, m uuid, w uuid)
RETURNS TABLE (status text, workspace_found boolean, role text, workspace_id uuid,
               permissions text[])
LANGUAGE plpgsql STABLE {attrs} AS $body$
#variable_conflict use_column
DECLARE
  held record;
  none_held boolean := true;
BEGIN
  SELECT x.status INTO status FROM {s}.members x WHERE x.tenant_id = t AND x.id = m;
  IF NOT FOUND THEN RETURN; END IF;
  workspace_found := true;
  IF w IS NOT NULL THEN
    PERFORM FROM {s}.workspaces x WHERE x.tenant_id = t AND x.id = w;
    workspace_found := FOUND;
  END IF;
  FOR held IN SELECT x.role, x.workspace_id FROM {s}.role_assignments x
              WHERE x.tenant_id = t AND x.member_id = m ORDER BY x.workspace_id LOOP
    role := held.role;
    workspace_id := held.workspace_id;
    permissions := NULL;
    -- A custom role is stored by its id; a built-in one by its name.
    IF held.role ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
      SELECT x.permissions INTO permissions
        FROM {s}.custom_roles x WHERE x.tenant_id = t AND x.id = held.role::uuid;
    END IF;
    none_held := false;
    RETURN NEXT;
  END LOOP;
  IF none_held THEN
    role := NULL;
    workspace_id := NULL;
    permissions := NULL;
    RETURN NEXT;
  END IF;
END
$body$"#,
    ),
];

/// Creates and distributes the functions that do not exist yet, inside `distribute`'s
/// transaction (under its migration lock).
pub(crate) fn create(tx: &mut postgres::Transaction<'_>) -> Result<()> {
    let row = tx
        .query_one(
            "SELECT quote_ident(current_schema()),
                    string_to_array(split_part(extversion, '-', 1), '.')::int[] >= '{13,5}'
             FROM pg_extension WHERE extname = 'citus'",
            &[],
        )
        .map_err(pg_err)?;
    let schema: String = row.try_get(0).map_err(pg_err)?;
    let plan_cache_fixed: bool = row.try_get(1).map_err(pg_err)?;
    // Before Citus 13.5 a prepared fast-path statement run on the node holding its shard
    // re-plans on every call and keeps each plan (citusdata/citus#8824): a delegated function's
    // generic plans would grow the worker's memory without bound. Custom plans avoid the cache.
    let attrs = match plan_cache_fixed {
        true => "",
        false => "SET plan_cache_mode TO force_custom_plan",
    };
    for (signature, body) in FUNCTIONS {
        let qualified = format!("{schema}.{signature}");
        let exists: bool = tx
            .query_one(
                "SELECT to_regprocedure($1::text) IS NOT NULL",
                &[&qualified.as_str()],
            )
            .and_then(|r| r.try_get(0))
            .map_err(pg_err)?;
        if exists {
            continue;
        }
        let sql = body.replace("{s}", &schema).replace("{attrs}", attrs);
        tx.batch_execute(&sql).map_err(pg_err)?;
        tx.execute(
            "SELECT create_distributed_function($1::text::regprocedure, '$1',
                 colocate_with := format('%I.%I', current_schema(), 'tenants'))",
            &[&qualified.as_str()],
        )
        .map_err(pg_err)?;
    }
    Ok(())
}
