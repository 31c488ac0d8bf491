//! The public API: a [`Hub`] over a store, and tenant-scoped [`Tenant`] handles.

use crate::clock::{later, truncate_to_micros, Clock, SystemClock};
use crate::error::{Error, Result};
use crate::event_kind;
use crate::ids::*;
use crate::model::*;
use crate::normalize;
use crate::permission::Permission;
use crate::policy::access::{self, GrantChange};
use crate::policy::authz::tenant_role;
use crate::policy::invites::{check_usable, with_current_status};
use crate::policy::members;
use crate::requests::*;
use crate::store::{self, AuditQuery, Store, Tx};
use crate::token::InviteToken;
use serde_json::{json, Value};
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// Most rows one list call returns.
pub const MAX_PAGE: usize = 1000;

/// Entry point: a store plus a clock. Cheap to clone; clones share both.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    store: Box<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hub")
    }
}

impl Hub {
    /// A hub over `store` using the system clock.
    pub fn new(store: impl Store) -> Self {
        Self::with_clock(store, Arc::new(SystemClock))
    }

    /// A hub over `store` reading time from `clock` (tests pass a [`crate::ManualClock`]).
    pub fn with_clock(store: impl Store, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                store: Box::new(store),
                clock,
            }),
        }
    }

    /// The current time as memberkit sees it (to the microsecond).
    pub fn now(&self) -> OffsetDateTime {
        truncate_to_micros(self.inner.clock.now())
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// Creates a tenant with default settings (invites live 7 days).
    pub fn create_tenant(&self, name: &str) -> Result<Tenant> {
        self.create_tenant_with(name, TenantSettings::default())
    }

    /// Creates a tenant with the given settings.
    pub fn create_tenant_with(&self, name: &str, settings: TenantSettings) -> Result<Tenant> {
        let name = normalize::name("name", name)?;
        check_settings(&settings)?;
        let now = self.now();
        let info = TenantInfo {
            id: TenantId::new(),
            name,
            settings,
            created_at: now,
        };
        store::write(self.store(), |tx| {
            tx.insert_tenant(&info)?;
            let op = Op::new(tx, info.id, Actor::System, now);
            op.audit("tenant.created", info.id, json!({ "name": info.name }))
        })?;
        Ok(Tenant {
            hub: self.clone(),
            id: info.id,
        })
    }

    /// A handle on an existing tenant. `not_found` if there is none with that id.
    pub fn tenant(&self, id: TenantId) -> Result<Tenant> {
        store::read(self.store(), |tx| tx.tenant(id))?
            .ok_or_else(|| Error::not_found("tenant", id))?;
        Ok(Tenant {
            hub: self.clone(),
            id,
        })
    }

    /// Call when someone signs up with `email`: accepts that email's pending, unexpired invite
    /// in every tenant, in one transaction. Returns what was applied (empty if nothing was
    /// pending).
    pub fn claim(&self, email: &str) -> Result<Vec<Accepted>> {
        let key = normalize::email(email)?.key;
        let now = self.now();
        store::write(self.store(), |tx| {
            tx.pending_invites_everywhere(&key)?
                .into_iter()
                .filter(|invite| check_usable(invite, now).is_ok())
                .map(|invite| apply_invite(tx, invite, now))
                .collect()
        })
    }

    /// Undelivered outbox events of every tenant, oldest first (at most `limit`, 1 to 1000).
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEvent>> {
        check_limit(limit)?;
        store::read(self.store(), |tx| tx.pending_events(None, limit))
    }

    /// Marks events delivered. Returns how many were pending. Unknown ids are ignored, so a
    /// retried acknowledgement is harmless.
    pub fn ack(&self, ids: &[EventId]) -> Result<usize> {
        let now = self.now();
        store::write(self.store(), |tx| tx.mark_delivered(None, ids, now))
    }
}

/// A handle scoped to one tenant: every call reads and writes only that tenant's rows.
/// Cheap to clone.
#[derive(Clone, Debug)]
pub struct Tenant {
    hub: Hub,
    id: TenantId,
}

impl Tenant {
    /// The tenant's id.
    pub fn id(&self) -> TenantId {
        self.id
    }

