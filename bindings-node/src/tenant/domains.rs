//! Verified email domains (mirrors `tenant/domains.rs`).

use super::{tenant_job, Tenant};
use crate::convert::*;
use crate::strict::{keys, Strict};
use crate::task::{job, Job};
use crate::types::*;
use memberkit as mk;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Options of `addDomain`.
#[napi(object)]
#[derive(Default)]
pub struct DomainOptions {
    /// `join` (the default): they join at once; `suggest`: a pending suggestion.
    #[napi(ts_type = "'join' | 'suggest'")]
    pub enrollment: Option<String>,
    /// Their role in the workspace (default `member`).
    pub role: Option<String>,
}

keys! { DomainOptions => ["enrollment", "role"] }

#[napi]
impl Tenant {
    /// Lets people who sign up at `domain` into `workspace`.
    #[napi(ts_return_type = "Promise<WorkspaceDomain>")]
    pub fn add_domain(
        &self,
        actor: String,
        workspace: String,
        domain: String,
        #[napi(ts_arg_type = "DomainOptions")] options: Option<Strict<DomainOptions>>,
    ) -> AsyncTask<Job<WorkspaceDomain>> {
        tenant_job!(self, |t| {
            let o = options.map(|Strict(o)| o).unwrap_or_default();
            let defaults = mk::NewDomain::new(domain);
            let new = mk::NewDomain {
                enrollment: opt(o.enrollment)?.unwrap_or(defaults.enrollment),
                role: opt(o.role)?.unwrap_or(defaults.role),
                ..defaults
            };
            t.add_domain(self::actor(&actor)?, workspace.parse()?, new)
                .map(Into::into)
        })
    }

    /// Stops taking people from `domain` into `workspace`; resolves to whether it was one of
    /// its domains.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn remove_domain(
        &self,
        actor: String,
        workspace: String,
        domain: String,
    ) -> AsyncTask<Job<bool>> {
        tenant_job!(self, |t| t.remove_domain(
            self::actor(&actor)?,
            workspace.parse()?,
            &domain
        ))
    }

    /// The email domains of a workspace.
    #[napi(ts_return_type = "Promise<Array<WorkspaceDomain>>")]
    pub fn domains(&self, workspace: String) -> AsyncTask<Job<Vec<WorkspaceDomain>>> {
        tenant_job!(self, |t| Ok(t
            .domains(workspace.parse()?)?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// Takes the workspace `email`'s domain suggested; resolves to `null` when there is none.
    #[napi(ts_return_type = "Promise<Accepted | null>")]
    pub fn accept_suggestion(&self, email: String) -> AsyncTask<Job<Option<Accepted>>> {
        tenant_job!(self, |t| Ok(t.accept_suggestion(&email)?.map(Into::into)))
    }
}
