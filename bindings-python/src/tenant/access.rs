//! Products, customers and their access (mirrors the core's `tenant/access.rs`).

use super::Tenant;
use crate::convert::*;
use crate::error::call;
use crate::types::record;
use crate::types::*;
use memberkit as mk;
use pyo3::prelude::*;

#[pymethods]
impl Tenant {
    /// Creates a product. Needs `products.manage`.
    #[pyo3(signature = (actor, name, kind, *, paid=None, metadata=None))]
    fn create_product<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        name: String,
        kind: &str,
        paid: Option<bool>,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, kind) = (crate::convert::actor(actor)?, parse(kind)?);
        let new = mk::NewProduct::paid(name, kind);
        let new = mk::NewProduct {
            paid: paid.unwrap_or(new.paid),
            metadata: crate::convert::metadata(metadata)?,
            ..new
        };
        py_product(py, &call!(py, self.inner.create_product(a, new.clone())))
    }

    /// Changes a product's metadata key by key (a None value removes the key). Needs
    /// `products.manage`.
    fn update_product_metadata<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        product: &str,
        patch: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, p) = (crate::convert::actor(actor)?, parse(product)?);
        let patch = crate::convert::metadata(Some(patch))?;
        py_product(
            py,
            &call!(py, self.inner.update_product_metadata(a, p, patch.clone())),
        )
    }

    /// Archives a product: no new grants; existing grants keep working.
    fn archive_product<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        product: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, p) = (crate::convert::actor(actor)?, parse(product)?);
        py_product(py, &call!(py, self.inner.archive_product(a, p)))
    }

    /// Every product, archived ones included.
    fn products<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        list(py, &call!(py, self.inner.products()), py_product)
    }

    /// One product.
    fn product<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let id = parse(id)?;
        py_product(py, &call!(py, self.inner.product(id)))
    }

    // ----- customers and access -----------------------------------------------------------

    /// Adds a customer now (no invite) and grants `products` at once; reuses a member with the
    /// same email or external id. A member it creates gets `password`, or a generated one with
    /// `temporary_password=True` (returned once, must-change).
    #[pyo3(signature = (actor, email, *, name=None, external_id=None, products=Vec::new(), expires_at=None, source=None, role=None, notify=None, password=None, temporary_password=None, metadata=None, starts_at=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_customer<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        email: String,
        name: Option<String>,
        external_id: Option<String>,
        products: Vec<String>,
        expires_at: Option<&Bound<'_, PyAny>>,
        source: Option<String>,
        role: Option<String>,
        notify: Option<bool>,
        password: Option<String>,
        temporary_password: Option<bool>,
        metadata: Option<&Bound<'_, PyAny>>,
        starts_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = crate::convert::actor(actor)?;
        let defaults = mk::NewCustomer::new(email);
        let new = mk::NewCustomer {
            name,
            external_id,
            products: parse_all(products)?,
            expires_at: opt_instant(expires_at)?,
            starts_at: opt_instant(starts_at)?,
            source: opt(source)?.unwrap_or(defaults.source),
            role: opt(role)?.unwrap_or(defaults.role),
            notify: notify.unwrap_or(defaults.notify),
            password: password.map(mk::Password::new),
            temporary_password: temporary_password.unwrap_or(defaults.temporary_password),
            metadata: crate::convert::metadata(metadata)?,
            ..defaults
        };
        let added = call!(py, self.inner.add_customer(a, new.clone()));
        record!(py, "AddedCustomer", {
            "member" => py_member(py, &added.member)?, "outcome" => added.outcome.as_str(),
            "granted" => tuple(py, &added.granted, py_grant)?,
            "password_set" => added.password_set,
            "temporary_password" => added.temporary_password.as_ref().map(|p| p.expose()),
        })
    }

    /// Grants access to a paid product (or renews it with the new window); `starts_at` in the
    /// future grants from then.
    #[pyo3(signature = (actor, member, product, *, expires_at=None, source=None, starts_at=None))]
    #[allow(clippy::too_many_arguments)]
    fn grant<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
        product: &str,
        expires_at: Option<&Bound<'_, PyAny>>,
        source: Option<String>,
        starts_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m, p) = (
            crate::convert::actor(actor)?,
            parse(member)?,
            parse(product)?,
        );
        let defaults = mk::GrantOptions::default();
        let options = mk::GrantOptions {
            expires_at: opt_instant(expires_at)?,
            starts_at: opt_instant(starts_at)?,
            source: opt(source)?.unwrap_or(defaults.source),
        };
        py_grant(py, &call!(py, self.inner.grant(a, m, p, options.clone())))
    }

    /// Revokes access at once. Returns the revoked grant, or None if there was none.
    fn revoke<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
        product: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m, p) = (
            crate::convert::actor(actor)?,
            parse(member)?,
            parse(product)?,
        );
        match call!(py, self.inner.revoke(a, m, p)) {
            Some(g) => py_grant(py, &g),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Whether the member may use the product now.
    fn has_access(&self, py: Python<'_>, member: &str, product: &str) -> PyResult<bool> {
        let (m, p) = (parse(member)?, parse(product)?);
        Ok(call!(py, self.inner.has_access(m, p)))
    }

    /// Everything the member may use now.
    fn access<'py>(&self, py: Python<'py>, member: &str) -> PyResult<Bound<'py, PyAny>> {
        let m = parse(member)?;
        list(py, &call!(py, self.inner.access(m)), |py, a| {
            record!(py, "ProductAccess", {
                "product" => py_product(py, &a.product)?,
                "grant" => match &a.grant { Some(g) => py_grant(py, g)?, None => py.None().into_bound(py) },
                "via" => a.via.map(|b| b.to_string()),
            })
        })
    }

    /// One member.
    fn member<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let id = parse(id)?;
        py_member(py, &call!(py, self.inner.member(id)))
    }

    /// The member with this email (case-insensitive), or None.
    fn member_by_email<'py>(&self, py: Python<'py>, email: String) -> PyResult<Bound<'py, PyAny>> {
        match call!(py, self.inner.member_by_email(&email)) {
            Some(m) => py_member(py, &m),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// The member's tenant-wide role, or None.
    fn role(&self, py: Python<'_>, member: &str) -> PyResult<Option<String>> {
        let m = parse(member)?;
        Ok(call!(py, self.inner.role(m)).map(|r| r.key()))
    }

    // ----- invites --------------------------------------------------------------------------
}
