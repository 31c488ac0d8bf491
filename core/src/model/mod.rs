//! Plain data: what reads return and what stores persist.

mod kinds;

pub use kinds::*;

use crate::ids::*;
use crate::metadata::Metadata;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Per-tenant settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    /// How long an invite link stays valid after it is created or resent. Default 7 days.
    pub invite_lifetime: Duration,
    /// The longest an impersonation session may last: 1 minute to 1 hour (the default).
    pub max_impersonation: Duration,
    /// The longest lifetime one invite may be given (default 30 days, at most 365 days, never
    /// shorter than `invite_lifetime`).
    pub max_invite_lifetime: Duration,
    /// The most seats the tenant may fill (active members plus live invites), or `None` for
    /// no cap. Set by the platform with `set_seat_limit`.
    pub seat_limit: Option<u32>,
    /// How long before a grant ends `Hub::sweep` writes `access.expiring` (default 7 days and
    /// 1 day; at most 5, each 1 hour to 365 days).
    pub expiry_reminders: Vec<Duration>,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            invite_lifetime: Duration::days(7),
            max_impersonation: Duration::hours(1),
            max_invite_lifetime: Duration::days(30),
            seat_limit: None,
            expiry_reminders: vec![Duration::days(7), Duration::days(1)],
        }
    }
}

/// A tenant: a creator's hub, an agency account. Nothing crosses its boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantInfo {
    /// Its id.
    pub id: TenantId,
    /// Display name.
    pub name: String,
    /// Settings.
    pub settings: TenantSettings,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// The instant its last `Hub::sweep` covered (`None`: never swept).
    pub swept_until: Option<OffsetDateTime>,
}

/// A person in a tenant: customer or team member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Its id.
    pub id: MemberId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// The email as given (trimmed, Unicode NFC).
    pub email: String,
    /// The case-folded email: unique per tenant, used for every comparison.
    pub email_key: String,
    /// Display name, if known.
    pub name: Option<String>,
    /// The host's own contact id, unique per tenant.
    pub external_id: Option<String>,
    /// Lifecycle status.
    pub status: MemberStatus,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// The host's own data about them (an accepted invite's metadata is merged in).
    pub metadata: Metadata,
}

/// A product customers can be given access to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Its id.
    pub id: ProductId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// Display name.
    pub name: String,
    /// Kind.
    pub kind: ProductKind,
    /// Paid products need a grant; free ones are open to every active member.
    pub paid: bool,
    /// Archived products cannot be granted anew; existing grants keep working.
    pub archived: bool,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// The host's own data about it (a price id, a checkout link).
    pub metadata: Metadata,
}

impl Product {
    /// Whether a grant picker offers it: paid and not archived (a grant of anything else is
    /// `invalid_input`).
    pub fn is_grantable(&self) -> bool {
        self.paid && !self.archived
    }
}

/// A member's access to one paid product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Its id.
    pub id: GrantId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// Who has access.
    pub member_id: MemberId,
    /// To what.
    pub product_id: ProductId,
    /// Where it came from.
    pub source: GrantSource,
    /// Who granted it.
    pub granted_by: Actor,
    /// When it was granted (or last renewed).
    pub granted_at: OffsetDateTime,
    /// When it stops granting, if ever.
    pub expires_at: Option<OffsetDateTime>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// Who revoked it.
    pub revoked_by: Option<Actor>,
    /// When it starts granting, when that was in the future as it was granted (a pre-sale, a
    /// drip, a trial that begins on a date); `None` grants from `granted_at`.
    pub starts_at: Option<OffsetDateTime>,
}

impl Grant {
    /// Active = not revoked, started, and not expired at `now` (it starts at `starts_at` and
    /// ends at `expires_at` exactly).
    pub fn is_active_at(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.window().contains(now)
    }

    /// When it grants.
    pub fn window(&self) -> GrantWindow {
        GrantWindow {
            starts_at: self.starts_at,
            expires_at: self.expires_at,
        }
    }
}

/// When a grant grants: from `starts_at` (or always) until `expires_at` (or forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GrantWindow {
    /// The first instant it grants, if not from the start.
    pub starts_at: Option<OffsetDateTime>,
    /// The first instant it no longer grants, if ever.
    pub expires_at: Option<OffsetDateTime>,
}

impl GrantWindow {
    /// Whether `now` falls in it: `starts_at <= now < expires_at`.
    pub fn contains(&self, now: OffsetDateTime) -> bool {
        self.starts_at.is_none_or(|s| s <= now) && self.expires_at.is_none_or(|e| now < e)
    }
}

/// An email invitation and what it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    /// Its id.
    pub id: InviteId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// The member row it activates (status `invited` until then).
    pub member_id: MemberId,
    /// The invited email as given.
    pub email: String,
    /// Its case-folded key; the link only works for this address.
    pub email_key: String,
    /// Name to greet the person with.
    pub name: Option<String>,
    /// The role the person gets on acceptance: in `workspace` if set, tenant-wide otherwise.
    pub role: Role,
    /// The workspace the person joins on acceptance.
    pub workspace: Option<WorkspaceId>,
    /// Products granted on acceptance.
    pub products: Vec<ProductId>,
    /// Who sent it.
    pub created_by: Actor,
    /// When it was first created.
    pub created_at: OffsetDateTime,
    /// When its current link stops working. Restarted by resend and by a merging re-invite.
    pub expires_at: OffsetDateTime,
    /// Status at the time it was read (`expired` is derived from `expires_at`).
    pub status: InviteStatus,
    /// When it was accepted.
    pub accepted_at: Option<OffsetDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<OffsetDateTime>,
    /// The lifetime chosen for this invite; `None` uses the tenant's `invite_lifetime`.
    /// Resending restarts it.
    pub lifetime: Option<Duration>,
    /// A personal message from the inviter, carried in the invite's outbox events.
    pub message: Option<String>,
    /// When the invitee declined it.
    pub declined_at: Option<OffsetDateTime>,
    /// The host's own data, merged into the member's on acceptance.
    pub metadata: Metadata,
    /// A suggestion from a workspace's email domain rather than an invitation: `claim` leaves
    /// it for the person to take (`accept_suggestion`) or decline.
    pub suggested: bool,
}

