//! Many rows per statement: each table of a batch is written with one
//! `INSERT … SELECT FROM unnest($1, $2, …)` (arrays, one round trip, whatever the row count),
//! and an import's facts are read with `= ANY($n)`. Single-row inserts use the same
//! statements with one row, so there is one SQL text per table.

use crate::rows::*;
use crate::transaction::{const_sql, PgTx};
use crate::tx::product_ids;
use memberkit::store::{Changes, ImportFacts};
use memberkit::*;
use postgres::types::Type;
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;
use uuid::Uuid;

/// Writes a batch in the order the core gives ([`Changes`]).
pub(crate) fn apply(tx: &PgTx<'_>, c: &Changes) -> Result<()> {
    insert_members(tx, &c.new_members.iter().collect::<Vec<_>>())?;
    for m in &c.updated_members {
        tx.update_member(m)?;
    }
    set_roles(tx, c.tenant, &c.roles)?;
    let credentials: Vec<(MemberId, &Credential)> =
        c.credentials.iter().map(|(m, cred)| (*m, cred)).collect();
    set_credentials(tx, c.tenant, &credentials)?;
    insert_grants(tx, &c.new_grants.iter().collect::<Vec<_>>())?;
    for g in &c.updated_grants {
        tx.update_grant(g)?;
    }
    let invites: Vec<(&Invite, &TokenDigest)> = c.new_invites.iter().map(|(i, d)| (i, d)).collect();
    insert_invites(tx, c.tenant, &invites)?;
    for i in &c.updated_invites {
        tx.update_invite(i, None)?;
    }
    append_audit(tx, &c.audit.iter().collect::<Vec<_>>())?;
    append_events(tx, &c.events.iter().collect::<Vec<_>>())
}

/// Members with these email keys or external ids, their role assignments and open grants,
/// and the pending invites for these email keys: four statements, each planned for its own
/// arrays. A chunked import runs them once per chunk, and after five runs a cached statement
/// got a generic plan that compared every member of the tenant with each of thousands of keys
/// (measured: 0.3-0.9 s per chunk at 100k members, and a writer beside it waited 3.9 s).
pub(crate) fn import_facts(
    tx: &PgTx<'_>,
    tenant: TenantId,
    email_keys: &[&str],
    external_ids: &[&str],
) -> Result<ImportFacts> {
    let t = tenant.u();
    let members = tx.all_planned_now(
        const_sql!(
            "SELECT {MEMBER_COLS} FROM members
             WHERE tenant_id = $1 AND (email_key = ANY($2) OR external_id = ANY($3))"
        ),
        &[
            (&t, Type::UUID),
            (&email_keys, Type::TEXT_ARRAY),
            (&external_ids, Type::TEXT_ARRAY),
        ],
        member_row,
    )?;
    let ids: Vec<Uuid> = members.iter().map(|m| m.id.u()).collect();
    let assignments = tx.all_planned_now(
        "SELECT member_id, role, workspace_id FROM role_assignments
         WHERE tenant_id = $1 AND member_id = ANY($2) ORDER BY member_id, workspace_id",
        &[(&t, Type::UUID), (&ids, Type::UUID_ARRAY)],
        |r| {
            Ok(RoleAssignment {
                member_id: MemberId::from_uuid(get(r, 0)?),
                role: parsed(r, 1)?,
                workspace: scope_of(get(r, 2)?),
            })
        },
    )?;
    let open_grants = tx.all_planned_now(
        const_sql!(
            "SELECT {GRANT_COLS} FROM grants
             WHERE tenant_id = $1 AND member_id = ANY($2) AND revoked_at IS NULL
             ORDER BY member_id, id"
        ),
        &[(&t, Type::UUID), (&ids, Type::UUID_ARRAY)],
        grant_row,
    )?;
    let pending_invites = tx.all_planned_now(
        const_sql!(
            "SELECT {INVITE_COLS} FROM invites
             WHERE tenant_id = $1 AND email_key = ANY($2) AND status = 'pending'"
        ),
        &[(&t, Type::UUID), (&email_keys, Type::TEXT_ARRAY)],
        invite_row,
    )?;
    Ok(ImportFacts {
        members,
        assignments,
        open_grants,
        pending_invites,
    })
}

