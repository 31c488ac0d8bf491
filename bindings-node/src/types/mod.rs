//! Core results as plain JavaScript objects. `use_nullable`: an absent value is `null` in
//! every result object, as it is in the values methods return and as `None` is in Python.

use crate::convert::*;
use chrono::{DateTime, Utc};
use memberkit as mk;
use napi_derive::napi;

mod secrets;
mod team;
pub use secrets::Hidden;
pub use team::*;

// `use_nullable`: an absent value is `null` in every result object, as it is in the values
// methods return and as `None` is in Python.

/// A tenant and its settings.
#[napi(object, use_nullable = true)]
pub struct TenantInfo {
    pub id: String,
    pub name: String,
    /// How long invite links live, in milliseconds.
    pub invite_lifetime_ms: f64,
    /// Longest impersonation, in milliseconds.
    pub max_impersonation_ms: f64,
    /// The longest lifetime one invite may ask for, in milliseconds.
    pub max_invite_lifetime_ms: f64,
    /// The most seats the tenant may fill, or `null` for no cap.
    pub seat_limit: Option<u32>,
    pub created_at: DateTime<Utc>,
    /// How long before a grant ends `sweep` writes `access.expiring`, in milliseconds.
    pub expiry_reminders_ms: Vec<f64>,
    /// The instant the last sweep covered.
    pub swept_until: Option<DateTime<Utc>>,
}

/// What one `sweep` wrote.
#[napi(object)]
pub struct SweepReport {
    /// Tenants whose window it covered.
    pub tenants: u32,
    /// Outbox events it wrote.
    pub events: u32,
}

impl From<mk::TenantInfo> for TenantInfo {
    fn from(t: mk::TenantInfo) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name,
            invite_lifetime_ms: t.settings.invite_lifetime.whole_milliseconds() as f64,
            max_impersonation_ms: t.settings.max_impersonation.whole_milliseconds() as f64,
            max_invite_lifetime_ms: t.settings.max_invite_lifetime.whole_milliseconds() as f64,
            seat_limit: t.settings.seat_limit,
            created_at: date(t.created_at),
            expiry_reminders_ms: t
                .settings
                .expiry_reminders
                .iter()
                .map(|d| d.whole_milliseconds() as f64)
                .collect(),
            swept_until: opt_date(t.swept_until),
        }
    }
}

