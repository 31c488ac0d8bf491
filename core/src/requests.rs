//! Arguments and results of the tenant operations.

use crate::ids::*;
use crate::metadata::Metadata;
use crate::model::*;
use crate::password::Password;
use crate::token::InviteToken;
use time::{Duration, OffsetDateTime};

/// A product to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    /// Display name (required).
    pub name: String,
    /// Kind.
    pub kind: ProductKind,
    /// Paid products need a grant; free ones are open to every active member.
    pub paid: bool,
    /// The host's own data about it (at most 8 KiB as JSON).
    pub metadata: Metadata,
}

impl NewProduct {
    /// A paid product of the given kind.
    pub fn paid(name: impl Into<String>, kind: ProductKind) -> Self {
        Self {
            name: name.into(),
            kind,
            paid: true,
            metadata: Metadata::new(),
        }
    }

    /// A free product of the given kind.
    pub fn free(name: impl Into<String>, kind: ProductKind) -> Self {
        Self {
            name: name.into(),
            kind,
            paid: false,
            metadata: Metadata::new(),
        }
    }

    /// Sets the product's metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }
}

/// A change to some tenant settings; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsUpdate {
    /// New invite lifetime (1 minute to 365 days).
    pub invite_lifetime: Option<Duration>,
    /// New impersonation maximum (1 minute to 1 hour).
    pub max_impersonation: Option<Duration>,
    /// New maximum for one invite's own lifetime (at least `invite_lifetime`, at most 365 days).
    pub max_invite_lifetime: Option<Duration>,
    /// New lead times for `access.expiring` (at most 5, each 1 hour to 365 days; empty for
    /// none).
    pub expiry_reminders: Option<Vec<Duration>>,
}

/// A customer to add now (no invite): created, or reused when the email or external id is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomer {
    /// Email (required); compared case-insensitively.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// The host's contact id.
    pub external_id: Option<String>,
    /// Paid products to grant at once.
    pub products: Vec<ProductId>,
    /// When those grants end, if ever.
    pub expires_at: Option<OffsetDateTime>,
    /// When those grants start, if later than now.
    pub starts_at: Option<OffsetDateTime>,
    /// Where the grants come from (default `manual`).
    pub source: GrantSource,
    /// Role for a newly created member (default `customer`; others need `users.manage`).
    pub role: Role,
    /// "Notify by email" (default true). False writes no `email`-channel outbox event (no
    /// `access.granted` email); the audit entries are written all the same.
    pub notify: bool,
    /// A password for the member this call creates (8 to 1,024 characters), hashed at once.
    /// Must-change when a team member sets it, as with `set_password`.
    pub password: Option<Password>,
    /// Generate a temporary password for the member this call creates, returned once in
    /// [`AddedCustomer::temporary_password`] and must-change (as the import's
    /// `temporary_password` mode). Not together with `password`.
    pub temporary_password: bool,
    /// Metadata (at most 8 KiB as JSON): a new member's, or a patch applied key by key to an
    /// existing member's (a `null` value removes that key).
    pub metadata: Metadata,
}

impl NewCustomer {
    /// A customer with this email and nothing else.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            name: None,
            external_id: None,
            products: Vec::new(),
            expires_at: None,
            starts_at: None,
            source: GrantSource::Manual,
            role: Role::Customer,
            notify: true,
            password: None,
            temporary_password: false,
            metadata: Metadata::new(),
        }
    }

    /// Sets the metadata (a patch for an existing member).
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }
    /// Sets the password for a newly created member.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(Password::new(password));
        self
    }
    /// Asks for a generated temporary password for a newly created member.
    pub fn temporary_password(mut self) -> Self {
        self.temporary_password = true;
        self
    }
    /// Sets whether to write `email`-channel outbox events (default true).
    pub fn notify(mut self, notify: bool) -> Self {
        self.notify = notify;
        self
    }
    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Sets the external id.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }
    /// Adds a product to grant.
    pub fn product(mut self, product: ProductId) -> Self {
        self.products.push(product);
        self
    }
    /// Sets when the grants start (a pre-sale: granted now, usable from then).
    pub fn starts_at(mut self, at: OffsetDateTime) -> Self {
        self.starts_at = Some(at);
        self
    }

    /// Sets when the grants end.
    pub fn expires_at(mut self, at: OffsetDateTime) -> Self {
        self.expires_at = Some(at);
        self
    }
    /// Sets the grant source.
    pub fn source(mut self, source: GrantSource) -> Self {
        self.source = source;
        self
    }
    /// Sets the role of a newly created member.
    pub fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }
}

/// What `add_customer` did with the member row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddOutcome {
    /// A new member was created.
    Created,
    /// The member existed and nothing about them changed (grants may have been added).
    Existing,
    /// The member existed; their name, external id, email or status was updated.
    Updated,
}

impl AddOutcome {
    /// `created`, `existing` or `updated`.
    pub fn as_str(self) -> &'static str {
        match self {
            AddOutcome::Created => "created",
            AddOutcome::Existing => "existing",
            AddOutcome::Updated => "updated",
        }
    }
}