    /// The hub this handle belongs to.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    pub(crate) fn read<R>(
        &self,
        mut f: impl FnMut(&dyn Tx, OffsetDateTime) -> Result<R>,
    ) -> Result<R> {
        let now = self.hub.now();
        store::read(self.hub.store(), |tx| f(tx, now))
    }

    pub(crate) fn write<R>(&self, actor: Actor, f: impl FnMut(&Op) -> Result<R>) -> Result<R> {
        self.write_notifying(actor, true, f)
    }

    /// A write whose `email`-channel events are written only when `notify` is true.
    pub(crate) fn write_notifying<R>(
        &self,
        actor: Actor,
        notify: bool,
        mut f: impl FnMut(&Op) -> Result<R>,
    ) -> Result<R> {
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            let mut op = Op::new(tx, self.id, actor, now);
            op.notify = notify;
            f(&op)
        })
    }

    /// The tenant's name and settings.
    pub fn info(&self) -> Result<TenantInfo> {
        self.read(|tx, _| {
            tx.tenant(self.id)?
                .ok_or_else(|| Error::not_found("tenant", self.id))
        })
    }

    /// Changes some settings (the others keep their values), in one transaction. Needs
    /// `settings.manage`. The invite lifetime must be between one minute and one year and
    /// applies to invites created or resent from now on; the impersonation maximum between one
    /// minute and one hour.
    pub fn update_settings(&self, actor: Actor, update: SettingsUpdate) -> Result<TenantInfo> {
        self.write(actor, |op| {
            op.require(&Permission::SETTINGS_MANAGE)?;
            let mut info = op.tenant_info()?;
            if let Some(d) = update.invite_lifetime {
                info.settings.invite_lifetime = d;
            }
            if let Some(d) = update.max_impersonation {
                info.settings.max_impersonation = d;
            }
            check_settings(&info.settings)?;
            op.tx.update_tenant(&info)?;
            op.audit(
                "tenant.settings_changed",
                self.id,
                json!({
                    "invite_lifetime_secs": info.settings.invite_lifetime.whole_seconds(),
                    "max_impersonation_secs": info.settings.max_impersonation.whole_seconds(),
                }),
            )?;
            Ok(info)
        })
    }

    // ----- products -------------------------------------------------------------------------

    /// Creates a product. Needs `products.manage`.
    pub fn create_product(&self, actor: Actor, new: NewProduct) -> Result<Product> {
        let name = normalize::name("name", &new.name)?;
        self.write(actor, |op| {
            op.require(&Permission::PRODUCTS_MANAGE)?;
            let product = Product {
                id: ProductId::new(),
                tenant_id: self.id,
                name: name.clone(),
                kind: new.kind.clone(),
                paid: new.paid,
                archived: false,
                created_at: op.now,
            };
            op.tx.insert_product(&product)?;
            op.audit(
                "product.created",
                product.id,
                json!({ "name": product.name, "kind": product.kind.as_str(), "paid": product.paid }),
            )?;
            Ok(product)
        })
    }

    /// Archives a product: it can no longer be granted; existing grants keep working; a free
    /// archived product is no longer open to members. Needs `products.manage`. Idempotent.
    pub fn archive_product(&self, actor: Actor, product: ProductId) -> Result<Product> {
        self.write(actor, |op| {
            op.require(&Permission::PRODUCTS_MANAGE)?;
            let mut p = op.product(product)?;
            if !p.archived {
                p.archived = true;
                op.tx.update_product(&p)?;
                op.audit("product.archived", p.id, json!({ "name": p.name }))?;
            }
            Ok(p)
        })
    }

    /// Every product of the tenant, archived ones included, oldest first.
    pub fn products(&self) -> Result<Vec<Product>> {
        self.read(|tx, _| tx.products(self.id))
    }

    /// One product.
    pub fn product(&self, id: ProductId) -> Result<Product> {
        self.read(|tx, _| {
            tx.product(self.id, id)?
                .ok_or_else(|| Error::not_found("product", id))
        })
    }

    // ----- customers and access ---------------------------------------------------------------

    /// Adds a customer now, without an invite, and grants `products` at once.
    ///
    /// The member is found by case-folded email or by external id and reused; a new one is
    /// created `active` otherwise. Reusing fills in a missing name or external id, and an
    /// invited member becomes active. Needs `customers.manage` (and `users.manage` to create a
    /// member with a role other than `customer`). Errors: `invalid_input` (bad email, name,
    /// free or unknown product, past expiry), `conflict` (the email and the external id belong
    /// to different members, or the member has another external id), `member_deactivated`.
    pub fn add_customer(&self, actor: Actor, new: NewCustomer) -> Result<AddedCustomer> {
        let email = normalize::email(&new.email)?;
        let name = normalize::optional_name(new.name.as_deref())?;
        let external_id = normalize::external_id(new.external_id.as_deref())?;
        let expires_at = new.expires_at.map(truncate_to_micros);
        self.write_notifying(actor, new.notify, |op| {
            op.require(&Permission::CUSTOMERS_MANAGE)?;
            op.check_expiry(expires_at)?;
            let products = op.grantable_products(&new.products)?;
            let by_email = op.tx.member_by_email_key(self.id, &email.key)?;
            let by_external = match &external_id {
                Some(x) => op.tx.member_by_external_id(self.id, x)?,
                None => None,
            };
            let person = members::Person {
                email: &email,
                name: name.as_deref(),
                external_id: external_id.as_deref(),
            };
            let found = members::matching(by_email, by_external).map_err(|r| r.into_error())?;
            let (member, outcome) = match found {
                Some(existing) => op.reuse_member(existing, person)?,
                None => {
                    if new.role != Role::Customer {
                        op.require_assignable(new.role, None)?;
                    }
                    let member = op.insert_member(
                        &email,
                        name.clone(),
                        external_id.clone(),
                        MemberStatus::Active,
                    )?;
                    op.tx.set_role(self.id, member.id, None, new.role)?;
                    op.audit(
                        "member.created",
                        member.id,
                        json!({ "email": member.email, "role": new.role.key() }),
                    )?;
                    (member, AddOutcome::Created)
                }
            };
            let mut granted = Vec::new();
            for product in &products {
                if let Some(g) = op.grant(&member, product, new.source, expires_at, op.actor)? {
                    granted.push(g);
                }
            }
            Ok(AddedCustomer {
                member,
                outcome,
                granted,
            })
        })
    }

    /// Grants `member` access to a paid product, or renews the open grant with the new expiry.
    /// Needs `customers.manage`. Granting what is already granted with the same expiry changes
    /// nothing and writes no event. Errors: `not_found`, `invalid_input` (free or archived
    /// product, expiry not in the future), `member_deactivated`.
    pub fn grant(
        &self,
        actor: Actor,
        member: MemberId,
        product: ProductId,
        options: GrantOptions,
    ) -> Result<Grant> {
        let expires_at = options.expires_at.map(truncate_to_micros);
        self.write(actor, |op| {
            op.require(&Permission::CUSTOMERS_MANAGE)?;
            op.check_expiry(expires_at)?;
            let member = op.member(member)?;
            if member.status == MemberStatus::Deactivated {
                return Err(Error::MemberDeactivated(member.id));
            }
            let product = op.grantable_product(product)?;
            match op.grant(&member, &product, options.source, expires_at, op.actor)? {
                Some(g) => Ok(g),
                None => op
                    .tx
                    .open_grant(self.id, member.id, product.id)?
                    .ok_or_else(|| Error::not_found("grant", product.id)),
            }
        })
    }

    /// Revokes `member`'s access to `product`, effective immediately. Returns the revoked grant,
    /// or `None` when there was no grant to revoke. Needs `customers.manage`.
    pub fn revoke(
        &self,
        actor: Actor,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<Grant>> {
        self.write(actor, |op| {
            op.require(&Permission::CUSTOMERS_MANAGE)?;
            let member = op.member(member)?;
            let product = op.product(product)?;
            let Some(mut grant) = op.tx.open_grant(self.id, member.id, product.id)? else {
                return Ok(None);
            };
            grant.revoked_at = Some(op.now);
            grant.revoked_by = Some(op.actor);
            op.tx.update_grant(&grant)?;
            let payload = json!({
                "member_id": member.id, "email": member.email, "name": member.name,
                "product_id": product.id, "product_name": product.name,
            });
            op.audit(event_kind::ACCESS_REVOKED, member.id, payload.clone())?;
            op.emit(event_kind::ACCESS_REVOKED, payload)?;
            Ok(Some(grant))
        })
    }

    /// Whether `member` may use `product` now: the member is active, and the product is free
    /// (and not archived) or the member holds an unrevoked, unexpired grant. `not_found` if
    /// either id is unknown in this tenant.
    pub fn has_access(&self, member: MemberId, product: ProductId) -> Result<bool> {
        // The hot path: one statement through the store's fast read; `now` is taken before it,
        // so an expiry instant that has passed is always seen as passed.
        store::not_reentrant()?;
        let now = self.hub.now();
        match self.hub.store().access_facts(self.id, member, product)? {
            Some(facts) => Ok(access::decide(&facts, now)),
            None => self.read(|tx, _| Err(missing_member_or_product(tx, self.id, member, product))),
        }
    }

    /// [`Tenant::has_access`] if the store can answer without waiting for another transaction
    /// (a file-backed SQLite hub always can: its readers never wait for the writer); `None`
    /// when the answer would have to wait, or to report an unknown member or product. Event
    /// loops (the Node package) answer inline with it and use a worker thread otherwise.
    pub fn try_has_access(&self, member: MemberId, product: ProductId) -> Option<Result<bool>> {
        if let Err(e) = store::not_reentrant() {
            return Some(Err(e));
        }
        let now = self.hub.now();
        match self
            .hub
            .store()
            .try_access_facts(self.id, member, product)?
        {
            Ok(Some(facts)) => Some(Ok(access::decide(&facts, now))),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// Everything `member` may use now, with the grant behind each paid product.
    pub fn access(&self, member: MemberId) -> Result<Vec<ProductAccess>> {
        self.read(|tx, now| {
            let m = tx
                .member(self.id, member)?
                .ok_or_else(|| Error::not_found("member", member))?;
            if m.status != MemberStatus::Active {
                return Ok(Vec::new());
            }
            let mut grants = tx.open_grants(self.id, member)?;
            grants.retain(|g| g.is_active_at(now));
            Ok(tx
                .products(self.id)?
                .into_iter()
                .filter_map(|product| {
                    if !product.paid {
                        return (!product.archived).then_some(ProductAccess {
                            product,
                            grant: None,
                        });
                    }
                    let grant = grants.iter().find(|g| g.product_id == product.id)?.clone();
                    Some(ProductAccess {
                        product,
                        grant: Some(grant),
                    })
                })
                .collect())
        })
    }

    /// One member by id.
    pub fn member(&self, id: MemberId) -> Result<Member> {
        self.read(|tx, _| {
            tx.member(self.id, id)?
                .ok_or_else(|| Error::not_found("member", id))
        })
    }

    /// The member with this email (compared case-insensitively), if any.
    pub fn member_by_email(&self, email: &str) -> Result<Option<Member>> {
        let key = normalize::email(email)?.key;
        self.read(|tx, _| tx.member_by_email_key(self.id, &key))
    }

    /// The member's tenant-wide role, if any (invited members get theirs on acceptance).
    pub fn role(&self, member: MemberId) -> Result<Option<Role>> {
        self.read(|tx, _| {
            tx.member(self.id, member)?
                .ok_or_else(|| Error::not_found("member", member))?;
            tenant_role(tx, self.id, member)
        })
    }

    // ----- invites ----------------------------------------------------------------------------

    /// Invites an email. The person is a member with status `invited` until they accept the
    /// link or sign up with that email (`claim`); then the role and products are applied.
    ///
    /// A second invite to an email with a pending (or expired) invite merges into it: products
    /// are added, role and name take the new values, the lifetime restarts and a new token
    /// replaces the old one. Needs `customers.manage` for customers, `users.manage` for other
    /// roles. Errors: `invalid_input`, `conflict` (already an active member: grant instead),
    /// `member_deactivated`.
    pub fn invite(&self, actor: Actor, new: NewInvite) -> Result<IssuedInvite> {
        let email = normalize::email(&new.email)?;
        let name = normalize::optional_name(new.name.as_deref())?;
        self.write_notifying(actor, new.notify, |op| {
            if let Some(ws) = new.workspace {
                op.workspace(ws)?;
            }
            op.require_assignable(new.role, new.workspace)?;
            let products = op.grantable_products(&new.products)?;
            let product_ids: Vec<ProductId> = products.iter().map(|p| p.id).collect();
            let member = match op.tx.member_by_email_key(self.id, &email.key)? {
                Some(m) if m.status == MemberStatus::Active => {
                    return Err(Error::Conflict(format!(
                        "{} is already an active member: grant access or add them directly",
                        m.email
                    )))
                }
                Some(m) if m.status == MemberStatus::Deactivated => {
                    return Err(Error::MemberDeactivated(m.id))
                }
                Some(m) => m,
                None => op.insert_member(&email, name.clone(), None, MemberStatus::Invited)?,
            };
            let token = InviteToken::generate()?;
            let expires_at = later(
                op.now,
                op.tenant_info()?.settings.invite_lifetime,
                "expires_at",
            )?;
            let (invite, merged) = match op.tx.pending_invite(self.id, &email.key)? {
                Some(mut invite) => {
                    // Merging replaces its role and link: only someone who could have
                    // created it may.
                    op.require_assignable(invite.role, invite.workspace)?;
                    for id in product_ids {
                        if !invite.products.contains(&id) {
                            invite.products.push(id);
                        }
                    }
                    invite.role = new.role;
                    invite.workspace = new.workspace;
                    invite.name = name.clone().or(invite.name);
                    invite.expires_at = expires_at;
                    invite.status = InviteStatus::Pending;
                    op.tx.update_invite(&invite, Some(&token.digest()))?;
                    (invite, true)
                }
                None => {
                    let invite = op.insert_new_invite(
                        &member,
                        name.clone(),
                        new.role,
                        new.workspace,
                        product_ids,
                        &token,
                        expires_at,
                    )?;
                    (invite, false)
                }
            };
            let mut payload = invite_payload(&invite);
            payload["merged"] = json!(merged);
            op.audit(event_kind::INVITE_CREATED, invite.id, payload.clone())?;
            op.emit(event_kind::INVITE_CREATED, payload)?;
            Ok(IssuedInvite {
                invite,
                token,
                merged,
            })
        })
    }

    /// Sends a pending or expired invite again: a new token (the old link stops working) and a
    /// fresh lifetime. Errors: `invite_used`, `invite_revoked`, `not_found`.
    pub fn resend_invite(&self, actor: Actor, invite: InviteId) -> Result<IssuedInvite> {
        self.write(actor, |op| {
            let mut invite = op.invite(invite)?;
            op.require_assignable(invite.role, invite.workspace)?;
            match invite.status {
                InviteStatus::Accepted => return Err(Error::InviteUsed),
                InviteStatus::Revoked => return Err(Error::InviteRevoked),
                InviteStatus::Pending | InviteStatus::Expired => {}
            }
            let token = InviteToken::generate()?;
            invite.expires_at = later(
                op.now,
                op.tenant_info()?.settings.invite_lifetime,
                "expires_at",
            )?;
            invite.status = InviteStatus::Pending;
            op.tx.update_invite(&invite, Some(&token.digest()))?;
            let payload = invite_payload(&invite);
            op.audit(event_kind::INVITE_RESENT, invite.id, payload.clone())?;
            op.emit(event_kind::INVITE_RESENT, payload)?;
            Ok(IssuedInvite {
                invite,
                token,
                merged: false,
            })
        })
    }

    /// Revokes a pending or expired invite: its link stops working at once. An invited member
    /// with no grants of their own is removed with it, so the email can be invited afresh.
    /// Revoking a revoked invite changes nothing. Errors: `invite_used`, `not_found`.
    pub fn revoke_invite(&self, actor: Actor, invite: InviteId) -> Result<Invite> {
        self.write(actor, |op| {
            let mut invite = op.invite(invite)?;
            op.require_assignable(invite.role, invite.workspace)?;
            match invite.status {
                InviteStatus::Accepted => return Err(Error::InviteUsed),
                InviteStatus::Revoked => return Ok(invite),
                InviteStatus::Pending | InviteStatus::Expired => {}
            }
            invite.status = InviteStatus::Revoked;
            invite.revoked_at = Some(op.now);
            op.tx.update_invite(&invite, None)?;
            if let Some(m) = op.tx.member(self.id, invite.member_id)? {
                if m.status == MemberStatus::Invited && op.tx.open_grants(self.id, m.id)?.is_empty()
                {
                    op.delete_member(m.id)?;
                }
            }
            let payload = invite_payload(&invite);
            op.audit(event_kind::INVITE_REVOKED, invite.id, payload.clone())?;
            op.emit(event_kind::INVITE_REVOKED, payload)?;
            Ok(invite)
        })
    }

    /// Accepts an invite by the token from its link: activates the member and applies the role
    /// and products it carried, in one transaction. Pass the email the person signed in with as
    /// `email` when there is one; the link only works for the invited address.
    ///
    /// Errors: `not_found` (not a token, or unknown here), `invite_expired`,
    /// `invite_revoked`, `invite_used`, `invite_email_mismatch`, `member_deactivated`.
    pub fn accept(&self, token: &str, email: Option<&str>) -> Result<Accepted> {
        let digest = InviteToken::parse(token)?.digest();
        let presented = email.map(normalize::email).transpose()?;
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            let invite = tx
                .invite_by_digest(&digest)?
                .filter(|i| i.tenant_id == self.id)
                .ok_or_else(|| Error::not_found("invite", "token"))?;
            check_usable(&invite, now)?;
            if presented
                .as_ref()
                .is_some_and(|e| e.key != invite.email_key)
            {
                return Err(Error::InviteEmailMismatch);
            }
            apply_invite(tx, invite, now)
        })
    }

    /// Call when someone signs up with `email`: accepts their pending invite in this tenant.
    /// `Ok(None)` when there is none; `invite_expired` when it has expired.
    pub fn claim(&self, email: &str) -> Result<Option<Accepted>> {
        let key = normalize::email(email)?.key;
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            let Some(invite) = tx.pending_invite(self.id, &key)? else {
                return Ok(None);
            };
            check_usable(&invite, now)?;
            apply_invite(tx, invite, now).map(Some)
        })
    }

    /// One invite, with its status at this moment.
    pub fn get_invite(&self, id: InviteId) -> Result<Invite> {
        self.read(|tx, now| {
            let invite = tx
                .invite(self.id, id)?
                .ok_or_else(|| Error::not_found("invite", id))?;
            Ok(with_current_status(invite, now))
        })
    }

    /// Invites, newest first, optionally only those with `status` (at most 1000).
    pub fn invites(&self, status: Option<InviteStatus>) -> Result<Vec<Invite>> {
        self.read(|tx, now| {
            let filter = crate::policy::invites::filter(status, now, MAX_PAGE);
            Ok(tx
                .invites(self.id, &filter)?
                .into_iter()
                .map(|i| with_current_status(i, now))
                .collect())
        })
    }

    // ----- audit and outbox -------------------------------------------------------------------

    /// Audit entries matching `query`, newest first. For the next page, pass the last
    /// entry's id as `query.before`.
    pub fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        check_limit(query.limit)?;
        self.read(|tx, _| tx.audit(self.id, query))
    }

    /// This tenant's undelivered outbox events, oldest first (at most `limit`, 1 to 1000).
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEvent>> {
        check_limit(limit)?;
        self.read(|tx, _| tx.pending_events(Some(self.id), limit))
    }

    /// Marks this tenant's events delivered; ids of other tenants are ignored. Returns how
    /// many were pending.
    pub fn ack(&self, ids: &[EventId]) -> Result<usize> {
        let now = self.hub.now();
        store::write(self.hub.store(), |tx| {
            tx.mark_delivered(Some(self.id), ids, now)
        })
    }
}