/// A person in a tenant.
#[napi(object, use_nullable = true)]
pub struct Member {
    pub id: String,
    pub tenant_id: String,
    /// The email as given.
    pub email: String,
    /// The case-folded email used for every comparison.
    pub email_key: String,
    pub name: Option<String>,
    /// The host's own contact id.
    pub external_id: Option<String>,
    #[napi(ts_type = "'invited' | 'active' | 'deactivated'")]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The host's own data (an accepted invite's metadata is merged in).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

impl From<mk::Member> for Member {
    fn from(m: mk::Member) -> Self {
        Self {
            id: m.id.to_string(),
            tenant_id: m.tenant_id.to_string(),
            email: m.email,
            email_key: m.email_key,
            name: m.name,
            external_id: m.external_id,
            status: m.status.as_str().into(),
            created_at: date(m.created_at),
            updated_at: date(m.updated_at),
            metadata: m.metadata,
        }
    }
}

/// A product customers can be given access to.
#[napi(object, use_nullable = true)]
pub struct Product {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    /// `membership`, `course`, `digital_product`, `community`, or the host's own kind.
    pub kind: String,
    pub paid: bool,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    /// The host's own data (a price id, a checkout link).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

impl From<mk::Product> for Product {
    fn from(p: mk::Product) -> Self {
        Self {
            id: p.id.to_string(),
            tenant_id: p.tenant_id.to_string(),
            name: p.name,
            kind: p.kind.as_str().into(),
            paid: p.paid,
            archived: p.archived,
            created_at: date(p.created_at),
            metadata: p.metadata,
        }
    }
}

/// A member's access to a paid product.
#[napi(object, use_nullable = true)]
pub struct Grant {
    pub id: String,
    pub member_id: String,
    pub product_id: String,
    #[napi(ts_type = "'manual' | 'invite' | 'import' | 'purchase' | 'api'")]
    pub source: String,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    /// When it starts granting, if that was later than when it was granted.
    pub starts_at: Option<DateTime<Utc>>,
}

impl From<mk::Grant> for Grant {
    fn from(g: mk::Grant) -> Self {
        Self {
            id: g.id.to_string(),
            member_id: g.member_id.to_string(),
            product_id: g.product_id.to_string(),
            source: g.source.as_str().into(),
            granted_by: g.granted_by.to_string(),
            granted_at: date(g.granted_at),
            expires_at: opt_date(g.expires_at),
            revoked_at: opt_date(g.revoked_at),
            revoked_by: g.revoked_by.map(|a| a.to_string()),
            starts_at: opt_date(g.starts_at),
        }
    }
}

/// An invitation.
#[napi(object, use_nullable = true)]
pub struct Invite {
    pub id: String,
    pub tenant_id: String,
    pub member_id: String,
    pub email: String,
    pub name: Option<String>,
    /// `admin`, `member`, `customer` or a custom role id.
    pub role: String,
    pub workspace: Option<String>,
    pub products: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[napi(ts_type = "'pending' | 'accepted' | 'revoked' | 'expired' | 'declined'")]
    pub status: String,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The invite's own lifetime in milliseconds; null uses the tenant's `inviteLifetimeMs`.
    pub lifetime_ms: Option<f64>,
    /// The inviter's personal message.
    pub message: Option<String>,
    /// When the invitee declined it.
    pub declined_at: Option<DateTime<Utc>>,
    /// The host's own data, merged into the member's on acceptance.
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// A workspace's email domain suggested it (`acceptSuggestion` takes it).
    pub suggested: bool,
}

impl From<mk::Invite> for Invite {
    fn from(i: mk::Invite) -> Self {
        Self {
            id: i.id.to_string(),
            tenant_id: i.tenant_id.to_string(),
            member_id: i.member_id.to_string(),
            email: i.email,
            name: i.name,
            role: i.role.key(),
            workspace: i.workspace.map(|w| w.to_string()),
            products: i.products.iter().map(|p| p.to_string()).collect(),
            created_by: i.created_by.to_string(),
            created_at: date(i.created_at),
            expires_at: date(i.expires_at),
            status: i.status.as_str().into(),
            accepted_at: opt_date(i.accepted_at),
            revoked_at: opt_date(i.revoked_at),
            lifetime_ms: i.lifetime.map(|d| d.whole_milliseconds() as f64),
            message: i.message,
            declined_at: opt_date(i.declined_at),
            metadata: i.metadata,
            suggested: i.suggested,
        }
    }
}

/// An invite and the secret token for its link (returned once).
#[napi(object, use_nullable = true)]
pub struct IssuedInvite {
    pub invite: Invite,
    pub token: String,
    /// True when it merged into a pending invite (whose old link stopped working).
    pub merged: bool,
}

impl From<mk::IssuedInvite> for IssuedInvite {
    fn from(i: mk::IssuedInvite) -> Self {
        Self {
            token: i.token.expose().to_owned(),
            merged: i.merged,
            invite: i.invite.into(),
        }
    }
}

/// A pending invite as its invitee sees it across tenants (`Hub.invitesFor`).
#[napi(object, use_nullable = true)]
pub struct InviteForEmail {
    pub tenant_name: String,
    pub invite: Invite,
}

impl From<mk::InviteForEmail> for InviteForEmail {
    fn from(i: mk::InviteForEmail) -> Self {
        Self {
            tenant_name: i.tenant_name,
            invite: i.invite.into(),
        }
    }
}

/// One tenant an email belongs to (`Hub.membershipsOf`); `role` is tenant-wide.
#[napi(object, use_nullable = true)]
pub struct Membership {
    pub tenant_name: String,
    pub member: Member,
    pub role: Option<String>,
}

impl From<mk::Membership> for Membership {
    fn from(m: mk::Membership) -> Self {
        Self {
            tenant_name: m.tenant_name,
            member: m.member.into(),
            role: m.role.map(|r| r.key()),
        }
    }
}

/// What accepting or claiming an invite applied.
#[napi(object, use_nullable = true)]
pub struct Accepted {
    pub invite: Invite,
    pub member: Member,
    pub granted: Vec<Grant>,
}

impl From<mk::Accepted> for Accepted {
    fn from(a: mk::Accepted) -> Self {
        Self {
            invite: a.invite.into(),
            member: a.member.into(),
            granted: a.granted.into_iter().map(Into::into).collect(),
        }
    }
}

/// Result of `addCustomer`.
#[napi(object, use_nullable = true)]
pub struct AddedCustomer {
    pub member: Member,
    #[napi(ts_type = "'created' | 'existing' | 'updated'")]
    pub outcome: String,
    pub granted: Vec<Grant>,
    /// Whether a password was set (only for a member this call created).
    pub password_set: bool,
    /// The generated temporary password. Shown once.
    pub temporary_password: Option<String>,
}

/// A product a member can use now, and the grant behind it (absent for free products).
#[napi(object, use_nullable = true)]
pub struct ProductAccess {
    pub product: Product,
    pub grant: Option<Grant>,
    /// The bundle whose grant gives it; `null` when held directly (or free).
    pub via: Option<String>,
}

/// A successful sign-in check.
#[napi(object, use_nullable = true)]
pub struct PasswordCheck {
    pub member: Member,
    pub must_change: bool,
}

/// A "log in as this user" session.
#[napi(object, use_nullable = true)]
pub struct Impersonation {
    pub id: String,
    pub tenant_id: String,
    pub actor_id: String,
    pub target_id: String,
    pub reason: String,
    pub started_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<mk::Impersonation> for Impersonation {
    fn from(s: mk::Impersonation) -> Self {
        Self {
            id: s.id.to_string(),
            tenant_id: s.tenant_id.to_string(),
            actor_id: s.actor_id.to_string(),
            target_id: s.target_id.to_string(),
            reason: s.reason,
            started_at: date(s.started_at),
            ends_at: date(s.ends_at),
            ended_at: opt_date(s.ended_at),
        }
    }
}

/// A started session and its secret token (returned once).
#[napi(object, use_nullable = true)]
pub struct IssuedImpersonation {
    pub session: Impersonation,
    pub token: String,
}

/// A product on a customer-list row.
#[napi(object, use_nullable = true)]
pub struct ProductRef {
    pub id: String,
    pub name: String,
    /// The bundle it comes through, when the member holds no grant to it directly.
    pub via: Option<String>,
}

/// A customer-list row: the member and the paid products they can use now (their grants, and
/// what their bundles include, with `via` naming the bundle).
#[napi(object, use_nullable = true)]
pub struct CustomerRow {
    pub member: Member,
    pub products: Vec<ProductRef>,
}

/// A page of customers; pass `nextCursor` for the next one (absent on the last page).
#[napi(object, use_nullable = true)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRow>,
    pub next_cursor: Option<String>,
}

/// One input row's outcome.
#[napi(object, use_nullable = true)]
pub struct ImportRow {
    pub line: u32,
    pub email: Option<String>,
    pub name: Option<String>,
    #[napi(
        ts_type = "'created' | 'existing' | 'updated' | 'invalid' | 'duplicate_in_file' | 'seat_limit'"
    )]
    pub outcome: String,
    pub reason: Option<String>,
    pub member_id: Option<String>,
    /// Link token of a new invite (invite mode, real run). Shown once.
    pub invite_token: Option<String>,
    /// Temporary password (temporary_password mode, real run). Shown once.
    pub temporary_password: Option<String>,
}