pub(crate) fn insert_members(tx: &PgTx<'_>, members: &[&Member]) -> Result<()> {
    if members.is_empty() {
        return Ok(());
    }
    let n = members.len();
    let (mut tenants, mut ids) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut emails, mut keys, mut names) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut external, mut statuses) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut created, mut updated): (Vec<OffsetDateTime>, Vec<OffsetDateTime>) =
        (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut texts, mut sort_names) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut metadata = Vec::with_capacity(n);
    for m in members {
        let (text, sort_name) = normalize::search_forms(m.name.as_deref(), &m.email_key);
        tenants.push(m.tenant_id.u());
        ids.push(m.id.u());
        emails.push(m.email.as_str());
        keys.push(m.email_key.as_str());
        names.push(m.name.as_deref());
        external.push(m.external_id.as_deref());
        statuses.push(m.status.as_str());
        created.push(m.created_at);
        updated.push(m.updated_at);
        texts.push(text);
        sort_names.push(sort_name);
        metadata.push(metadata_text(&m.metadata)?);
    }
    tx.exec(
        "INSERT INTO members (tenant_id, id, email, email_key, name, external_id, status,
             created_at, updated_at, search_text, sort_name, metadata)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
             $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::text[],
             $11::text[], $12::text[])",
        &[
            &tenants,
            &ids,
            &emails,
            &keys,
            &names,
            &external,
            &statuses,
            &created,
            &updated,
            &texts,
            &sort_names,
            &metadata,
        ],
    )?;
    let mut added: Vec<(TenantId, &str, i64)> = Vec::new();
    for m in members {
        let status = m.status.as_str();
        match added
            .iter_mut()
            .find(|(t, s, _)| *t == m.tenant_id && *s == status)
        {
            Some((_, _, n)) => *n += 1,
            None => added.push((m.tenant_id, status, 1)),
        }
    }
    let mut tenants_seen: Vec<TenantId> = Vec::new();
    for (tenant, _, _) in &added {
        if !tenants_seen.contains(tenant) {
            tenants_seen.push(*tenant);
        }
    }
    for tenant in tenants_seen {
        let deltas: Vec<(&str, i64)> = added
            .iter()
            .filter(|(t, _, _)| *t == tenant)
            .map(|(_, s, n)| (*s, *n))
            .collect();
        crate::counts::add_to_counts(tx, tenant, &deltas)?;
    }
    Ok(())
}

/// Sets role assignments; a later one for the same member and scope wins, as one by one.
fn set_roles(tx: &PgTx<'_>, tenant: TenantId, roles: &[RoleAssignment]) -> Result<()> {
    if roles.is_empty() {
        return Ok(());
    }
    let mut last: HashMap<(Uuid, Uuid), usize> = HashMap::new();
    for (i, a) in roles.iter().enumerate() {
        last.insert((a.member_id.u(), scope_key(a.workspace)), i);
    }
    let mut keep: Vec<usize> = last.into_values().collect();
    keep.sort_unstable();
    let members: Vec<Uuid> = keep.iter().map(|&i| roles[i].member_id.u()).collect();
    let scopes: Vec<Uuid> = keep
        .iter()
        .map(|&i| scope_key(roles[i].workspace))
        .collect();
    let keys: Vec<String> = keep.iter().map(|&i| roles[i].role.key()).collect();
    tx.exec(
        "INSERT INTO role_assignments (tenant_id, member_id, workspace_id, role)
         SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::text[])
         ON CONFLICT (tenant_id, member_id, workspace_id) DO UPDATE SET role = excluded.role",
        &[&tenant.u(), &members, &scopes, &keys],
    )
    .map(drop)
}

/// Sets password hashes; a later one for the same member wins, as one by one.
pub(crate) fn set_credentials(
    tx: &PgTx<'_>,
    tenant: TenantId,
    credentials: &[(MemberId, &Credential)],
) -> Result<()> {
    if credentials.is_empty() {
        return Ok(());
    }
    let mut last: HashMap<MemberId, usize> = HashMap::new();
    for (i, (m, _)) in credentials.iter().enumerate() {
        last.insert(*m, i);
    }
    let mut keep: Vec<usize> = last.into_values().collect();
    keep.sort_unstable();
    let members: Vec<Uuid> = keep.iter().map(|&i| credentials[i].0.u()).collect();
    let hashes: Vec<&str> = keep
        .iter()
        .map(|&i| credentials[i].1.password_hash.as_str())
        .collect();
    let must_change: Vec<bool> = keep.iter().map(|&i| credentials[i].1.must_change).collect();
    let updated: Vec<OffsetDateTime> = keep.iter().map(|&i| credentials[i].1.updated_at).collect();
    tx.exec(
        "INSERT INTO credentials (tenant_id, member_id, password_hash, must_change, updated_at)
         SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::bool[], $5::timestamptz[])
         ON CONFLICT (tenant_id, member_id) DO UPDATE SET
             password_hash = excluded.password_hash, must_change = excluded.must_change,
             updated_at = excluded.updated_at",
        &[&tenant.u(), &members, &hashes, &must_change, &updated],
    )
    .map(drop)
}

