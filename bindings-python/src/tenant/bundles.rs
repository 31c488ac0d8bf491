//! Bundles (mirrors `tenant/bundles.rs`).

use super::Tenant;
use crate::convert::*;
use crate::error::call;
use crate::types::*;
use pyo3::prelude::*;

#[pymethods]
impl Tenant {
    /// Includes `product` in the paid `bundle`: its holders may use it at once. Returns the
    /// bundle's direct items. Needs `products.manage`.
    fn include_in_bundle<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        bundle: &str,
        product: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, b, p) = (
            crate::convert::actor(actor)?,
            parse(bundle)?,
            parse(product)?,
        );
        list(
            py,
            &call!(py, self.inner.include_in_bundle(a, b, p)),
            py_product,
        )
    }

    /// Takes `product` out of `bundle`; returns whether it was in. Needs `products.manage`.
    fn remove_from_bundle(
        &self,
        py: Python<'_>,
        actor: &str,
        bundle: &str,
        product: &str,
    ) -> PyResult<bool> {
        let (a, b, p) = (
            crate::convert::actor(actor)?,
            parse(bundle)?,
            parse(product)?,
        );
        Ok(call!(py, self.inner.remove_from_bundle(a, b, p)))
    }

    /// The products `bundle` includes directly.
    fn bundle_items<'py>(&self, py: Python<'py>, bundle: &str) -> PyResult<Bound<'py, PyAny>> {
        let b = parse(bundle)?;
        list(py, &call!(py, self.inner.bundle_items(b)), py_product)
    }
}