// ----- rules shared by several operations ---------------------------------------------------

/// One write transaction on behalf of an actor in a tenant.
pub(crate) struct Op<'a> {
    pub(crate) tx: &'a dyn Tx,
    pub(crate) tenant: TenantId,
    pub(crate) actor: Actor,
    pub(crate) now: OffsetDateTime,
    /// Whether changes write `email`-channel outbox events ("notify by email"; the audit
    /// entries and the other channels are always written).
    pub(crate) notify: bool,
}

impl<'a> Op<'a> {
    pub(crate) fn new(tx: &'a dyn Tx, tenant: TenantId, actor: Actor, now: OffsetDateTime) -> Self {
        Self {
            tx,
            tenant,
            actor,
            now,
            notify: true,
        }
    }

    pub(crate) fn tenant_info(&self) -> Result<TenantInfo> {
        self.tx
            .tenant(self.tenant)?
            .ok_or_else(|| Error::not_found("tenant", self.tenant))
    }

    pub(crate) fn workspace(&self, id: WorkspaceId) -> Result<Workspace> {
        self.tx
            .workspace(self.tenant, id)?
            .ok_or_else(|| Error::not_found("workspace", id))
    }

    /// Inserts a pending invite for `member`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_new_invite(
        &self,
        member: &Member,
        name: Option<String>,
        role: Role,
        workspace: Option<WorkspaceId>,
        products: Vec<ProductId>,
        token: &InviteToken,
        expires_at: OffsetDateTime,
    ) -> Result<Invite> {
        let invite = self.new_invite(member, name, role, workspace, products, expires_at);
        self.tx.insert_invite(&invite, &token.digest())?;
        Ok(invite)
    }

    /// A pending invite for `member`, created now by the actor (not yet written).
    pub(crate) fn new_invite(
        &self,
        member: &Member,
        name: Option<String>,
        role: Role,
        workspace: Option<WorkspaceId>,
        products: Vec<ProductId>,
        expires_at: OffsetDateTime,
    ) -> Invite {
        Invite {
            id: InviteId::new(),
            tenant_id: self.tenant,
            member_id: member.id,
            email: member.email.clone(),
            email_key: member.email_key.clone(),
            name,
            role,
            workspace,
            products,
            created_by: self.actor,
            created_at: self.now,
            expires_at,
            status: InviteStatus::Pending,
            accepted_at: None,
            revoked_at: None,
        }
    }

    pub(crate) fn insert_member(
        &self,
        email: &normalize::NormalizedEmail,
        name: Option<String>,
        external_id: Option<String>,
        status: MemberStatus,
    ) -> Result<Member> {
        let member = self.new_member(email, name, external_id, status);
        self.tx.insert_member(&member)?;
        Ok(member)
    }

    /// A member created now (not yet written).
    pub(crate) fn new_member(
        &self,
        email: &normalize::NormalizedEmail,
        name: Option<String>,
        external_id: Option<String>,
        status: MemberStatus,
    ) -> Member {
        Member {
            id: MemberId::new(),
            tenant_id: self.tenant,
            email: email.display.clone(),
            email_key: email.key.clone(),
            name,
            external_id,
            status,
            created_at: self.now,
            updated_at: self.now,
        }
    }

    pub(crate) fn member(&self, id: MemberId) -> Result<Member> {
        self.tx
            .member(self.tenant, id)?
            .ok_or_else(|| Error::not_found("member", id))
    }

    pub(crate) fn product(&self, id: ProductId) -> Result<Product> {
        self.tx
            .product(self.tenant, id)?
            .ok_or_else(|| Error::not_found("product", id))
    }

    pub(crate) fn invite(&self, id: InviteId) -> Result<Invite> {
        let invite = self
            .tx
            .invite(self.tenant, id)?
            .ok_or_else(|| Error::not_found("invite", id))?;
        Ok(with_current_status(invite, self.now))
    }

    /// A product that may be granted: exists here (`not_found` otherwise), is paid, and is not
    /// archived (`invalid_input` otherwise).
    pub(crate) fn grantable_product(&self, id: ProductId) -> Result<Product> {
        // Another tenant's product is `not_found`, as everywhere; only a free or archived
        // product of this tenant is a bad argument.
        let product = self.product(id)?;
        if !product.paid {
            return Err(Error::invalid(
                "products",
                format!("`{}` is free: every active member has it", product.name),
            ));
        }
        if product.archived {
            return Err(Error::invalid(
                "products",
                format!("`{}` is archived and cannot be granted", product.name),
            ));
        }
        Ok(product)
    }

    pub(crate) fn grantable_products(&self, ids: &[ProductId]) -> Result<Vec<Product>> {
        let mut out: Vec<Product> = Vec::with_capacity(ids.len());
        for &id in ids {
            if !out.iter().any(|p| p.id == id) {
                out.push(self.grantable_product(id)?);
            }
        }
        Ok(out)
    }

    pub(crate) fn check_expiry(&self, expires_at: Option<OffsetDateTime>) -> Result<()> {
        match expires_at {
            Some(at) if at <= self.now => Err(Error::invalid(
                "expires_at",
                format!("{} is not in the future", rfc3339(at)),
            )),
            _ => Ok(()),
        }
    }

    /// Reuses an existing member for `add_customer`: fills gaps and activates an invited
    /// member ([`members::reuse`]); an activated member without a tenant-wide role becomes a
    /// customer.
    fn reuse_member(
        &self,
        mut member: Member,
        person: members::Person<'_>,
    ) -> Result<(Member, AddOutcome)> {
        let changed =
            members::reuse(&mut member, person, true, self.now).map_err(|r| r.into_error())?;
        if changed.is_empty() {
            return Ok((member, AddOutcome::Existing));
        }
        if changed.contains(&"status") && tenant_role(self.tx, self.tenant, member.id)?.is_none() {
            self.tx
                .set_role(self.tenant, member.id, None, Role::Customer)?;
        }
        self.tx.update_member(&member)?;
        self.audit("member.updated", member.id, json!({ "changed": changed }))?;
        Ok((member, AddOutcome::Updated))
    }

    /// Deletes a member and what refers to it (grants, role assignments, password); their
    /// audit and outbox rows stay.
    pub(crate) fn delete_member(&self, member: MemberId) -> Result<()> {
        self.tx.delete_grants_of(self.tenant, member)?;
        self.tx.remove_roles(self.tenant, member)?;
        self.tx.delete_credential(self.tenant, member)?;
        self.tx.delete_member(self.tenant, member)
    }

    /// Creates or renews a grant. Returns `None` when an identical active grant already exists.
    pub(crate) fn grant(
        &self,
        member: &Member,
        product: &Product,
        source: GrantSource,
        expires_at: Option<OffsetDateTime>,
        granted_by: Actor,
    ) -> Result<Option<Grant>> {
        let open = self.tx.open_grant(self.tenant, member.id, product.id)?;
        let wanted = self.new_grant(member.id, product.id, source, expires_at, granted_by);
        let grant = match access::grant_change(open.as_ref(), wanted) {
            GrantChange::Unchanged => return Ok(None),
            GrantChange::Renewed(g) => {
                self.tx.update_grant(&g)?;
                g
            }
            GrantChange::New(g) => {
                self.tx.insert_grant(&g)?;
                g
            }
        };
        let payload = self.grant_payload(member, product, source, expires_at);
        self.audit(event_kind::ACCESS_GRANTED, member.id, payload.clone())?;
        self.emit(event_kind::ACCESS_GRANTED, payload)?;
        Ok(Some(grant))
    }

    /// What an `access.granted` audit entry and event say.
    pub(crate) fn grant_payload(
        &self,
        member: &Member,
        product: &Product,
        source: GrantSource,
        expires_at: Option<OffsetDateTime>,
    ) -> Value {
        json!({
            "member_id": member.id, "email": member.email, "name": member.name,
            "product_id": product.id, "product_name": product.name,
            "source": source.as_str(), "expires_at": expires_at.map(rfc3339),
        })
    }

    /// A grant as it would be created now.
    pub(crate) fn new_grant(
        &self,
        member: MemberId,
        product: ProductId,
        source: GrantSource,
        expires_at: Option<OffsetDateTime>,
        granted_by: Actor,
    ) -> Grant {
        Grant {
            id: GrantId::new(),
            tenant_id: self.tenant,
            member_id: member,
            product_id: product,
            source,
            granted_by,
            granted_at: self.now,
            expires_at,
            revoked_at: None,
            revoked_by: None,
        }
    }

    pub(crate) fn audit(&self, action: &str, subject: impl ToString, details: Value) -> Result<()> {
        self.tx
            .append_audit(&self.audit_entry(action, subject, details))
    }

    /// The audit entry [`Op::audit`] appends, for a batch.
    pub(crate) fn audit_entry(
        &self,
        action: &str,
        subject: impl ToString,
        details: Value,
    ) -> AuditEntry {
        AuditEntry {
            id: AuditId::new(),
            tenant_id: self.tenant,
            at: self.now,
            actor: self.actor,
            action: action.to_owned(),
            subject: subject.to_string(),
            details,
        }
    }

    pub(crate) fn emit(&self, kind: &str, payload: Value) -> Result<()> {
        match self.event(kind, payload) {
            Some(event) => self.tx.append_event(&event),
            None => Ok(()),
        }
    }

    /// The outbox event [`Op::emit`] appends, for a batch; `None` for an `email`-channel event
    /// when the caller asked not to notify.
    pub(crate) fn event(&self, kind: &str, payload: Value) -> Option<OutboxEvent> {
        let channel = event_kind::channel(kind);
        if !self.notify && channel == Channel::Email {
            return None;
        }
        Some(OutboxEvent {
            id: EventId::new(),
            tenant_id: self.tenant,
            kind: kind.to_owned(),
            channel,
            payload,
            created_at: self.now,
            delivered_at: None,
        })
    }
}

