//! The persistence boundary. The core decides; a store only reads and writes rows.
//!
//! Every method takes the tenant id first (except the few hub-wide lookups named as such), so
//! a store can key every table and index by tenant and shard on it.

mod batch;
mod facts;
mod filters;

pub use crate::query::{AuditQuery, CustomerSort};
pub use batch::{Changes, ImportFacts};
pub(crate) use facts::held_roles;
pub use facts::{AccessFacts, HeldRole, PermissionFacts};
pub use filters::{CustomerFilter, InviteFilter, KeptCount};

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::token::TokenDigest;
use time::OffsetDateTime;

/// A storage backend: hands the core one transaction per use case.
///
/// Implementations must be `Send + Sync`; reads should not queue behind writes.
pub trait Store: Send + Sync + 'static {
    /// Runs `f` in a read transaction: one consistent snapshot, no writes.
    ///
    /// `f` may be called more than once: a store that loses a transaction to a serialization
    /// failure or a deadlock rolls back and calls `f` again (with backoff); only the run that
    /// commits counts. Callers never see those failures.
    fn read(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()>;
    /// Runs `f` in a write transaction, committing if it returns `Ok` and rolling back
    /// everything it did otherwise.
    fn write(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()>;
    /// Runs `f` in a write transaction and always rolls it back: a dry run that sees exactly
    /// what the real run would.
    fn rehearse(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()>;

    /// What `has_access` needs, on its hot path: a store may answer it with its single
    /// statement and no explicit transaction (one statement is its own snapshot). The default
    /// reads it through [`Store::read`].
    fn access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<AccessFacts>> {
        read_one(self, |tx| tx.access_facts(tenant, member, product))
    }

    /// What `can` needs, on its hot path, like [`Store::access_facts`]. The default reads it
    /// through [`Store::read`].
    fn permission_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        workspace: Option<WorkspaceId>,
    ) -> Result<Option<PermissionFacts>> {
        read_one(self, |tx| tx.permission_facts(tenant, member, workspace))
    }

    /// [`Store::access_facts`], but only if the store can answer without waiting for another
    /// transaction to finish; `None` otherwise. An event loop uses it to answer inline and
    /// hands the call to a worker thread only when it would have to wait. The default never
    /// answers inline.
    fn try_access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Option<Result<Option<AccessFacts>>> {
        let _ = (tenant, member, product);
        None
    }

    /// The store's report on itself for operators: engine, schema version, the migrations
    /// applied at open, size, and what its integrity checks found. The default knows only
    /// that it is a custom store.
    fn report(&self) -> Result<crate::StoreReport> {
        Ok(crate::StoreReport {
            engine: "custom".into(),
            ..Default::default()
        })
    }
}

/// Runs a closure returning a value in a read transaction. The store may run it more than
/// once (a networked store retries a serialization failure); only the last run's value is
/// returned, so a body must not act outside the transaction.
pub fn read<R>(store: &dyn Store, f: impl FnMut(&dyn Tx) -> Result<R>) -> Result<R> {
    run(store, Mode::Read, f)
}

/// [`read`], for a body that runs a caller's callback (a dry run's progress): a call back into
/// memberkit from it is refused with `conflict`, as from inside a write, instead of waiting on
/// a connection its own thread holds (an in-memory store reads on its writer).
pub(crate) fn read_refusing_reentry<R>(
    store: &dyn Store,
    f: impl FnMut(&dyn Tx) -> Result<R>,
) -> Result<R> {
    run(store, Mode::ReadRefusingReentry, f)
}

/// Runs a closure returning a value in a write transaction; like [`read`], it may run more
/// than once, and only the run that commits counts.
pub fn write<R>(store: &dyn Store, f: impl FnMut(&dyn Tx) -> Result<R>) -> Result<R> {
    run(store, Mode::Write, f)
}

/// Runs a closure returning a value in a write transaction that is then rolled back.
pub fn rehearse<R>(store: &dyn Store, f: impl FnMut(&dyn Tx) -> Result<R>) -> Result<R> {
    run(store, Mode::Rehearse, f)
}

thread_local! {
    /// Whether this thread is inside a write transaction that memberkit opened.
    static IN_WRITE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Refuses a transaction opened from inside a write transaction on the same thread (an
/// import's progress callback calling back into the hub): it would wait forever for the write
/// lock its own thread holds. A clear `conflict` instead of a hang.
pub(crate) fn not_reentrant() -> Result<()> {
    if IN_WRITE.with(|w| w.get()) {
        return Err(Error::Conflict(
            "memberkit was called from inside one of its own write transactions (an import's \
             progress callback?): call it after that call returns"
                .into(),
        ));
    }
    Ok(())
}

/// Marks this thread as inside a write transaction until dropped (also on panic).
struct WriteGuard;

impl WriteGuard {
    fn enter() -> Self {
        IN_WRITE.with(|w| w.set(true));
        WriteGuard
    }
}

impl Drop for WriteGuard {
    fn drop(&mut self) {
        IN_WRITE.with(|w| w.set(false));
    }
}

/// One value read through [`Store::read`]: the default body of the `Store::*_facts` methods,
/// which a store overrides with a single statement.
fn read_one<S: Store + ?Sized, R>(store: &S, mut f: impl FnMut(&dyn Tx) -> Result<R>) -> Result<R> {
    let mut out = None;
    store.read(&mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| Error::Storage {
        message: "store did not run the transaction body".into(),
        source: None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Read,
    ReadRefusingReentry,
    Write,
    Rehearse,
}

fn run<R>(store: &dyn Store, mode: Mode, mut f: impl FnMut(&dyn Tx) -> Result<R>) -> Result<R> {
    not_reentrant()?;
    let mut out = None;
    let mut body = |tx: &dyn Tx| {
        // A retried body starts afresh: a value from a rolled-back run must not leak out.
        out = None;
        out = Some(f(tx)?);
        Ok(())
    };
    match mode {
        Mode::Read => store.read(&mut body)?,
        Mode::ReadRefusingReentry => {
            let _guard = WriteGuard::enter();
            store.read(&mut body)?;
        }
        Mode::Write => {
            let _guard = WriteGuard::enter();
            store.write(&mut body)?;
        }
        Mode::Rehearse => {
            let _guard = WriteGuard::enter();
            store.rehearse(&mut body)?;
        }
    }
    out.ok_or_else(|| Error::Storage {
        message: "store did not run the transaction body".into(),
        source: None,
    })
}

/// Which instant of a grant [`Tx::grants_between`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantInstant {
    /// `starts_at`.
    Starts,
    /// `expires_at`.
    Expires,
}

/// How much a custom role is used: the facts behind "in use".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoleUsage {
    /// Role assignments naming it, in any scope.
    pub assignments: usize,
    /// Invites stored `pending` (expired or not) that would give it.
    pub pending_invites: usize,
}

/// The operations of one transaction. Reads return `Ok(None)` for missing rows; invites come
/// back with their stored status (`pending`, `accepted`, `revoked`); the core derives `expired`.
pub trait Tx {
    /// Writes a batch of new and changed rows in one call, in dependency order (members,
    /// roles, credentials, grants, invites, audit, outbox). The default writes them one by
    /// one; a store overrides it with its bulk path (multi-row statements, COPY).
    fn apply(&self, changes: &Changes) -> Result<()> {
        changes.apply_one_by_one(self)
    }

    /// What an import needs to know about existing members, in one call: the members with
    /// any of these email keys or external ids, their role assignments, their open grants,
    /// and the pending invites for these email keys. The default asks row by row.
    fn import_facts(
        &self,
        tenant: TenantId,
        email_keys: &[&str],
        external_ids: &[&str],
    ) -> Result<ImportFacts> {
        ImportFacts::fetch_one_by_one(self, tenant, email_keys, external_ids)
    }

    /// A page of members matching the filter, in its order, each with its keyset position
    /// (what `CustomerFilter::after` takes to continue after it). `invalid_input` for a
    /// position this store did not produce.
    fn customers(&self, tenant: TenantId, filter: &CustomerFilter)
        -> Result<Vec<(Member, String)>>;
    /// How many members match the filter (cursor and limit ignored).
    fn count_customers(&self, tenant: TenantId, filter: &CustomerFilter) -> Result<usize>;
    /// The paid products each of `members` holds an active grant to: (member, product, name).
    fn active_products(
        &self,
        tenant: TenantId,
        members: &[MemberId],
        now: OffsetDateTime,
    ) -> Result<Vec<(MemberId, ProductId, String)>>;

    /// Inserts a tenant.
    fn insert_tenant(&self, tenant: &TenantInfo) -> Result<()>;
    /// Replaces a tenant's name and settings.
    fn update_tenant(&self, tenant: &TenantInfo) -> Result<()>;
    /// A tenant by id.
    fn tenant(&self, id: TenantId) -> Result<Option<TenantInfo>>;
    /// Hub-wide: every tenant's id, in id order.
    fn tenant_ids(&self) -> Result<Vec<TenantId>>;
    /// Counts across every tenant for `Hub::stats`: raw facts (stored statuses; pending
    /// invites whose `expires_at` is not after `now`), no rule applied.
    fn hub_counts(&self, now: OffsetDateTime) -> Result<crate::HubCounts>;

    /// Inserts a member. Email key and external id are unique per tenant.
    fn insert_member(&self, member: &Member) -> Result<()>;
    /// Replaces a member's fields.
    fn update_member(&self, member: &Member) -> Result<()>;
    /// A member by id.
    fn member(&self, tenant: TenantId, id: MemberId) -> Result<Option<Member>>;
    /// A member by case-folded email.
    fn member_by_email_key(&self, tenant: TenantId, key: &str) -> Result<Option<Member>>;
    /// A member by the host's external id.
    fn member_by_external_id(&self, tenant: TenantId, external_id: &str) -> Result<Option<Member>>;
    /// Deletes the pending invites for an email key; returns how many.
    fn delete_pending_invites(&self, tenant: TenantId, email_key: &str) -> Result<usize>;
    /// Deletes a member's row. The core deletes what refers to it first (grants, role
    /// assignments, password); audit and outbox rows stay.
    fn delete_member(&self, tenant: TenantId, id: MemberId) -> Result<()>;
    /// Deletes every grant of a member, revoked ones included; returns how many.
    fn delete_grants_of(&self, tenant: TenantId, member: MemberId) -> Result<usize>;
    /// Removes every role assignment of a member; returns how many.
    fn remove_roles(&self, tenant: TenantId, member: MemberId) -> Result<usize>;
    /// Deletes a member's password hash, if any.
    fn delete_credential(&self, tenant: TenantId, member: MemberId) -> Result<()>;

    /// Sets the member's role tenant-wide (`workspace: None`) or in a workspace.
    fn set_role(
        &self,
        tenant: TenantId,
        member: MemberId,
        workspace: Option<WorkspaceId>,
        role: Role,
    ) -> Result<()>;
    /// Removes the member's role in that scope; returns whether there was one.
    fn remove_role(
        &self,
        tenant: TenantId,
        member: MemberId,
        workspace: Option<WorkspaceId>,
    ) -> Result<bool>;
    /// Every role assignment of the member: tenant-wide first, then by workspace.
    fn assignments(&self, tenant: TenantId, member: MemberId) -> Result<Vec<RoleAssignment>>;
    /// Members of a workspace with their role there, oldest member first.
    fn workspace_members(
        &self,
        tenant: TenantId,
        workspace: WorkspaceId,
    ) -> Result<Vec<(Member, Role)>>;
    /// Every assignment of a role other than `except`, with its member, by member (oldest
    /// first) then tenant-wide before workspaces.
    fn assignments_except(
        &self,
        tenant: TenantId,
        except: Role,
    ) -> Result<Vec<(Member, RoleAssignment)>>;
    /// Members holding `admin` tenant-wide, whatever their status.
    fn tenant_admins(&self, tenant: TenantId) -> Result<Vec<Member>>;
    /// How often a custom role is assigned, and how many stored-pending invites carry it.
    fn role_usage(&self, tenant: TenantId, role: RoleId) -> Result<RoleUsage>;

    /// Inserts a workspace. Names are unique per tenant.
    fn insert_workspace(&self, workspace: &Workspace) -> Result<()>;
    /// Replaces a workspace's name and seat limit.
    fn update_workspace(&self, workspace: &Workspace) -> Result<()>;
    /// Seats taken at `now`, tenant-wide (`workspace: None`) or in a workspace: active
    /// members (holding a role in `workspace`, when given) plus invites stored `pending` that
    /// expire after `now` (into `workspace`, when given) whose member is not active.
    fn seats_taken(
        &self,
        tenant: TenantId,
        workspace: Option<WorkspaceId>,
        now: OffsetDateTime,
    ) -> Result<usize>;
    /// A workspace by id.
    fn workspace(&self, tenant: TenantId, id: WorkspaceId) -> Result<Option<Workspace>>;
    /// A workspace by exact name.
    fn workspace_by_name(&self, tenant: TenantId, name: &str) -> Result<Option<Workspace>>;
    /// Every workspace of the tenant, oldest first.
    fn workspaces(&self, tenant: TenantId) -> Result<Vec<Workspace>>;

    /// Adds an email domain to a workspace. A domain is unique per tenant.
    fn insert_domain(&self, domain: &WorkspaceDomain) -> Result<()>;
    /// Removes a domain of the tenant; returns whether there was one.
    fn delete_domain(&self, tenant: TenantId, domain: &str) -> Result<bool>;
    /// The domain rule of the tenant for a domain.
    fn domain_rule(&self, tenant: TenantId, domain: &str) -> Result<Option<WorkspaceDomain>>;
    /// The domains of a workspace, by domain.
    fn workspace_domains(
        &self,
        tenant: TenantId,
        workspace: WorkspaceId,
    ) -> Result<Vec<WorkspaceDomain>>;
    /// Hub-wide: every tenant's rule for a domain, by tenant id.
    fn domain_rules_everywhere(&self, domain: &str) -> Result<Vec<WorkspaceDomain>>;

    /// Inserts a custom role. Names are unique per tenant.
    fn insert_custom_role(&self, role: &CustomRole) -> Result<()>;
    /// Replaces a custom role's name and permissions.
    fn update_custom_role(&self, role: &CustomRole) -> Result<()>;
    /// Deletes a custom role.
    fn delete_custom_role(&self, tenant: TenantId, id: RoleId) -> Result<()>;
    /// A custom role by id.
    fn custom_role(&self, tenant: TenantId, id: RoleId) -> Result<Option<CustomRole>>;
    /// A custom role by exact name.
    fn custom_role_by_name(&self, tenant: TenantId, name: &str) -> Result<Option<CustomRole>>;
    /// Every custom role of the tenant, oldest first.
    fn custom_roles(&self, tenant: TenantId) -> Result<Vec<CustomRole>>;

    /// Stores (or replaces) the member's password hash.
    fn set_credential(&self, tenant: TenantId, member: MemberId, cred: &Credential) -> Result<()>;
    /// The member's password hash, if any.
    fn credential(&self, tenant: TenantId, member: MemberId) -> Result<Option<Credential>>;

    /// Inserts an impersonation session with the digest of its token.
    fn insert_impersonation(&self, session: &Impersonation, digest: &TokenDigest) -> Result<()>;
    /// Replaces a session's fields (ending it).
    fn update_impersonation(&self, session: &Impersonation) -> Result<()>;
    /// Hub-wide: the session whose token has this digest.
    fn impersonation_by_digest(&self, digest: &TokenDigest) -> Result<Option<Impersonation>>;
    /// Sessions not yet ended early in which the member is actor or target.
    fn open_impersonations_of(
        &self,
        tenant: TenantId,
        member: MemberId,
    ) -> Result<Vec<Impersonation>>;

    /// Inserts a product.
    fn insert_product(&self, product: &Product) -> Result<()>;
    /// Replaces a product's fields.
    fn update_product(&self, product: &Product) -> Result<()>;
    /// A product by id.
    fn product(&self, tenant: TenantId, id: ProductId) -> Result<Option<Product>>;
    /// Every product of the tenant, oldest first.
    fn products(&self, tenant: TenantId) -> Result<Vec<Product>>;

    /// Inserts a grant. At most one unrevoked grant per member and product.
    fn insert_grant(&self, grant: &Grant) -> Result<()>;
    /// Replaces a grant's fields.
    fn update_grant(&self, grant: &Grant) -> Result<()>;
    /// The member's unrevoked grant for the product (it may have expired).
    fn open_grant(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<Grant>>;
    /// Unrevoked grants whose `instant` (a `NULL` never matches) is after `after` and at or
    /// before `until`, in that instant's order.
    fn grants_between(
        &self,
        tenant: TenantId,
        instant: GrantInstant,
        after: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<Grant>>;
    /// Every bundle inclusion of the tenant: `(bundle, product)` pairs, direct ones marked
    /// `true`, the others (through nested bundles) `false`.
    fn bundle_items(&self, tenant: TenantId) -> Result<Vec<(ProductId, ProductId, bool)>>;
    /// Replaces the tenant's bundle inclusions with `items` (as [`Tx::bundle_items`] returns
    /// them: the core computes the nested ones).
    fn replace_bundle_items(
        &self,
        tenant: TenantId,
        items: &[(ProductId, ProductId, bool)],
    ) -> Result<()>;
    /// The member's unrevoked grants, oldest first.
    fn open_grants(&self, tenant: TenantId, member: MemberId) -> Result<Vec<Grant>>;
    /// Everything `has_access` needs, bundle grants included; `None` when the member or the
    /// product does not exist.
    fn access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<AccessFacts>>;
    /// The member's status and roles, and whether `workspace` exists; `None` when the member
    /// does not exist. The default reads them row by row.
    fn permission_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        workspace: Option<WorkspaceId>,
    ) -> Result<Option<PermissionFacts>> {
        facts::read_row_by_row(self, tenant, member, workspace)
    }

    /// Inserts an invite with the digest of its token. One pending invite per email per tenant.
    fn insert_invite(&self, invite: &Invite, digest: &TokenDigest) -> Result<()>;
    /// Replaces an invite's fields, and its token digest when `new_digest` is given.
    fn update_invite(&self, invite: &Invite, new_digest: Option<&TokenDigest>) -> Result<()>;
    /// An invite by id.
    fn invite(&self, tenant: TenantId, id: InviteId) -> Result<Option<Invite>>;
    /// Hub-wide: the members with this email key in every tenant, by tenant id.
    fn members_everywhere(&self, email_key: &str) -> Result<Vec<Member>>;
    /// Hub-wide: the invite whose current token, or one of whose copied links
    /// ([`Tx::add_invite_link`]), has this digest.
    fn invite_by_digest(&self, digest: &TokenDigest) -> Result<Option<Invite>>;
    /// Adds another link to an invite: a token digest that finds it as its own token does,
    /// kept through resends (which replace only the invite's own token).
    fn add_invite_link(
        &self,
        invite: &Invite,
        digest: &TokenDigest,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// The pending (possibly expired) invite for an email key.
    fn pending_invite(&self, tenant: TenantId, email_key: &str) -> Result<Option<Invite>>;
    /// Hub-wide: invites stored `pending` (expired or not) for an email key, in every tenant,
    /// oldest first.
    fn pending_invites_everywhere(&self, email_key: &str) -> Result<Vec<Invite>>;
    /// Invites of a tenant, newest first.
    fn invites(&self, tenant: TenantId, filter: &InviteFilter) -> Result<Vec<Invite>>;

    /// Appends to the audit log.
    fn append_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// Audit entries of a tenant matching the query, newest first.
    fn audit(&self, tenant: TenantId, query: &AuditQuery) -> Result<Vec<AuditEntry>>;

    /// Appends to the outbox.
    fn append_event(&self, event: &OutboxEvent) -> Result<()>;
    /// Undelivered events, oldest first: of one tenant, or hub-wide with `None`.
    fn pending_events(&self, tenant: Option<TenantId>, limit: usize) -> Result<Vec<OutboxEvent>>;
    /// Marks events delivered; returns how many were pending and are now delivered.
    fn mark_delivered(
        &self,
        tenant: Option<TenantId>,
        ids: &[EventId],
        at: OffsetDateTime,
    ) -> Result<usize>;
}
