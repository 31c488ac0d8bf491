//! `Op`: one write transaction on behalf of an actor in a tenant, and the building blocks
//! every operation shares (rows, audit entries, outbox events).

use crate::error::{Error, Result};
use crate::event_kind;
use crate::ids::*;
use crate::metadata::{self, Metadata};
use crate::model::*;
use crate::normalize;
use crate::policy::access::{self, GrantChange};
use crate::policy::authz::tenant_role;
use crate::policy::invites::with_current_status;
use crate::policy::members;
use crate::requests::*;
use crate::store::Tx;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// One write transaction on behalf of an actor in a tenant.
pub(crate) struct Op<'a> {
    pub(crate) tx: &'a dyn Tx,
    pub(crate) tenant: TenantId,
    pub(crate) actor: Actor,
    pub(crate) now: OffsetDateTime,
    /// Whether changes write `email`-channel outbox events ("notify by email"; the audit
    /// entries and the other channels are always written).
    pub(crate) notify: bool,
}

impl<'a> Op<'a> {
    pub(crate) fn new(tx: &'a dyn Tx, tenant: TenantId, actor: Actor, now: OffsetDateTime) -> Self {
        Self {
            tx,
            tenant,
            actor,
            now,
            notify: true,
        }
    }

    pub(crate) fn tenant_info(&self) -> Result<TenantInfo> {
        self.tx
            .tenant(self.tenant)?
            .ok_or_else(|| Error::not_found("tenant", self.tenant))
    }

    pub(crate) fn workspace(&self, id: WorkspaceId) -> Result<Workspace> {
        self.tx
            .workspace(self.tenant, id)?
            .ok_or_else(|| Error::not_found("workspace", id))
    }

    /// A pending invite for `member`, created now by the actor (not yet written).
    pub(crate) fn new_invite(
        &self,
        member: &Member,
        name: Option<String>,
        role: Role,
        workspace: Option<WorkspaceId>,
        products: Vec<ProductId>,
        expires_at: OffsetDateTime,
    ) -> Invite {
        Invite {
            id: InviteId::new(),
            tenant_id: self.tenant,
            member_id: member.id,
            email: member.email.clone(),
            email_key: member.email_key.clone(),
            name,
            role,
            workspace,
            products,
            created_by: self.actor,
            created_at: self.now,
            expires_at,
            status: InviteStatus::Pending,
            accepted_at: None,
            revoked_at: None,
            lifetime: None,
            message: None,
            declined_at: None,
            metadata: Metadata::new(),
            suggested: false,
        }
    }

    pub(crate) fn insert_member(
        &self,
        email: &normalize::NormalizedEmail,
        name: Option<String>,
        external_id: Option<String>,
        status: MemberStatus,
    ) -> Result<Member> {
        let member = self.new_member(email, name, external_id, status);
        self.tx.insert_member(&member)?;
        Ok(member)
    }

    /// A member created now (not yet written).
    pub(crate) fn new_member(
        &self,
        email: &normalize::NormalizedEmail,
        name: Option<String>,
        external_id: Option<String>,
        status: MemberStatus,
    ) -> Member {
        Member {
            id: MemberId::new(),
            tenant_id: self.tenant,
            email: email.display.clone(),
            email_key: email.key.clone(),
            name,
            external_id,
            status,
            created_at: self.now,
            updated_at: self.now,
            metadata: Metadata::new(),
        }
    }

    pub(crate) fn member(&self, id: MemberId) -> Result<Member> {
        self.tx
            .member(self.tenant, id)?
            .ok_or_else(|| Error::not_found("member", id))
    }

    pub(crate) fn product(&self, id: ProductId) -> Result<Product> {
        self.tx
            .product(self.tenant, id)?
            .ok_or_else(|| Error::not_found("product", id))
    }

    pub(crate) fn invite(&self, id: InviteId) -> Result<Invite> {
        let invite = self
            .tx
            .invite(self.tenant, id)?
            .ok_or_else(|| Error::not_found("invite", id))?;
        Ok(with_current_status(invite, self.now))
    }

    /// A product that may be granted: exists here (`not_found` otherwise), is paid, and is not
    /// archived (`invalid_input` otherwise).
    pub(crate) fn grantable_product(&self, id: ProductId) -> Result<Product> {
        // Another tenant's product is `not_found`, as everywhere; only a free or archived
        // product of this tenant is a bad argument.
        let product = self.product(id)?;
        if !product.paid {
            return Err(Error::invalid(
                "products",
                format!("`{}` is free: every active member has it", product.name),
            ));
        }
        if product.archived {
            return Err(Error::invalid(
                "products",
                format!("`{}` is archived and cannot be granted", product.name),
            ));
        }
        Ok(product)
    }

    pub(crate) fn grantable_products(&self, ids: &[ProductId]) -> Result<Vec<Product>> {
        let mut out: Vec<Product> = Vec::with_capacity(ids.len());
        for &id in ids {
            if !out.iter().any(|p| p.id == id) {
                out.push(self.grantable_product(id)?);
            }
        }
        Ok(out)
    }

    pub(crate) fn check_expiry(&self, expires_at: Option<OffsetDateTime>) -> Result<()> {
        match expires_at {
            Some(at) if at <= self.now => Err(Error::invalid(
                "expires_at",
                format!("{} is not in the future", rfc3339(at)),
            )),
            _ => Ok(()),
        }
    }

