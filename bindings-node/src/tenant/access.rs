//! Products, customers and their access (mirrors the core's `tenant/access.rs`).

use super::{tenant_job, Tenant};
use crate::convert::*;
use crate::strict::{keys, Metadata, Strict};
use crate::task::{job, now, settled, Job};
use crate::types::*;
use chrono::{DateTime, Utc};
use memberkit as mk;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Options of `createProduct`.
#[napi(object)]
pub struct ProductOptions {
    /// Paid products need a grant; free ones are open to every active member (default true).
    pub paid: Option<bool>,
    /// The host's own data (at most 8 KiB as JSON).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<Metadata>,
}

/// Options of `addCustomer`.
#[napi(object)]
#[derive(Default)]
pub struct AddCustomerOptions {
    pub name: Option<String>,
    pub external_id: Option<String>,
    /// Paid product ids to grant now.
    pub products: Option<Vec<String>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// When those grants start, if later than now.
    pub starts_at: Option<DateTime<Utc>>,
    #[napi(ts_type = "'manual' | 'invite' | 'import' | 'purchase' | 'api'")]
    pub source: Option<String>,
    /// Role of a new member (default `customer`).
    pub role: Option<String>,
    /// "Notify by email" (default true): false writes no `email`-channel outbox event.
    pub notify: Option<bool>,
    /// A password for a member this call creates (8 to 1,024 characters), hashed at once.
    pub password: Option<String>,
    /// Generate a temporary password for a member this call creates (returned once,
    /// must-change). Not together with `password`.
    pub temporary_password: Option<bool>,
    /// Metadata: a new member's, or a patch applied key by key to an existing member's (a
    /// `null` value removes that key).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<Metadata>,
}

/// Options of `grant`.
#[napi(object)]
pub struct GrantOptions {
    pub expires_at: Option<DateTime<Utc>>,
    /// When it starts granting, if later than now.
    pub starts_at: Option<DateTime<Utc>>,
    #[napi(ts_type = "'manual' | 'invite' | 'import' | 'purchase' | 'api'")]
    pub source: Option<String>,
}

keys! {
    ProductOptions => ["paid", "metadata"],
    AddCustomerOptions => [
        "name", "externalId", "products", "expiresAt", "startsAt", "source", "role", "notify",
        "password", "temporaryPassword", "metadata",
    ],
    GrantOptions => ["expiresAt", "startsAt", "source"],
}