/// Activates the invited member and applies the role and products the invite carried.
/// The actor of record is the person accepting; grants are attributed to the inviter.
fn apply_invite(tx: &dyn Tx, mut invite: Invite, now: OffsetDateTime) -> Result<Accepted> {
    let tenant = invite.tenant_id;
    let existing = match tx.member(tenant, invite.member_id)? {
        Some(m) => Some(m),
        None => tx.member_by_email_key(tenant, &invite.email_key)?,
    };
    let mut member = match existing {
        Some(m) if m.status == MemberStatus::Deactivated => {
            return Err(Error::MemberDeactivated(m.id))
        }
        Some(mut m) => {
            m.status = MemberStatus::Active;
            if m.name.is_none() {
                m.name = invite.name.clone();
            }
            m.updated_at = now;
            tx.update_member(&m)?;
            m
        }
        None => {
            let email = normalize::NormalizedEmail {
                display: invite.email.clone(),
                key: invite.email_key.clone(),
            };
            Op::new(tx, tenant, invite.created_by, now).insert_member(
                &email,
                invite.name.clone(),
                None,
                MemberStatus::Active,
            )?
        }
    };
    let op = Op::new(tx, tenant, Actor::Member(member.id), now);
    // Accepting never lowers a role the member already holds.
    let current = match invite.workspace {
        Some(ws) => tx
            .assignments(tenant, member.id)?
            .into_iter()
            .find(|a| a.workspace == Some(ws))
            .map(|a| a.role),
        None => tenant_role(tx, tenant, member.id)?,
    };
    if current.is_none_or(|r| r.rank() < invite.role.rank()) {
        tx.set_role(tenant, member.id, invite.workspace, invite.role)?;
    }
    if invite.workspace.is_some() && tenant_role(tx, tenant, member.id)?.is_none() {
        // A client user invited into a workspace is a customer of the tenant itself.
        tx.set_role(tenant, member.id, None, Role::Customer)?;
    }
    let mut granted = Vec::new();
    let mut skipped = Vec::new();
    for &pid in &invite.products {
        match op.grantable_product(pid) {
            Ok(product) => {
                if let Some(g) = op.grant(
                    &member,
                    &product,
                    GrantSource::Invite,
                    None,
                    invite.created_by,
                )? {
                    granted.push(g);
                }
            }
            // Archived or deleted since the invite was sent: the rest still applies.
            Err(_) => skipped.push(pid),
        }
    }
    invite.member_id = member.id;
    invite.status = InviteStatus::Accepted;
    invite.accepted_at = Some(now);
    tx.update_invite(&invite, None)?;
    member.updated_at = now;
    let mut payload = invite_payload(&invite);
    payload["member_id"] = json!(member.id);
    payload["skipped_products"] = json!(skipped);
    op.audit(event_kind::INVITE_ACCEPTED, invite.id, payload.clone())?;
    op.emit(event_kind::INVITE_ACCEPTED, payload)?;
    Ok(Accepted {
        invite,
        member,
        granted,
    })
}