impl InviteStatus {
    /// The status a store keeps: `expired` is derived from `expires_at`, so such an invite is
    /// stored as `pending`; `declined` from `declined_at`, so it is stored as `revoked` (its
    /// links are dead either way).
    pub fn stored(self) -> InviteStatus {
        match self {
            InviteStatus::Expired => InviteStatus::Pending,
            InviteStatus::Declined => InviteStatus::Revoked,
            other => other,
        }
    }
}

impl Invite {
    /// The status at `now`: a pending invite is expired from `expires_at` on; a revoked one
    /// with `declined_at` was declined.
    pub fn status_at(&self, now: OffsetDateTime) -> InviteStatus {
        match self.status {
            InviteStatus::Pending if now >= self.expires_at => InviteStatus::Expired,
            InviteStatus::Revoked if self.declined_at.is_some() => InviteStatus::Declined,
            other => other,
        }
    }
}

/// One line of the audit log, written in the same transaction as the change it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its id.
    pub id: AuditId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// When.
    pub at: OffsetDateTime,
    /// Who.
    pub actor: Actor,
    /// What, e.g. `access.granted`, `invite.created`.
    pub action: String,
    /// The id of the row acted on.
    pub subject: String,
    /// Details as JSON.
    pub details: serde_json::Value,
}

/// An event for the host to act on (send an email, an in-app notice), written in the same
/// transaction as the change. The host drains them with `outbox` and confirms with `ack`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEvent {
    /// Its id; ids sort in creation order.
    pub id: EventId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// Kind, e.g. `invite.created` (see [`crate::event_kind`]).
    pub kind: String,
    /// Whether a host would email someone for it (`email`), show it in the app (`in_app`), or
    /// only act on it itself (`system`).
    pub channel: Channel,
    /// Payload as JSON.
    pub payload: serde_json::Value,
    /// When it was written.
    pub created_at: OffsetDateTime,
    /// When the host acknowledged it.
    pub delivered_at: Option<OffsetDateTime>,
}

/// A workspace inside a tenant: a sub-account or a client company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// Its id.
    pub id: WorkspaceId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// Display name, unique within the tenant.
    pub name: String,
    /// The most seats it may fill (active members with a role in it plus live invites into
    /// it), or `None` for no cap.
    pub seat_limit: Option<u32>,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// The seats of a tenant or of a workspace. A person fills a tenant seat while active or
/// while their invite is live (pending, not expired); a workspace seat while active with a
/// role there, or while their live invite is into it. Deactivated members, expired, revoked
/// and declined invites free their seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seats {
    /// The workspace, or `None` for the tenant.
    pub workspace: Option<WorkspaceId>,
    /// The cap, or `None` for none.
    pub limit: Option<u32>,
    /// Seats taken now.
    pub taken: usize,
}

impl Seats {
    /// Seats still free under the cap (`None` without a cap; zero past a lowered one).
    pub fn available(&self) -> Option<usize> {
        self.limit.map(|l| (l as usize).saturating_sub(self.taken))
    }
}

/// An email domain a workspace takes people from (Clerk's verified domains).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceDomain {
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// The workspace.
    pub workspace_id: WorkspaceId,
    /// The domain, lower-case ASCII (an international domain in its `xn--` form).
    pub domain: String,
    /// Join at once, or a suggestion.
    pub enrollment: Enrollment,
    /// The role in the workspace.
    pub role: Role,
    /// When it was added.
    pub created_at: OffsetDateTime,
}

/// A role defined by the tenant: a name and a set of permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRole {
    /// Its id; assign it as `Role::Custom(id)`.
    pub id: RoleId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// Display name, unique within the tenant; not a built-in role name.
    pub name: String,
    /// What it allows, sorted.
    pub permissions: Vec<crate::Permission>,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// A member's role, tenant-wide (`workspace: None`) or in one workspace (which makes them a
/// member of that workspace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// Who.
    pub member_id: MemberId,
    /// Which role.
    pub role: Role,
    /// Where: `None` is tenant-wide.
    pub workspace: Option<WorkspaceId>,
}

/// A stored password: an argon2id PHC string, never the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub password_hash: String,
    /// The member must choose a new password at next sign-in.
    pub must_change: bool,
    /// When it was set.
    pub updated_at: OffsetDateTime,
}

/// A "log in as this user" session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impersonation {
    /// Its id.
    pub id: ImpersonationId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// The team member looking.
    pub actor_id: MemberId,
    /// The member being looked at.
    pub target_id: MemberId,
    /// Why (recorded in the audit log).
    pub reason: String,
    /// When it began.
    pub started_at: OffsetDateTime,
    /// When it ends by itself.
    pub ends_at: OffsetDateTime,
    /// When it was ended early (by `end_impersonation` or a deactivation).
    pub ended_at: Option<OffsetDateTime>,
}

impl Impersonation {
    /// Whether the session is still running at `now`.
    pub fn is_live_at(&self, now: OffsetDateTime) -> bool {
        self.ended_at.is_none() && now < self.ends_at
    }
}
