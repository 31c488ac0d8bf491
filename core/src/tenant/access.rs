//! Products, customers and their access: create and archive products, add customers,
//! grant, revoke and check access.

use crate::clock::truncate_to_micros;
use crate::error::{Error, Result};
use crate::event_kind;
use crate::ids::*;
use crate::metadata::{self, Metadata};
use crate::model::*;
use crate::normalize;
use crate::password::{self, Password};
use crate::permission::Permission;
use crate::policy::access::{self};
use crate::policy::authz::tenant_role;
use crate::policy::members;
use crate::requests::*;
use crate::store::{self, Tx};
use crate::tenant::Tenant;
use serde_json::json;

impl Tenant {
    // ----- products -------------------------------------------------------------------------

    /// Creates a product. Needs `products.manage`.
    pub fn create_product(&self, actor: Actor, new: NewProduct) -> Result<Product> {
        let name = normalize::name("name", &new.name)?;
        metadata::check(&new.metadata)?;
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
                metadata: new.metadata.clone(),
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

    /// Changes a product's metadata key by key: each key of `patch` takes its value, and a
    /// `null` removes the key. Needs `products.manage`. Audited with the keys that changed
    /// (not their values); no outbox event. Errors: `invalid_input` (past 8 KiB or 10 levels
    /// deep once patched), `not_found`, `permission_denied`.
    pub fn update_product_metadata(
        &self,
        actor: Actor,
        product: ProductId,
        patch: Metadata,
    ) -> Result<Product> {
        self.write(actor, |op| {
            op.require(&Permission::PRODUCTS_MANAGE)?;
            let mut p = op.product(product)?;
            let changed = metadata::merge(&mut p.metadata, &patch);
            if !changed.is_empty() {
                metadata::check(&p.metadata)?;
                op.tx.update_product(&p)?;
                op.audit("product.metadata_updated", p.id, json!({ "keys": changed }))?;
            }
            Ok(p)
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
    /// to different members, or the member has another external id), `member_deactivated`,
    /// `seat_limit` (a new active member past the tenant's cap).
    ///
    /// A member this call creates can get a password at once: `password` (hashed at once;
    /// must-change when a team member sets it) or `temporary_password` (generated, returned
    /// once, must-change). An existing member keeps theirs (`password_set` is false).
    /// `invalid_input` for a password of the wrong length or for both at once.
    pub fn add_customer(&self, actor: Actor, new: NewCustomer) -> Result<AddedCustomer> {
        let email = normalize::email(&new.email)?;
        let name = normalize::optional_name(new.name.as_deref())?;
        let external_id = normalize::external_id(new.external_id.as_deref())?;
        let expires_at = new.expires_at.map(truncate_to_micros);
        let starts_at = new.starts_at.map(truncate_to_micros);
        metadata::check(&new.metadata)?;
        // Hash outside the transaction: it takes tens of milliseconds by design.
        let initial = initial_password(&new, actor)?;
        self.write_notifying(actor, new.notify, |op| {
            op.require(&Permission::CUSTOMERS_MANAGE)?;
            let window = op.grant_window(starts_at, expires_at)?;
            let products = op.grantable_products(&new.products)?;
            let seats = op.seats_before(&[])?;
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
                Some(existing) => op.reuse_member(existing, person, &new.metadata)?,
                None => {
                    if new.role != Role::Customer {
                        op.require_assignable(new.role, None)?;
                    }
                    let mut member = op.new_member(
                        &email,
                        name.clone(),
                        external_id.clone(),
                        MemberStatus::Active,
                    );
                    member.metadata = new.metadata.clone();
                    op.tx.insert_member(&member)?;
                    op.tx.set_role(self.id, member.id, None, new.role)?;
                    if let Some(initial) = &initial {
                        let credential = Credential {
                            password_hash: initial.hash.clone(),
                            must_change: initial.must_change,
                            updated_at: op.now,
                        };
                        op.tx.set_credential(self.id, member.id, &credential)?;
                    }
                    op.audit(
                        "member.created",
                        member.id,
                        json!({
                            "email": member.email, "role": new.role.key(),
                            "password": initial.as_ref().map(|p| json!({
                                "temporary": p.temporary.is_some(), "must_change": p.must_change,
                            })),
                        }),
                    )?;
                    (member, AddOutcome::Created)
                }
            };
            let mut granted = Vec::new();
            for product in &products {
                if let Some(g) = op.grant(&member, product, new.source, window, op.actor)? {
                    granted.push(g);
                }
            }
            op.check_seats(&seats)?;
            let password_set = outcome == AddOutcome::Created && initial.is_some();
            Ok(AddedCustomer {
                member,
                outcome,
                granted,
                password_set,
                temporary_password: initial
                    .as_ref()
                    .filter(|_| password_set)
                    .and_then(|p| p.temporary.clone()),
            })
        })
    }

    /// Grants `member` access to a paid product, or renews the open grant with the new window.
    /// `starts_at` in the future grants from then (a pre-sale, a drip, a dated trial); the
    /// grant is stored now and `has_access` turns true at that instant. Needs
    /// `customers.manage`. Granting what is already granted with the same window changes
    /// nothing and writes no event. Errors: `not_found`, `invalid_input` (free or archived
    /// product, expiry not in the future or not after the start), `member_deactivated`.
    pub fn grant(
        &self,
        actor: Actor,
        member: MemberId,
        product: ProductId,
        options: GrantOptions,
    ) -> Result<Grant> {
        let expires_at = options.expires_at.map(truncate_to_micros);
        let starts_at = options.starts_at.map(truncate_to_micros);
        self.write(actor, |op| {
            op.require(&Permission::CUSTOMERS_MANAGE)?;
            let window = op.grant_window(starts_at, expires_at)?;
            let member = op.member(member)?;
            if member.status == MemberStatus::Deactivated {
                return Err(Error::MemberDeactivated(member.id));
            }
            let product = op.grantable_product(product)?;
            match op.grant(&member, &product, options.source, window, op.actor)? {
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

    /// Everything `member` may use now, with the grant behind each paid product and, for a
    /// product that comes with a bundle, the bundle (`via`). A product held directly shows its
    /// own grant even when a bundle includes it too.
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
            let bundles = tx.bundle_items(self.id)?;
            let held = |id: ProductId| grants.iter().find(|g| g.product_id == id);
            Ok(tx
                .products(self.id)?
                .into_iter()
                .filter_map(|product| {
                    if !product.paid {
                        return (!product.archived).then_some(ProductAccess {
                            product,
                            grant: None,
                            via: None,
                        });
                    }
                    if let Some(grant) = held(product.id) {
                        return Some(ProductAccess {
                            product,
                            grant: Some(grant.clone()),
                            via: None,
                        });
                    }
                    let (bundle, grant) = bundles
                        .iter()
                        .filter(|(_, item, _)| *item == product.id)
                        .find_map(|(bundle, _, _)| Some((*bundle, held(*bundle)?)))?;
                    Some(ProductAccess {
                        product,
                        grant: Some(grant.clone()),
                        via: Some(bundle),
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

/// The password `add_customer` gives a member it creates, hashed up front.
struct InitialPassword {
    hash: String,
    must_change: bool,
    /// The generated temporary password, when one was asked for.
    temporary: Option<Password>,
}

fn initial_password(new: &NewCustomer, actor: Actor) -> Result<Option<InitialPassword>> {
    let (plain, temporary) = match (&new.password, new.temporary_password) {
        (Some(_), true) => {
            return Err(Error::invalid(
                "password",
                "give a password or ask for a temporary one, not both",
            ))
        }
        (None, false) => return Ok(None),
        (Some(given), false) => (given.clone(), None),
        (None, true) => {
            let generated = Password::temporary()?;
            (generated.clone(), Some(generated))
        }
    };
    Ok(Some(InitialPassword {
        hash: password::hash(plain.expose())?,
        // Staff-set passwords are must-change, as with `set_password`.
        must_change: temporary.is_some() || actor != Actor::System,
        temporary,
    }))
}
