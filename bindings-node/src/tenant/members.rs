//! Deactivate, reactivate and remove; passwords; impersonation (mirrors `tenant/members.rs`).

use super::{tenant_job, Tenant};
use crate::convert::*;
use crate::strict::{keys, Metadata, Strict};
use crate::task::{job, Job};
use crate::types::*;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Options of `setPassword`.
#[napi(object)]
pub struct PasswordOptions {
    /// The member must choose a new password at next sign-in (always true when staff set it).
    pub must_change: Option<bool>,
}

/// Options of `impersonate`.
#[napi(object)]
pub struct ImpersonateOptions {
    /// How long the session lasts, in milliseconds (default and maximum: the tenant's).
    pub duration_ms: Option<f64>,
}

keys! {
    PasswordOptions => ["mustChange"],
    ImpersonateOptions => ["durationMs"],
}

#[napi]
impl Tenant {
    /// Deactivates a member (reversible).
    #[napi(ts_return_type = "Promise<Member>")]
    pub fn deactivate(&self, actor: String, member: String) -> AsyncTask<Job<Member>> {
        tenant_job!(self, |t| t
            .deactivate(self::actor(&actor)?, member.parse()?)
            .map(Into::into))
    }

    /// Reactivates a deactivated member.
    #[napi(ts_return_type = "Promise<Member>")]
    pub fn reactivate(&self, actor: String, member: String) -> AsyncTask<Job<Member>> {
        tenant_job!(self, |t| t
            .reactivate(self::actor(&actor)?, member.parse()?)
            .map(Into::into))
    }

    /// Changes a member's metadata key by key (a `null` value removes the key). Needs the
    /// rights to manage them.
    #[napi(ts_return_type = "Promise<Member>")]
    pub fn update_member_metadata(
        &self,
        actor: String,
        member: String,
        #[napi(ts_arg_type = "Record<string, unknown>")] patch: Metadata,
    ) -> AsyncTask<Job<Member>> {
        tenant_job!(self, |t| t
            .update_member_metadata(self::actor(&actor)?, member.parse()?, patch.0)
            .map(Into::into))
    }

    /// Removes a member: access, roles, password and pending invites.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn remove_member(&self, actor: String, member: String) -> AsyncTask<Job<()>> {
        tenant_job!(self, |t| t
            .remove_member(self::actor(&actor)?, member.parse()?))
    }

    /// Sets a password (argon2id, hashed off the event loop).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn set_password(
        &self,
        actor: String,
        member: String,
        password: String,
        #[napi(ts_arg_type = "PasswordOptions")] options: Option<Strict<PasswordOptions>>,
    ) -> AsyncTask<Job<()>> {
        let must_change = options.and_then(|Strict(o)| o.must_change);
        tenant_job!(self, |t| t.set_password(
            self::actor(&actor)?,
            member.parse()?,
            &password,
            must_change.unwrap_or(false)
        ))
    }

    /// Checks a sign-in: resolves to a PasswordCheck, or null for a wrong password or an unknown
    /// email.
    #[napi(ts_return_type = "Promise<PasswordCheck | null>")]
    pub fn verify_password(
        &self,
        email: String,
        password: String,
    ) -> AsyncTask<Job<Option<PasswordCheck>>> {
        tenant_job!(self, |t| Ok(t.verify_password(&email, &password)?.map(
            |c| PasswordCheck {
                member: c.member.into(),
                must_change: c.must_change
            }
        )))
    }

    /// Starts "log in as this user" for `{ durationMs }` (default: the tenant maximum).
    #[napi(ts_return_type = "Promise<IssuedImpersonation>")]
    pub fn impersonate(
        &self,
        actor: String,
        target: String,
        reason: String,
        #[napi(ts_arg_type = "ImpersonateOptions")] options: Option<Strict<ImpersonateOptions>>,
    ) -> AsyncTask<Job<Hidden<IssuedImpersonation>>> {
        let duration_ms = options.and_then(|Strict(o)| o.duration_ms);
        tenant_job!(self, |t| {
            let issued = t.impersonate(
                self::actor(&actor)?,
                target.parse()?,
                &reason,
                duration_ms.map(millis).transpose()?,
            )?;
            Ok(Hidden(IssuedImpersonation {
                session: issued.session.into(),
                token: issued.token.expose().to_owned(),
            }))
        })
    }

    /// Exchanges an impersonation token for its live session.
    #[napi(ts_return_type = "Promise<Impersonation>")]
    pub fn verify_impersonation(&self, token: String) -> AsyncTask<Job<Impersonation>> {
        tenant_job!(self, |t| t.verify_impersonation(&token).map(Into::into))
    }

    /// Ends a session early.
    #[napi(ts_return_type = "Promise<Impersonation>")]
    pub fn end_impersonation(&self, token: String) -> AsyncTask<Job<Impersonation>> {
        tenant_job!(self, |t| t.end_impersonation(&token).map(Into::into))
    }
}