pub(crate) fn insert_grants(tx: &PgTx<'_>, grants: &[&Grant]) -> Result<()> {
    if grants.is_empty() {
        return Ok(());
    }
    let col = |f: &dyn Fn(&Grant) -> Uuid| grants.iter().map(|g| f(g)).collect::<Vec<_>>();
    let (tenants, ids) = (col(&|g| g.tenant_id.u()), col(&|g| g.id.u()));
    let (members, products) = (col(&|g| g.member_id.u()), col(&|g| g.product_id.u()));
    let sources: Vec<&str> = grants.iter().map(|g| g.source.as_str()).collect();
    let by: Vec<String> = grants.iter().map(|g| g.granted_by.to_string()).collect();
    let at: Vec<OffsetDateTime> = grants.iter().map(|g| g.granted_at).collect();
    let expires: Vec<Option<OffsetDateTime>> = grants.iter().map(|g| g.expires_at).collect();
    let revoked: Vec<Option<OffsetDateTime>> = grants.iter().map(|g| g.revoked_at).collect();
    let starts: Vec<Option<OffsetDateTime>> = grants.iter().map(|g| g.starts_at).collect();
    let revoked_by: Vec<Option<String>> = grants
        .iter()
        .map(|g| g.revoked_by.map(|a| a.to_string()))
        .collect();
    tx.exec(
        const_sql!(
            "INSERT INTO grants ({GRANT_COLS})
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[],
                 $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::text[],
                 $11::timestamptz[])"
        ),
        &[
            &tenants,
            &ids,
            &members,
            &products,
            &sources,
            &by,
            &at,
            &expires,
            &revoked,
            &revoked_by,
            &starts,
        ],
    )
    .map(drop)
}

pub(crate) fn insert_invites(
    tx: &PgTx<'_>,
    tenant: TenantId,
    invites: &[(&Invite, &TokenDigest)],
) -> Result<()> {
    if invites.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = invites.iter().map(|(i, _)| i.id.u()).collect();
    let members: Vec<Uuid> = invites.iter().map(|(i, _)| i.member_id.u()).collect();
    let emails: Vec<&str> = invites.iter().map(|(i, _)| i.email.as_str()).collect();
    let keys: Vec<&str> = invites.iter().map(|(i, _)| i.email_key.as_str()).collect();
    let names: Vec<Option<&str>> = invites.iter().map(|(i, _)| i.name.as_deref()).collect();
    let roles: Vec<String> = invites.iter().map(|(i, _)| i.role.key()).collect();
    let workspaces: Vec<Option<Uuid>> = invites
        .iter()
        .map(|(i, _)| i.workspace.map(|w| w.u()))
        .collect();
    // Arrays of arrays must be rectangular in PostgreSQL: products travel as JSON text.
    let products: Vec<String> = invites
        .iter()
        .map(|(i, _)| serde_json::to_string(&product_ids(&i.products)).map_err(Error::storage))
        .collect::<Result<_>>()?;
    let digests: Vec<&[u8]> = invites.iter().map(|(_, d)| &d.0[..]).collect();
    let by: Vec<String> = invites
        .iter()
        .map(|(i, _)| i.created_by.to_string())
        .collect();
    let created: Vec<OffsetDateTime> = invites.iter().map(|(i, _)| i.created_at).collect();
    let expires: Vec<OffsetDateTime> = invites.iter().map(|(i, _)| i.expires_at).collect();
    let statuses: Vec<&str> = invites
        .iter()
        .map(|(i, _)| i.status.stored().as_str())
        .collect();
    let accepted: Vec<Option<OffsetDateTime>> =
        invites.iter().map(|(i, _)| i.accepted_at).collect();
    let revoked: Vec<Option<OffsetDateTime>> = invites.iter().map(|(i, _)| i.revoked_at).collect();
    let lifetimes: Vec<Option<i64>> = invites
        .iter()
        .map(|(i, _)| i.lifetime.map(|d| d.whole_seconds()))
        .collect();
    let messages: Vec<Option<&str>> = invites.iter().map(|(i, _)| i.message.as_deref()).collect();
    let metadata: Vec<String> = invites
        .iter()
        .map(|(i, _)| metadata_text(&i.metadata))
        .collect::<Result<_>>()?;
    let suggested: Vec<bool> = invites.iter().map(|(i, _)| i.suggested).collect();
    tx.exec(
        "INSERT INTO invites (tenant_id, id, member_id, email, email_key, name, role,
             workspace_id, products, token_digest, created_by, created_at, expires_at, status,
             accepted_at, revoked_at, lifetime_secs, message, metadata, suggested)
         SELECT $1, id, member_id, email, email_key, name, role, workspace_id,
             ARRAY(SELECT jsonb_array_elements_text(products::jsonb)::uuid), token_digest,
             created_by, created_at, expires_at, status, accepted_at, revoked_at, lifetime_secs,
             message, metadata, suggested
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::uuid[], $9::text[], $10::bytea[], $11::text[], $12::timestamptz[],
             $13::timestamptz[], $14::text[], $15::timestamptz[], $16::timestamptz[],
             $17::int8[], $18::text[], $19::text[], $20::bool[])
             AS i (id, member_id, email, email_key, name, role, workspace_id, products,
                 token_digest, created_by, created_at, expires_at, status, accepted_at,
                 revoked_at, lifetime_secs, message, metadata, suggested)",
        &[
            &tenant.u(),
            &ids,
            &members,
            &emails,
            &keys,
            &names,
            &roles,
            &workspaces,
            &products,
            &digests,
            &by,
            &created,
            &expires,
            &statuses,
            &accepted,
            &revoked,
            &lifetimes,
            &messages,
            &metadata,
            &suggested,
        ],
    )?;
    let digests: Vec<&TokenDigest> = invites.iter().map(|(_, d)| *d).collect();
    route_tokens(tx, tenant, &digests)?;
    let pending: HashSet<&str> = invites
        .iter()
        .filter(|(i, _)| i.status.stored() == InviteStatus::Pending)
        .map(|(i, _)| i.email_key.as_str())
        .collect();
    let pending: Vec<&str> = pending.into_iter().collect();
    tx.exec(
        "INSERT INTO pending_invite_routes (email_key, tenant_id)
         SELECT key, $1 FROM unnest($2::text[]) AS k (key) ON CONFLICT DO NOTHING",
        &[&tenant.u(), &pending],
    )
    .map(drop)
}