#[napi]
impl Tenant {
    /// Creates a product (paid unless `{ paid: false }`). Needs `products.manage`.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn create_product(
        &self,
        actor: String,
        name: String,
        kind: String,
        #[napi(ts_arg_type = "ProductOptions")] options: Option<Strict<ProductOptions>>,
    ) -> AsyncTask<Job<Product>> {
        let (paid, metadata) = options.map_or((None, None), |Strict(o)| (o.paid, o.metadata));
        tenant_job!(self, |t| {
            let defaults = mk::NewProduct::paid(name, kind.parse()?);
            let new = mk::NewProduct {
                paid: paid.unwrap_or(defaults.paid),
                metadata: metadata.map(|m| m.0).unwrap_or_default(),
                ..defaults
            };
            t.create_product(self::actor(&actor)?, new).map(Into::into)
        })
    }

    /// Changes a product's metadata key by key (a `null` value removes the key). Needs
    /// `products.manage`.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn update_product_metadata(
        &self,
        actor: String,
        product: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] patch: Metadata,
    ) -> AsyncTask<Job<Product>> {
        tenant_job!(self, |t| t
            .update_product_metadata(self::actor(&actor)?, product.parse()?, patch.0)
            .map(Into::into))
    }

    /// Archives a product: no new grants; existing grants keep working.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn archive_product(&self, actor: String, product: String) -> AsyncTask<Job<Product>> {
        tenant_job!(self, |t| t
            .archive_product(self::actor(&actor)?, product.parse()?)
            .map(Into::into))
    }

    /// Every product, archived ones included.
    #[napi(ts_return_type = "Promise<Array<Product>>")]
    pub fn products(&self) -> AsyncTask<Job<Vec<Product>>> {
        tenant_job!(self, |t| Ok(t
            .products()?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// One product.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn product(&self, id: String) -> AsyncTask<Job<Product>> {
        tenant_job!(self, |t| t.product(id.parse()?).map(Into::into))
    }

    /// Adds a customer now (no invite) and grants products at once; reuses a member with the
    /// same email or external id.
    #[napi(ts_return_type = "Promise<AddedCustomer>")]
    pub fn add_customer(
        &self,
        actor: String,
        email: String,
        #[napi(ts_arg_type = "AddCustomerOptions")] options: Option<Strict<AddCustomerOptions>>,
    ) -> AsyncTask<Job<Hidden<AddedCustomer>>> {
        tenant_job!(self, |t| {
            let o = options.map(|Strict(o)| o).unwrap_or_default();
            let defaults = mk::NewCustomer::new(email);
            let new = mk::NewCustomer {
                name: o.name,
                external_id: o.external_id,
                products: ids(o.products)?,
                expires_at: o.expires_at.map(instant).transpose()?,
                starts_at: o.starts_at.map(instant).transpose()?,
                source: opt(o.source)?.unwrap_or(defaults.source),
                role: opt(o.role)?.unwrap_or(defaults.role),
                notify: o.notify.unwrap_or(defaults.notify),
                password: o.password.map(mk::Password::new),
                temporary_password: o.temporary_password.unwrap_or(defaults.temporary_password),
                metadata: o.metadata.map(|m| m.0).unwrap_or_default(),
                ..defaults
            };
            let added = t.add_customer(self::actor(&actor)?, new)?;
            Ok(Hidden(AddedCustomer {
                member: added.member.into(),
                outcome: added.outcome.as_str().into(),
                granted: added.granted.into_iter().map(Into::into).collect(),
                password_set: added.password_set,
                temporary_password: added.temporary_password.map(|p| p.expose().to_owned()),
            }))
        })
    }

    /// Grants access to a paid product (or renews it with the new expiry).
    #[napi(ts_return_type = "Promise<Grant>")]
    pub fn grant(
        &self,
        actor: String,
        member: String,
        product: String,
        #[napi(ts_arg_type = "GrantOptions")] options: Option<Strict<GrantOptions>>,
    ) -> AsyncTask<Job<Grant>> {
        tenant_job!(self, |t| {
            let (expires_at, starts_at, source) = options
                .map_or((None, None, None), |Strict(o)| {
                    (o.expires_at, o.starts_at, o.source)
                });
            let options = mk::GrantOptions {
                expires_at: expires_at.map(instant).transpose()?,
                starts_at: starts_at.map(instant).transpose()?,
                source: opt(source)?.unwrap_or(mk::GrantOptions::default().source),
            };
            t.grant(
                self::actor(&actor)?,
                member.parse()?,
                product.parse()?,
                options,
            )
            .map(Into::into)
        })
    }

    /// Revokes access at once; resolves to the revoked grant, or null if there was none.
    #[napi(ts_return_type = "Promise<Grant | null>")]
    pub fn revoke(
        &self,
        actor: String,
        member: String,
        product: String,
    ) -> AsyncTask<Job<Option<Grant>>> {
        tenant_job!(self, |t| Ok(t
            .revoke(self::actor(&actor)?, member.parse()?, product.parse()?)?
            .map(Into::into)))
    }

    /// Whether the member may use the product now. Answered inline, as an already settled
    /// Promise, when the store can read without waiting (a file hub always can); on the libuv
    /// pool otherwise, so the event loop never waits for a write.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn has_access<'env>(
        &self,
        env: &'env Env,
        member: String,
        product: String,
    ) -> Result<PromiseRaw<'env, bool>> {
        if let (Ok(m), Ok(p)) = (member.parse(), product.parse()) {
            if let Some(answer) = self.inner.try_has_access(m, p) {
                return settled(env, answer);
            }
        }
        let task = Job::new(checking_access(&self.inner, member, product), None);
        Ok(env.spawn(task)?.promise_object())
    }

    /// `hasAccess`, synchronously: for per-request middleware (one indexed read).
    #[napi]
    pub fn has_access_sync(
        &self,
        member: String,
        product: String,
    ) -> std::result::Result<bool, Error<String>> {
        now(checking_access(&self.inner, member, product))
    }

    /// Everything the member may use now.
    #[napi(ts_return_type = "Promise<Array<ProductAccess>>")]
    pub fn access(&self, member: String) -> AsyncTask<Job<Vec<ProductAccess>>> {
        tenant_job!(self, |t| Ok(t
            .access(member.parse()?)?
            .into_iter()
            .map(|a| ProductAccess {
                product: a.product.into(),
                grant: a.grant.map(Into::into),
                via: a.via.map(|b| b.to_string()),
            })
            .collect()))
    }

    /// One member.
    #[napi(ts_return_type = "Promise<Member>")]
    pub fn member(&self, id: String) -> AsyncTask<Job<Member>> {
        tenant_job!(self, |t| t.member(id.parse()?).map(Into::into))
    }

    /// The member with this email (case-insensitive), or null.
    #[napi(ts_return_type = "Promise<Member | null>")]
    pub fn member_by_email(&self, email: String) -> AsyncTask<Job<Option<Member>>> {
        tenant_job!(self, |t| Ok(t.member_by_email(&email)?.map(Into::into)))
    }

    /// The member's tenant-wide role, or null.
    #[napi(ts_return_type = "Promise<string | null>")]
    pub fn role(&self, member: String) -> AsyncTask<Job<Option<String>>> {
        tenant_job!(self, |t| Ok(t.role(member.parse()?)?.map(|r| r.key())))
    }
}

/// The work behind `hasAccess` (when it cannot answer inline) and `hasAccessSync`.
fn checking_access(
    t: &mk::Tenant,
    member: String,
    product: String,
) -> impl FnOnce() -> mk::Result<bool> + Send + 'static {
    let t = t.clone();
    move || t.has_access(member.parse()?, product.parse()?)
}
