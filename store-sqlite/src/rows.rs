//! Rows to core types and back: ids, instants, parsed enums, JSON, and each table's columns.

use memberkit::*;
use rusqlite::types::Type;
use rusqlite::Row;
use std::str::FromStr;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub(crate) trait AsUuid {
    fn u(&self) -> Uuid;
}
macro_rules! as_uuid {
    ($($t:ty),*) => { $(impl AsUuid for $t { fn u(&self) -> Uuid { *self.as_uuid() } })* };
}
as_uuid!(
    TenantId,
    MemberId,
    ProductId,
    GrantId,
    InviteId,
    AuditId,
    EventId,
    WorkspaceId,
    RoleId,
    ImpersonationId
);

pub(crate) fn conversion(
    col: usize,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, Type::Text, Box::new(e))
}

pub(crate) fn ts(t: OffsetDateTime) -> i64 {
    to_unix_micros(t)
}

pub(crate) fn get_ts(row: &Row<'_>, col: usize) -> rusqlite::Result<OffsetDateTime> {
    let micros: i64 = row.get(col)?;
    from_unix_micros(micros).ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(col, micros))
}

pub(crate) fn get_opt_ts(row: &Row<'_>, col: usize) -> rusqlite::Result<Option<OffsetDateTime>> {
    match row.get::<_, Option<i64>>(col)? {
        None => Ok(None),
        Some(_) => get_ts(row, col).map(Some),
    }
}

pub(crate) fn get_parsed<T: FromStr<Err = Error>>(
    row: &Row<'_>,
    col: usize,
) -> rusqlite::Result<T> {
    let s: String = row.get(col)?;
    s.parse().map_err(|e| conversion(col, e))
}

pub(crate) fn get_opt_parsed<T: FromStr<Err = Error>>(
    row: &Row<'_>,
    col: usize,
) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<String>>(col)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|e| conversion(col, e)),
    }
}

pub(crate) fn get_json(row: &Row<'_>, col: usize) -> rusqlite::Result<serde_json::Value> {
    let s: String = row.get(col)?;
    serde_json::from_str(&s).map_err(|e| conversion(col, e))
}

pub(crate) const MEMBER_COLS: &str =
    "tenant_id, id, email, email_key, name, external_id, status, created_at, updated_at, metadata";

pub(crate) fn member_row(row: &Row<'_>) -> rusqlite::Result<Member> {
    Ok(Member {
        tenant_id: TenantId::from_uuid(row.get(0)?),
        id: MemberId::from_uuid(row.get(1)?),
        email: row.get(2)?,
        email_key: row.get(3)?,
        name: row.get(4)?,
        external_id: row.get(5)?,
        status: get_parsed(row, 6)?,
        created_at: get_ts(row, 7)?,
        updated_at: get_ts(row, 8)?,
        metadata: get_metadata(row, 9)?,
    })
}

pub(crate) const PRODUCT_COLS: &str =
    "tenant_id, id, name, kind, paid, archived, created_at, metadata";

pub(crate) fn product_row(row: &Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        tenant_id: TenantId::from_uuid(row.get(0)?),
        id: ProductId::from_uuid(row.get(1)?),
        name: row.get(2)?,
        kind: get_parsed(row, 3)?,
        paid: row.get(4)?,
        archived: row.get(5)?,
        created_at: get_ts(row, 6)?,
        metadata: get_metadata(row, 7)?,
    })
}

pub(crate) const GRANT_COLS: &str =
    "tenant_id, id, member_id, product_id, source, granted_by, granted_at, \
                          expires_at, revoked_at, revoked_by, starts_at";

pub(crate) fn grant_row(row: &Row<'_>) -> rusqlite::Result<Grant> {
    Ok(Grant {
        tenant_id: TenantId::from_uuid(row.get(0)?),
        id: GrantId::from_uuid(row.get(1)?),
        member_id: MemberId::from_uuid(row.get(2)?),
        product_id: ProductId::from_uuid(row.get(3)?),
        source: get_parsed(row, 4)?,
        granted_by: get_parsed(row, 5)?,
        granted_at: get_ts(row, 6)?,
        expires_at: get_opt_ts(row, 7)?,
        revoked_at: get_opt_ts(row, 8)?,
        revoked_by: get_opt_parsed(row, 9)?,
        starts_at: get_opt_ts(row, 10)?,
    })
}

pub(crate) const INVITE_COLS: &str =
    "tenant_id, id, member_id, email, email_key, name, role, products, \
                           created_by, created_at, expires_at, status, accepted_at, revoked_at, \
                           workspace_id, lifetime_secs, message, declined_at, metadata, suggested";

pub(crate) fn invite_row(row: &Row<'_>) -> rusqlite::Result<Invite> {
    let products: Vec<ProductId> =
        serde_json::from_str(&row.get::<_, String>(7)?).map_err(|e| conversion(7, e))?;
    Ok(Invite {
        tenant_id: TenantId::from_uuid(row.get(0)?),
        id: InviteId::from_uuid(row.get(1)?),
        member_id: MemberId::from_uuid(row.get(2)?),
        email: row.get(3)?,
        email_key: row.get(4)?,
        name: row.get(5)?,
        role: get_parsed(row, 6)?,
        workspace: row.get::<_, Option<Uuid>>(14)?.map(WorkspaceId::from_uuid),
        products,
        created_by: get_parsed(row, 8)?,
        created_at: get_ts(row, 9)?,
        expires_at: get_ts(row, 10)?,
        status: get_parsed(row, 11)?,
        accepted_at: get_opt_ts(row, 12)?,
        revoked_at: get_opt_ts(row, 13)?,
        lifetime: row.get::<_, Option<i64>>(15)?.map(Duration::seconds),
        message: row.get(16)?,
        metadata: get_metadata(row, 18)?,
        suggested: row.get(19)?,
        declined_at: get_opt_ts(row, 17)?,
    })
}

