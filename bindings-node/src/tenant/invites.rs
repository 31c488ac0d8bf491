//! Email invites (mirrors the core's `tenant/invites.rs`).

use super::{tenant_job, Tenant};
use crate::convert::*;
use crate::strict::{keys, Metadata, Strict};
use crate::task::{job, Job};
use crate::types::*;
use memberkit as mk;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Options of `invite`.
#[napi(object)]
#[derive(Default)]
pub struct InviteOptions {
    pub name: Option<String>,
    /// Role on acceptance (default `customer`).
    pub role: Option<String>,
    /// Paid product ids granted on acceptance.
    pub products: Option<Vec<String>>,
    /// Workspace joined on acceptance.
    pub workspace: Option<String>,
    /// "Notify by email" (default true): false writes no `invite.created` event.
    pub notify: Option<bool>,
    /// How long the link lives, in milliseconds (one minute up to the tenant's
    /// `maxInviteLifetimeMs`); the tenant's `inviteLifetimeMs` when absent.
    pub lifetime_ms: Option<f64>,
    /// A personal message (at most 2,000 characters) carried in the invite's outbox events.
    pub message: Option<String>,
    /// Metadata merged into the member's when they accept.
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<Metadata>,
}

keys! { InviteOptions => ["name", "role", "products", "workspace", "notify", "lifetimeMs", "message", "metadata"] }

#[napi]
impl Tenant {
    /// Invites an email; resolves to the invite and its link token (once).
    #[napi(ts_return_type = "Promise<IssuedInvite>")]
    pub fn invite(
        &self,
        actor: String,
        email: String,
        #[napi(ts_arg_type = "InviteOptions")] options: Option<Strict<InviteOptions>>,
    ) -> AsyncTask<Job<Hidden<IssuedInvite>>> {
        tenant_job!(self, |t| {
            let o = options.map(|Strict(o)| o).unwrap_or_default();
            let defaults = mk::NewInvite::new(email);
            let new = mk::NewInvite {
                name: o.name,
                role: opt(o.role)?.unwrap_or(defaults.role),
                workspace: opt(o.workspace)?,
                products: ids(o.products)?,
                notify: o.notify.unwrap_or(defaults.notify),
                lifetime: o.lifetime_ms.map(millis).transpose()?,
                message: o.message,
                metadata: o.metadata.map(|m| m.0).unwrap_or_default(),
                ..defaults
            };
            t.invite(self::actor(&actor)?, new)
                .map(|i| Hidden(i.into()))
        })
    }

    /// Resends: a new token and a fresh lifetime.
    #[napi(ts_return_type = "Promise<IssuedInvite>")]
    pub fn resend_invite(
        &self,
        actor: String,
        invite: String,
    ) -> AsyncTask<Job<Hidden<IssuedInvite>>> {
        tenant_job!(self, |t| t
            .resend_invite(self::actor(&actor)?, invite.parse()?)
            .map(|i| Hidden(i.into())))
    }

    /// "Copy invite link": another link to a pending invite; the emailed one keeps working.
    #[napi(ts_return_type = "Promise<IssuedInvite>")]
    pub fn copy_invite_link(
        &self,
        actor: String,
        invite: String,
    ) -> AsyncTask<Job<Hidden<IssuedInvite>>> {
        tenant_job!(self, |t| t
            .copy_invite_link(self::actor(&actor)?, invite.parse()?)
            .map(|i| Hidden(i.into())))
    }

    /// Revokes a pending invite.
    #[napi(ts_return_type = "Promise<Invite>")]
    pub fn revoke_invite(&self, actor: String, invite: String) -> AsyncTask<Job<Invite>> {
        tenant_job!(self, |t| t
            .revoke_invite(self::actor(&actor)?, invite.parse()?)
            .map(Into::into))
    }

    /// Accepts an invite by its link token; pass the signed-in email when there is one.
    #[napi(ts_return_type = "Promise<Accepted>")]
    pub fn accept(&self, token: String, email: Option<String>) -> AsyncTask<Job<Accepted>> {
        tenant_job!(self, |t| t.accept(&token, email.as_deref()).map(Into::into))
    }

    /// Call on sign-up: accepts this email's pending invite here, or resolves to null.
    #[napi(ts_return_type = "Promise<Accepted | null>")]
    pub fn claim(&self, email: String) -> AsyncTask<Job<Option<Accepted>>> {
        tenant_job!(self, |t| Ok(t.claim(&email)?.map(Into::into)))
    }

    /// The invitee declines by the link's token; pass the signed-in email when there is one.
    #[napi(ts_return_type = "Promise<Invite>")]
    pub fn decline(&self, token: String, email: Option<String>) -> AsyncTask<Job<Invite>> {
        tenant_job!(self, |t| t
            .decline(&token, email.as_deref())
            .map(Into::into))
    }

    /// After sign-up: declines this email's pending invite here, or resolves to null.
    #[napi(ts_return_type = "Promise<Invite | null>")]
    pub fn decline_pending(&self, email: String) -> AsyncTask<Job<Option<Invite>>> {
        tenant_job!(self, |t| Ok(t.decline_pending(&email)?.map(Into::into)))
    }

    /// One invite with its current status.
    #[napi(ts_return_type = "Promise<Invite>")]
    pub fn get_invite(&self, id: String) -> AsyncTask<Job<Invite>> {
        tenant_job!(self, |t| t.get_invite(id.parse()?).map(Into::into))
    }

    /// Invites, newest first, optionally with one status.
    #[napi(ts_return_type = "Promise<Array<Invite>>")]
    pub fn invites(
        &self,
        #[napi(ts_arg_type = "'pending' | 'accepted' | 'revoked' | 'expired' | 'declined'")] status: Option<
            String,
        >,
    ) -> AsyncTask<Job<Vec<Invite>>> {
        tenant_job!(self, |t| Ok(t
            .invites(opt(status)?)?
            .into_iter()
            .map(Into::into)
            .collect()))
    }
}