/// Records which tenant each token digest belongs to (the hub-wide `token_routes`).
pub(crate) fn route_tokens(
    tx: &PgTx<'_>,
    tenant: TenantId,
    digests: &[&TokenDigest],
) -> Result<()> {
    let digests: Vec<&[u8]> = digests.iter().map(|d| &d.0[..]).collect();
    tx.exec(
        "INSERT INTO token_routes (token_digest, tenant_id)
         SELECT d, $1 FROM unnest($2::bytea[]) AS t (d)",
        &[&tenant.u(), &digests],
    )
    .map(drop)
}

pub(crate) fn append_audit(tx: &PgTx<'_>, entries: &[&AuditEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let tenants: Vec<Uuid> = entries.iter().map(|e| e.tenant_id.u()).collect();
    let ids: Vec<Uuid> = entries.iter().map(|e| e.id.u()).collect();
    let at: Vec<OffsetDateTime> = entries.iter().map(|e| e.at).collect();
    let actors: Vec<String> = entries.iter().map(|e| e.actor.to_string()).collect();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    let subjects: Vec<&str> = entries.iter().map(|e| e.subject.as_str()).collect();
    let details: Vec<&serde_json::Value> = entries.iter().map(|e| &e.details).collect();
    tx.exec(
        const_sql!(
            "INSERT INTO audit_log ({AUDIT_COLS})
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[],
                 $5::text[], $6::text[], $7::jsonb[])"
        ),
        &[&tenants, &ids, &at, &actors, &actions, &subjects, &details],
    )
    .map(drop)
}

pub(crate) fn append_events(tx: &PgTx<'_>, events: &[&OutboxEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let tenants: Vec<Uuid> = events.iter().map(|e| e.tenant_id.u()).collect();
    let ids: Vec<Uuid> = events.iter().map(|e| e.id.u()).collect();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    let payloads: Vec<&serde_json::Value> = events.iter().map(|e| &e.payload).collect();
    let created: Vec<OffsetDateTime> = events.iter().map(|e| e.created_at).collect();
    let delivered: Vec<Option<OffsetDateTime>> = events.iter().map(|e| e.delivered_at).collect();
    tx.exec(
        const_sql!(
            "INSERT INTO outbox ({EVENT_COLS})
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[],
                 $5::timestamptz[], $6::timestamptz[])"
        ),
        &[&tenants, &ids, &kinds, &payloads, &created, &delivered],
    )
    .map(drop)
}