pub(crate) const WORKSPACE_COLS: &str = "tenant_id, id, name, created_at, seat_limit";

pub(crate) fn workspace_row(row: &Row<'_>) -> rusqlite::Result<Workspace> {
    Ok(Workspace {
        tenant_id: TenantId::from_uuid(row.get(0)?),
        id: WorkspaceId::from_uuid(row.get(1)?),
        name: row.get(2)?,
        created_at: get_ts(row, 3)?,
        seat_limit: row.get(4)?,
    })
}

pub(crate) const ROLE_COLS: &str = "tenant_id, id, name, permissions, created_at";

pub(crate) fn custom_role_row(row: &Row<'_>) -> rusqlite::Result<CustomRole> {
    let names: Vec<String> =
        serde_json::from_str(&row.get::<_, String>(3)?).map_err(|e| conversion(3, e))?;
    Ok(CustomRole {
        tenant_id: TenantId::from_uuid(row.get(0)?),
        id: RoleId::from_uuid(row.get(1)?),
        name: row.get(2)?,
        permissions: names.into_iter().map(Permission::custom).collect(),
        created_at: get_ts(row, 4)?,
    })
}

pub(crate) const IMPERSONATION_COLS: &str =
    "tenant_id, id, actor_id, target_id, reason, started_at, ends_at, ended_at";

pub(crate) fn impersonation_row(row: &Row<'_>) -> rusqlite::Result<Impersonation> {
    Ok(Impersonation {
        tenant_id: TenantId::from_uuid(row.get(0)?),
        id: ImpersonationId::from_uuid(row.get(1)?),
        actor_id: MemberId::from_uuid(row.get(2)?),
        target_id: MemberId::from_uuid(row.get(3)?),
        reason: row.get(4)?,
        started_at: get_ts(row, 5)?,
        ends_at: get_ts(row, 6)?,
        ended_at: get_opt_ts(row, 7)?,
    })
}

/// Role assignments key tenant-wide roles by an empty blob, workspace roles by the workspace id.
pub(crate) fn scope_key(workspace: Option<WorkspaceId>) -> Vec<u8> {
    workspace.map_or_else(Vec::new, |w| w.u().as_bytes().to_vec())
}

pub(crate) fn get_scope(row: &Row<'_>, col: usize) -> rusqlite::Result<Option<WorkspaceId>> {
    let bytes: Vec<u8> = row.get(col)?;
    if bytes.is_empty() {
        return Ok(None);
    }
    Uuid::from_slice(&bytes)
        .map(|u| Some(WorkspaceId::from_uuid(u)))
        .map_err(|e| conversion(col, e))
}

pub(crate) fn prefixed(cols: &str, alias: &str) -> String {
    cols.split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) const EVENT_COLS: &str = "tenant_id, id, kind, payload, created_at, delivered_at";

pub(crate) fn event_row(row: &Row<'_>) -> rusqlite::Result<OutboxEvent> {
    let kind: String = row.get(2)?;
    Ok(OutboxEvent {
        tenant_id: TenantId::from_uuid(row.get(0)?),
        id: EventId::from_uuid(row.get(1)?),
        // The channel is the core's rule about the kind, not a stored fact.
        channel: memberkit::event_kind::channel(&kind),
        kind,
        payload: get_json(row, 3)?,
        created_at: get_ts(row, 4)?,
        delivered_at: get_opt_ts(row, 5)?,
    })
}

/// Expiry reminder lead times, stored as a JSON list of seconds.
pub(crate) fn get_reminders(row: &Row<'_>, col: usize) -> rusqlite::Result<Vec<Duration>> {
    let s: String = row.get(col)?;
    let secs: Vec<i64> = serde_json::from_str(&s).map_err(|e| conversion(col, e))?;
    Ok(secs.into_iter().map(Duration::seconds).collect())
}

/// Expiry reminder lead times as the JSON list of seconds they are stored as.
pub(crate) fn reminders_text(leads: &[Duration]) -> Result<String> {
    json_text(&leads.iter().map(|d| d.whole_seconds()).collect::<Vec<_>>())
}

/// Metadata stored as JSON text (`{}` when empty).
pub(crate) fn get_metadata(row: &Row<'_>, col: usize) -> rusqlite::Result<Metadata> {
    let s: String = row.get(col)?;
    serde_json::from_str(&s).map_err(|e| conversion(col, e))
}

pub(crate) fn json_text(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(Error::storage)
}

pub(crate) const DOMAIN_COLS: &str =
    "tenant_id, domain, workspace_id, enrollment, role, created_at";

pub(crate) fn domain_row(row: &Row<'_>) -> rusqlite::Result<WorkspaceDomain> {
    Ok(WorkspaceDomain {
        tenant_id: TenantId::from_uuid(row.get(0)?),
        domain: row.get(1)?,
        workspace_id: WorkspaceId::from_uuid(row.get(2)?),
        enrollment: get_parsed(row, 3)?,
        role: get_parsed(row, 4)?,
        created_at: get_ts(row, 5)?,
    })
}