fn missing_member_or_product(
    tx: &dyn Tx,
    tenant: TenantId,
    member: MemberId,
    product: ProductId,
) -> Error {
    match tx.member(tenant, member) {
        Ok(Some(_)) => Error::not_found("product", product),
        Ok(None) => Error::not_found("member", member),
        Err(e) => e,
    }
}

pub(crate) fn invite_payload(invite: &Invite) -> Value {
    json!({
        "invite_id": invite.id, "email": invite.email, "name": invite.name,
        "role": invite.role.key(), "workspace_id": invite.workspace, "products": invite.products,
        "expires_at": rfc3339(invite.expires_at),
    })
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

pub(crate) fn check_limit(limit: usize) -> Result<()> {
    if (1..=MAX_PAGE).contains(&limit) {
        Ok(())
    } else {
        Err(Error::invalid("limit", format!("must be 1 to {MAX_PAGE}")))
    }
}

fn check_settings(settings: &TenantSettings) -> Result<()> {
    let lifetime = settings.invite_lifetime;
    if lifetime < Duration::minutes(1) || lifetime > Duration::days(365) {
        return Err(Error::invalid(
            "invite_lifetime",
            "must be between one minute and 365 days",
        ));
    }
    let max = settings.max_impersonation;
    if max < Duration::minutes(1) || max > Duration::hours(1) {
        return Err(Error::invalid(
            "max_impersonation",
            "must be between one minute and one hour",
        ));
    }
    Ok(())
}
