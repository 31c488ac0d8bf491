//! Rows to core types: each table's columns and the conversion of one row.

use crate::pg_err;
use memberkit::*;
use postgres::types::FromSql;
use postgres::Row;
use std::str::FromStr;
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

/// Column `i` of `row`.
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Result<T> {
    row.try_get(i).map_err(pg_err)
}

/// Metadata stored as JSON text (`{}` when empty).
pub(crate) fn get_metadata(row: &Row, i: usize) -> Result<Metadata> {
    serde_json::from_str(get::<&str>(row, i)?).map_err(Error::storage)
}

/// Metadata as the JSON text it is stored as.
pub(crate) fn metadata_text(m: &Metadata) -> Result<String> {
    serde_json::to_string(m).map_err(Error::storage)
}

/// Column `i`, parsed by the core (`status`, `role`, actors…).
pub(crate) fn parsed<T: FromStr<Err = Error>>(row: &Row, i: usize) -> Result<T> {
    get::<&str>(row, i)?.parse()
}

pub(crate) fn opt_parsed<T: FromStr<Err = Error>>(row: &Row, i: usize) -> Result<Option<T>> {
    get::<Option<&str>>(row, i)?.map(str::parse).transpose()
}

/// Role assignments key tenant-wide roles by the nil uuid, workspace roles by the workspace.
pub(crate) fn scope_key(workspace: Option<WorkspaceId>) -> Uuid {
    workspace.map_or(Uuid::nil(), |w| w.u())
}

pub(crate) fn scope_of(key: Uuid) -> Option<WorkspaceId> {
    (!key.is_nil()).then(|| WorkspaceId::from_uuid(key))
}

pub(crate) fn prefixed(cols: &str, alias: &str) -> String {
    cols.split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) const MEMBER_COLS: &str =
    "tenant_id, id, email, email_key, name, external_id, status, created_at, updated_at, metadata";

pub(crate) fn member_row(row: &Row) -> Result<Member> {
    Ok(Member {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        id: MemberId::from_uuid(get(row, 1)?),
        email: get(row, 2)?,
        email_key: get(row, 3)?,
        name: get(row, 4)?,
        external_id: get(row, 5)?,
        status: parsed(row, 6)?,
        created_at: get(row, 7)?,
        updated_at: get(row, 8)?,
        metadata: get_metadata(row, 9)?,
    })
}

pub(crate) const PRODUCT_COLS: &str =
    "tenant_id, id, name, kind, paid, archived, created_at, metadata";

pub(crate) fn product_row(row: &Row) -> Result<Product> {
    Ok(Product {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        id: ProductId::from_uuid(get(row, 1)?),
        name: get(row, 2)?,
        kind: parsed(row, 3)?,
        paid: get(row, 4)?,
        archived: get(row, 5)?,
        created_at: get(row, 6)?,
        metadata: get_metadata(row, 7)?,
    })
}

pub(crate) const GRANT_COLS: &str = "tenant_id, id, member_id, product_id, source, granted_by, \
                                     granted_at, expires_at, revoked_at, revoked_by, starts_at";

pub(crate) fn grant_row(row: &Row) -> Result<Grant> {
    Ok(Grant {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        id: GrantId::from_uuid(get(row, 1)?),
        member_id: MemberId::from_uuid(get(row, 2)?),
        product_id: ProductId::from_uuid(get(row, 3)?),
        source: parsed(row, 4)?,
        granted_by: parsed(row, 5)?,
        granted_at: get(row, 6)?,
        expires_at: get(row, 7)?,
        revoked_at: get(row, 8)?,
        revoked_by: opt_parsed(row, 9)?,
        starts_at: get(row, 10)?,
    })
}

pub(crate) const INVITE_COLS: &str =
    "tenant_id, id, member_id, email, email_key, name, role, products, created_by, created_at, \
     expires_at, status, accepted_at, revoked_at, workspace_id, lifetime_secs, message, \
     declined_at, metadata, suggested";

pub(crate) fn invite_row(row: &Row) -> Result<Invite> {
    let products: Vec<Uuid> = get(row, 7)?;
    Ok(Invite {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        id: InviteId::from_uuid(get(row, 1)?),
        member_id: MemberId::from_uuid(get(row, 2)?),
        email: get(row, 3)?,
        email_key: get(row, 4)?,
        name: get(row, 5)?,
        role: parsed(row, 6)?,
        workspace: get::<Option<Uuid>>(row, 14)?.map(WorkspaceId::from_uuid),
        products: products.into_iter().map(ProductId::from_uuid).collect(),
        created_by: parsed(row, 8)?,
        created_at: get(row, 9)?,
        expires_at: get(row, 10)?,
        status: parsed(row, 11)?,
        accepted_at: get(row, 12)?,
        revoked_at: get(row, 13)?,
        lifetime: get::<Option<i64>>(row, 15)?.map(time::Duration::seconds),
        message: get(row, 16)?,
        declined_at: get(row, 17)?,
        metadata: get_metadata(row, 18)?,
        suggested: get(row, 19)?,
    })
}

