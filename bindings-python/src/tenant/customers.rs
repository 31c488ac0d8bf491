//! The customer list, count and export (mirrors the core's `tenant/customers.rs`). Filters left
//! out take the core's defaults (`CustomerQuery::default()`).

use super::Tenant;
use crate::convert::*;
use crate::error::{call, Res};
use crate::types::*;
use memberkit as mk;
use pyo3::prelude::*;

#[pymethods]
impl Tenant {
    /// One page of customers with their active products: newest first unless `sort` is
    /// "name" or "email"; `limit` 1 to 500 (default 50); `cursor` is the previous page's
    /// `next_cursor`.
    #[pyo3(signature = (*, search=None, status=None, product=None, no_access=None, workspace=None, sort=None, cursor=None, limit=None))]
    #[allow(clippy::too_many_arguments)]
    fn customers<'py>(
        &self,
        py: Python<'py>,
        search: Option<String>,
        status: Option<String>,
        product: Option<String>,
        no_access: Option<bool>,
        workspace: Option<String>,
        sort: Option<String>,
        cursor: Option<String>,
        limit: Option<Count>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = customer_query(search, status, product, no_access, workspace, sort)?;
        let q = mk::CustomerQuery {
            cursor,
            limit: limit.map_or(q.limit, |l| l.0),
            ..q
        };
        py_page(py, &call!(py, self.inner.customers(&q)))
    }

    /// How many customers match.
    #[pyo3(signature = (*, search=None, status=None, product=None, no_access=None, workspace=None))]
    fn count_customers(
        &self,
        py: Python<'_>,
        search: Option<String>,
        status: Option<String>,
        product: Option<String>,
        no_access: Option<bool>,
        workspace: Option<String>,
    ) -> PyResult<usize> {
        let q = customer_query(search, status, product, no_access, workspace, None)?;
        Ok(call!(py, self.inner.count_customers(&q)))
    }

    /// Every matching customer as CSV (RFC 4180, formula cells neutralised).
    #[pyo3(signature = (*, search=None, status=None, product=None, no_access=None, workspace=None, sort=None))]
    #[allow(clippy::too_many_arguments)]
    fn export_customers(
        &self,
        py: Python<'_>,
        search: Option<String>,
        status: Option<String>,
        product: Option<String>,
        no_access: Option<bool>,
        workspace: Option<String>,
        sort: Option<String>,
    ) -> PyResult<String> {
        let q = customer_query(search, status, product, no_access, workspace, sort)?;
        Ok(call!(py, self.inner.export_customers(&q)))
    }
}

/// The filters given, over the core's defaults.
fn customer_query(
    search: Option<String>,
    status: Option<String>,
    product: Option<String>,
    no_access: Option<bool>,
    workspace: Option<String>,
    sort: Option<String>,
) -> Res<mk::CustomerQuery> {
    let defaults = mk::CustomerQuery::default();
    Ok(mk::CustomerQuery {
        search,
        status: opt(status)?,
        product: opt(product)?,
        no_access: no_access.unwrap_or(defaults.no_access),
        workspace: opt(workspace)?,
        sort: opt(sort)?.unwrap_or(defaults.sort),
        ..defaults
    })
}