/// Result of `add_customer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedCustomer {
    /// The member as it is now.
    pub member: Member,
    /// Whether it was created, reused, or updated.
    pub outcome: AddOutcome,
    /// Grants this call created or renewed (an already identical grant is not repeated).
    pub granted: Vec<Grant>,
    /// Whether a password (given or temporary) was set: only for a member this call created;
    /// an existing member keeps theirs.
    pub password_set: bool,
    /// The generated temporary password, when one was asked for and set. Shown once.
    pub temporary_password: Option<Password>,
}

/// Options of a single grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantOptions {
    /// When the grant ends, if ever. Must be in the future.
    pub expires_at: Option<OffsetDateTime>,
    /// When the grant starts, if later than now (must be before `expires_at`).
    pub starts_at: Option<OffsetDateTime>,
    /// Where it comes from (default `manual`).
    pub source: GrantSource,
}

impl Default for GrantOptions {
    fn default() -> Self {
        Self {
            expires_at: None,
            starts_at: None,
            source: GrantSource::Manual,
        }
    }
}

/// An invite to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvite {
    /// Email (required).
    pub email: String,
    /// Name to greet the person with.
    pub name: Option<String>,
    /// Role on acceptance (default `customer`; others need `users.manage`).
    pub role: Role,
    /// Workspace to join on acceptance, with `role` there (tenant-wide when `None`).
    pub workspace: Option<WorkspaceId>,
    /// Paid products granted on acceptance.
    pub products: Vec<ProductId>,
    /// "Notify by email" (default true). False writes no `invite.created` event: the host
    /// hands the link over itself. The audit entry is written all the same.
    pub notify: bool,
    /// How long the link stays valid (one minute up to the tenant's `max_invite_lifetime`);
    /// `None` uses the tenant's `invite_lifetime`.
    pub lifetime: Option<Duration>,
    /// A personal message (at most 2,000 characters) stored on the invite and carried in its
    /// outbox events for the email.
    pub message: Option<String>,
    /// Metadata (at most 8 KiB as JSON), merged into the member's when they accept. Merging
    /// into a pending invite applies it key by key (a `null` value removes that key).
    pub metadata: Metadata,
}

impl NewInvite {
    /// An invite for a customer with this email, carrying nothing yet.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            name: None,
            role: Role::Customer,
            workspace: None,
            products: Vec::new(),
            notify: true,
            lifetime: None,
            message: None,
            metadata: Metadata::new(),
        }
    }

    /// Sets the metadata the member gets on acceptance.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }
    /// Sets whether to write `email`-channel outbox events (default true).
    pub fn notify(mut self, notify: bool) -> Self {
        self.notify = notify;
        self
    }
    /// Sets the workspace to join on acceptance.
    pub fn workspace(mut self, workspace: WorkspaceId) -> Self {
        self.workspace = Some(workspace);
        self
    }
    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Sets the role.
    pub fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }
    /// Adds a product to grant on acceptance.
    pub fn product(mut self, product: ProductId) -> Self {
        self.products.push(product);
        self
    }
    /// Sets how long the link stays valid.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }
    /// Sets the personal message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// An invite with its secret token: returned by `invite` and `resend_invite` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedInvite {
    /// The invite as stored.
    pub invite: Invite,
    /// The secret for the link. memberkit keeps only its digest: send it now or lose it.
    pub token: InviteToken,
    /// True when this call merged into an existing pending invite (whose old link stops working).
    pub merged: bool,
}

/// A pending invite as its invitee sees it across tenants ("your invitations").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteForEmail {
    /// The name of the tenant that sent it.
    pub tenant_name: String,
    /// The invite (its `tenant_id` says where to `accept`, `claim` or `decline` it).
    pub invite: Invite,
}

/// One tenant an email belongs to ("your workspaces").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The tenant's name.
    pub tenant_name: String,
    /// The member there (`active` or `deactivated`).
    pub member: Member,
    /// Their tenant-wide role, if they have one (a client user may have only workspace roles).
    pub role: Option<Role>,
}

/// Result of accepting or claiming an invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The invite, now `accepted`.
    pub invite: Invite,
    /// The member, now `active`.
    pub member: Member,
    /// Grants the invite carried that were applied.
    pub granted: Vec<Grant>,
}

/// One product a member can use now, and the grant behind it (`None` for a free product).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductAccess {
    /// The product.
    pub product: Product,
    /// The grant that gives it, for paid products: the member's own, or their grant to a
    /// bundle that includes the product.
    pub grant: Option<Grant>,
    /// The bundle whose grant gives it; `None` when held directly (or free).
    pub via: Option<ProductId>,
}

/// An email domain for a workspace (`add_domain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDomain {
    /// The domain (`acme.com`); a leading `@` is fine.
    pub domain: String,
    /// Join at once (the default) or a suggestion.
    pub enrollment: Enrollment,
    /// The role in the workspace (default `member`).
    pub role: Role,
}

impl NewDomain {
    /// People with addresses at `domain` join at once as `member`s.
    pub fn new(domain: impl Into<String>) -> Self {
        Self {
            domain: domain.into(),
            enrollment: Enrollment::Join,
            role: Role::Member,
        }
    }

    /// Sets how they enroll.
    pub fn enrollment(mut self, enrollment: Enrollment) -> Self {
        self.enrollment = enrollment;
        self
    }

    /// Sets their role in the workspace.
    pub fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }
}