pub(crate) const WORKSPACE_COLS: &str = "tenant_id, id, name, created_at, seat_limit";

pub(crate) fn workspace_row(row: &Row) -> Result<Workspace> {
    Ok(Workspace {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        id: WorkspaceId::from_uuid(get(row, 1)?),
        name: get(row, 2)?,
        created_at: get(row, 3)?,
        seat_limit: seat_limit(get(row, 4)?)?,
    })
}

/// A stored seat limit (bigint, to hold every `u32`).
pub(crate) fn seat_limit(stored: Option<i64>) -> Result<Option<u32>> {
    stored
        .map(|n| {
            u32::try_from(n).map_err(|_| Error::Storage {
                message: format!("stored seat_limit {n} is out of range"),
                source: None,
            })
        })
        .transpose()
}

pub(crate) const ROLE_COLS: &str = "tenant_id, id, name, permissions, created_at";

pub(crate) fn custom_role_row(row: &Row) -> Result<CustomRole> {
    let names: Vec<String> = get(row, 3)?;
    Ok(CustomRole {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        id: RoleId::from_uuid(get(row, 1)?),
        name: get(row, 2)?,
        permissions: names.into_iter().map(Permission::custom).collect(),
        created_at: get(row, 4)?,
    })
}

pub(crate) const IMPERSONATION_COLS: &str =
    "tenant_id, id, actor_id, target_id, reason, started_at, ends_at, ended_at";

pub(crate) fn impersonation_row(row: &Row) -> Result<Impersonation> {
    Ok(Impersonation {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        id: ImpersonationId::from_uuid(get(row, 1)?),
        actor_id: MemberId::from_uuid(get(row, 2)?),
        target_id: MemberId::from_uuid(get(row, 3)?),
        reason: get(row, 4)?,
        started_at: get(row, 5)?,
        ends_at: get(row, 6)?,
        ended_at: get(row, 7)?,
    })
}

pub(crate) const EVENT_COLS: &str = "tenant_id, id, kind, payload, created_at, delivered_at";

pub(crate) fn event_row(row: &Row) -> Result<OutboxEvent> {
    let kind: String = get(row, 2)?;
    Ok(OutboxEvent {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        id: EventId::from_uuid(get(row, 1)?),
        // The channel is the core's rule about the kind, not a stored fact.
        channel: memberkit::event_kind::channel(&kind),
        kind,
        payload: get(row, 3)?,
        created_at: get(row, 4)?,
        delivered_at: get(row, 5)?,
    })
}

pub(crate) const AUDIT_COLS: &str = "tenant_id, id, at, actor, action, subject, details";

pub(crate) fn audit_row(row: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        id: AuditId::from_uuid(get(row, 1)?),
        at: get(row, 2)?,
        actor: parsed(row, 3)?,
        action: get(row, 4)?,
        subject: get(row, 5)?,
        details: get(row, 6)?,
    })
}

pub(crate) fn tenant_row(row: &Row) -> Result<TenantInfo> {
    Ok(TenantInfo {
        id: TenantId::from_uuid(get(row, 0)?),
        name: get(row, 1)?,
        settings: TenantSettings {
            invite_lifetime: time::Duration::seconds(get(row, 2)?),
            max_impersonation: time::Duration::seconds(get(row, 3)?),
            max_invite_lifetime: time::Duration::seconds(get(row, 5)?),
            seat_limit: seat_limit(get(row, 6)?)?,
            expiry_reminders: reminders(get(row, 8)?)?,
        },
        created_at: get(row, 4)?,
        swept_until: get(row, 7)?,
    })
}

/// Expiry reminder lead times, stored as a JSON list of seconds.
fn reminders(stored: &str) -> Result<Vec<time::Duration>> {
    let secs: Vec<i64> = serde_json::from_str(stored).map_err(Error::storage)?;
    Ok(secs.into_iter().map(time::Duration::seconds).collect())
}

/// Expiry reminder lead times as the JSON list of seconds they are stored as.
pub(crate) fn reminders_text(leads: &[time::Duration]) -> Result<String> {
    let secs: Vec<i64> = leads.iter().map(|d| d.whole_seconds()).collect();
    serde_json::to_string(&secs).map_err(Error::storage)
}

pub(crate) const DOMAIN_COLS: &str =
    "tenant_id, domain, workspace_id, enrollment, role, created_at";

pub(crate) fn domain_row(row: &Row) -> Result<WorkspaceDomain> {
    Ok(WorkspaceDomain {
        tenant_id: TenantId::from_uuid(get(row, 0)?),
        domain: get(row, 1)?,
        workspace_id: WorkspaceId::from_uuid(get(row, 2)?),
        enrollment: parsed(row, 3)?,
        role: parsed(row, 4)?,
        created_at: get(row, 5)?,
    })
}