    /// The window a grant asked for now: the expiry must be in the future and after the start;
    /// a start that is not in the future grants from now (`starts_at: None`).
    pub(crate) fn grant_window(
        &self,
        starts_at: Option<OffsetDateTime>,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<GrantWindow> {
        self.check_expiry(expires_at)?;
        let starts_at = starts_at.filter(|s| *s > self.now);
        if let (Some(s), Some(e)) = (starts_at, expires_at) {
            if s >= e {
                return Err(Error::invalid(
                    "starts_at",
                    format!("{} is not before expires_at {}", rfc3339(s), rfc3339(e)),
                ));
            }
        }
        Ok(GrantWindow {
            starts_at,
            expires_at,
        })
    }

    /// Reuses an existing member for `add_customer`: fills gaps and activates an invited
    /// member ([`members::reuse`]), applies a metadata patch; an activated member without a
    /// tenant-wide role becomes a customer.
    pub(crate) fn reuse_member(
        &self,
        mut member: Member,
        person: members::Person<'_>,
        metadata: &Metadata,
    ) -> Result<(Member, AddOutcome)> {
        let mut changed =
            members::reuse(&mut member, person, true, self.now).map_err(|r| r.into_error())?;
        if !metadata::merge(&mut member.metadata, metadata).is_empty() {
            metadata::check(&member.metadata)?;
            member.updated_at = self.now;
            changed.push("metadata");
        }
        if changed.is_empty() {
            return Ok((member, AddOutcome::Existing));
        }
        if changed.contains(&"status") && tenant_role(self.tx, self.tenant, member.id)?.is_none() {
            self.tx
                .set_role(self.tenant, member.id, None, Role::Customer)?;
        }
        self.tx.update_member(&member)?;
        self.audit("member.updated", member.id, json!({ "changed": changed }))?;
        Ok((member, AddOutcome::Updated))
    }

    /// Deletes a member and what refers to it (grants, role assignments, password); their
    /// audit and outbox rows stay.
    pub(crate) fn delete_member(&self, member: MemberId) -> Result<()> {
        self.tx.delete_grants_of(self.tenant, member)?;
        self.tx.remove_roles(self.tenant, member)?;
        self.tx.delete_credential(self.tenant, member)?;
        self.tx.delete_member(self.tenant, member)
    }

    /// Creates or renews a grant. Returns `None` when an identical grant already exists.
    pub(crate) fn grant(
        &self,
        member: &Member,
        product: &Product,
        source: GrantSource,
        window: GrantWindow,
        granted_by: Actor,
    ) -> Result<Option<Grant>> {
        let open = self.tx.open_grant(self.tenant, member.id, product.id)?;
        let wanted = self.new_grant(member.id, product.id, source, window, granted_by);
        let grant = match access::grant_change(open.as_ref(), wanted) {
            GrantChange::Unchanged => return Ok(None),
            GrantChange::Renewed(g) => {
                self.tx.update_grant(&g)?;
                g
            }
            GrantChange::New(g) => {
                self.tx.insert_grant(&g)?;
                g
            }
        };
        let payload = self.grant_payload(member, product, source, window);
        self.audit(event_kind::ACCESS_GRANTED, member.id, payload.clone())?;
        self.emit(event_kind::ACCESS_GRANTED, payload)?;
        Ok(Some(grant))
    }

    /// What an `access.granted` audit entry and event say.
    pub(crate) fn grant_payload(
        &self,
        member: &Member,
        product: &Product,
        source: GrantSource,
        window: GrantWindow,
    ) -> Value {
        json!({
            "member_id": member.id, "email": member.email, "name": member.name,
            "product_id": product.id, "product_name": product.name,
            "source": source.as_str(), "expires_at": window.expires_at.map(rfc3339),
            "starts_at": window.starts_at.map(rfc3339),
        })
    }

    /// A grant as it would be created now.
    pub(crate) fn new_grant(
        &self,
        member: MemberId,
        product: ProductId,
        source: GrantSource,
        window: GrantWindow,
        granted_by: Actor,
    ) -> Grant {
        Grant {
            id: GrantId::new(),
            tenant_id: self.tenant,
            member_id: member,
            product_id: product,
            source,
            granted_by,
            granted_at: self.now,
            expires_at: window.expires_at,
            revoked_at: None,
            revoked_by: None,
            starts_at: window.starts_at,
        }
    }

    pub(crate) fn audit(&self, action: &str, subject: impl ToString, details: Value) -> Result<()> {
        self.tx
            .append_audit(&self.audit_entry(action, subject, details))
    }

    /// The audit entry [`Op::audit`] appends, for a batch.
    pub(crate) fn audit_entry(
        &self,
        action: &str,
        subject: impl ToString,
        details: Value,
    ) -> AuditEntry {
        AuditEntry {
            id: AuditId::new(),
            tenant_id: self.tenant,
            at: self.now,
            actor: self.actor,
            action: action.to_owned(),
            subject: subject.to_string(),
            details,
        }
    }

    pub(crate) fn emit(&self, kind: &str, payload: Value) -> Result<()> {
        match self.event(kind, payload) {
            Some(event) => self.tx.append_event(&event),
            None => Ok(()),
        }
    }

    /// The outbox event [`Op::emit`] appends, for a batch; `None` for an `email`-channel event
    /// when the caller asked not to notify.
    pub(crate) fn event(&self, kind: &str, payload: Value) -> Option<OutboxEvent> {
        let channel = event_kind::channel(kind);
        if !self.notify && channel == Channel::Email {
            return None;
        }
        Some(OutboxEvent {
            id: EventId::new(),
            tenant_id: self.tenant,
            kind: kind.to_owned(),
            channel,
            payload,
            created_at: self.now,
            delivered_at: None,
        })
    }
}

pub(crate) fn invite_payload(invite: &Invite) -> Value {
    json!({
        "invite_id": invite.id, "email": invite.email, "name": invite.name,
        "role": invite.role.key(), "workspace_id": invite.workspace, "products": invite.products,
        "expires_at": rfc3339(invite.expires_at), "message": invite.message,
    })
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}