/// The result of an import.
#[napi(object, use_nullable = true)]
pub struct ImportReport {
    pub rows: Vec<ImportRow>,
    /// False for dry runs and for runs stopped by invalid rows.
    pub applied: bool,
    /// How many rows, from the top of the file, are in the database.
    pub written: u32,
    pub dry_run: bool,
    /// `email,name,temporary_password` for the owner to download once.
    pub temporary_passwords_csv: String,
}

/// One audit log line.
#[napi(object, use_nullable = true)]
pub struct AuditEntry {
    pub id: String,
    pub tenant_id: String,
    pub at: DateTime<Utc>,
    /// `"system"`, or the acting member's id: the form every call and `audit({ actor })` take.
    pub actor: String,
    pub action: String,
    pub subject: String,
    #[napi(ts_type = "Record<string, string | number | boolean | null | string[]>")]
    pub details: serde_json::Value,
}

/// An event for the host to act on; acknowledge it with `ack`.
#[napi(object, use_nullable = true)]
pub struct OutboxEvent {
    pub id: String,
    pub tenant_id: String,
    pub kind: String,
    /// Whether a host would email someone for it, show it in the app, or only act on it.
    #[napi(ts_type = "'email' | 'in_app' | 'system'")]
    pub channel: String,
    #[napi(ts_type = "Record<string, string | number | boolean | null | string[]>")]
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<mk::OutboxEvent> for OutboxEvent {
    fn from(e: mk::OutboxEvent) -> Self {
        Self {
            id: e.id.to_string(),
            tenant_id: e.tenant_id.to_string(),
            channel: e.channel.as_str().into(),
            kind: e.kind,
            payload: e.payload,
            created_at: date(e.created_at),
            delivered_at: opt_date(e.delivered_at),
        }
    }
}

pub(crate) fn events(list: Vec<mk::OutboxEvent>) -> Vec<OutboxEvent> {
    list.into_iter().map(Into::into).collect()
}
