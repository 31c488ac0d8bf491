//! Bundles (mirrors `tenant/bundles.rs`).

use super::{tenant_job, Tenant};
use crate::convert::*;
use crate::task::{job, Job};
use crate::types::*;
use napi::bindgen_prelude::*;
use napi_derive::napi;

#[napi]
impl Tenant {
    /// Includes `product` in the paid `bundle`: its holders may use it at once. Resolves to the
    /// bundle's direct items. Needs `products.manage`.
    #[napi(ts_return_type = "Promise<Array<Product>>")]
    pub fn include_in_bundle(
        &self,
        actor: String,
        bundle: String,
        product: String,
    ) -> AsyncTask<Job<Vec<Product>>> {
        tenant_job!(self, |t| Ok(t
            .include_in_bundle(self::actor(&actor)?, bundle.parse()?, product.parse()?)?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// Takes `product` out of `bundle`; resolves to whether it was in. Needs `products.manage`.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn remove_from_bundle(
        &self,
        actor: String,
        bundle: String,
        product: String,
    ) -> AsyncTask<Job<bool>> {
        tenant_job!(self, |t| t.remove_from_bundle(
            self::actor(&actor)?,
            bundle.parse()?,
            product.parse()?
        ))
    }

    /// The products `bundle` includes directly.
    #[napi(ts_return_type = "Promise<Array<Product>>")]
    pub fn bundle_items(&self, bundle: String) -> AsyncTask<Job<Vec<Product>>> {
        tenant_job!(self, |t| Ok(t
            .bundle_items(bundle.parse()?)?
            .into_iter()
            .map(Into::into)
            .collect()))
    }
}
