//! The customer list, count and export (mirrors the core's `tenant/customers.rs`).

use super::{tenant_job, Tenant};
use crate::convert::*;
use crate::strict::{keys, Count, Strict};
use crate::task::{job, Job};
use crate::types::*;
use memberkit as mk;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Filters of `customers`, `countCustomers` and `exportCustomers`.
#[napi(object)]
pub struct CustomerQuery {
    /// Case-insensitive substring of the name or email.
    pub search: Option<String>,
    #[napi(ts_type = "'invited' | 'active' | 'deactivated'")]
    pub status: Option<String>,
    /// Only members who can use this product now.
    pub product: Option<String>,
    /// Only members with no active grant to any paid product.
    pub no_access: Option<bool>,
    pub workspace: Option<String>,
    #[napi(ts_type = "'newest' | 'name' | 'email'")]
    pub sort: Option<String>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[napi(ts_type = "number")]
    pub limit: Option<Count>,
}

keys! { CustomerQuery as "query" => ["search", "status", "product", "noAccess", "workspace", "sort", "cursor", "limit"] }

fn customer_query(q: Option<Strict<CustomerQuery>>) -> mk::Result<mk::CustomerQuery> {
    let defaults = mk::CustomerQuery::default();
    let Some(Strict(q)) = q else {
        return Ok(defaults);
    };
    Ok(mk::CustomerQuery {
        search: q.search,
        status: opt(q.status)?,
        product: opt(q.product)?,
        no_access: q.no_access.unwrap_or(defaults.no_access),
        workspace: opt(q.workspace)?,
        sort: opt(q.sort)?.unwrap_or(defaults.sort),
        cursor: q.cursor,
        limit: q.limit.map_or(defaults.limit, |l| l.0),
    })
}

#[napi]
impl Tenant {
    /// One page of customers, each with the paid products they can use now.
    #[napi(ts_return_type = "Promise<CustomerPage>")]
    pub fn customers(
        &self,
        #[napi(ts_arg_type = "CustomerQuery")] query: Option<Strict<CustomerQuery>>,
    ) -> AsyncTask<Job<CustomerPage>> {
        tenant_job!(self, |t| {
            let page = t.customers(&customer_query(query)?)?;
            Ok(CustomerPage {
                next_cursor: page.next_cursor,
                rows: page
                    .rows
                    .into_iter()
                    .map(|r| CustomerRow {
                        member: r.member.into(),
                        products: r
                            .products
                            .into_iter()
                            .map(|p| ProductRef {
                                id: p.id.to_string(),
                                name: p.name,
                                via: p.via.map(|v| v.to_string()),
                            })
                            .collect(),
                    })
                    .collect(),
            })
        })
    }

    /// How many customers match (cursor and limit ignored).
    #[napi(ts_return_type = "Promise<number>")]
    pub fn count_customers(
        &self,
        #[napi(ts_arg_type = "CustomerQuery")] query: Option<Strict<CustomerQuery>>,
    ) -> AsyncTask<Job<u32>> {
        tenant_job!(self, |t| t
            .count_customers(&customer_query(query)?)
            .map(|n| n as u32))
    }

    /// Every matching customer as CSV (RFC 4180, formula cells neutralised).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn export_customers(
        &self,
        #[napi(ts_arg_type = "CustomerQuery")] query: Option<Strict<CustomerQuery>>,
    ) -> AsyncTask<Job<String>> {
        tenant_job!(self, |t| t.export_customers(&customer_query(query)?))
    }
}
