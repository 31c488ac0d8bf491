//! Bulk calls: many rows in one round trip, for imports (and any store on a network).

use super::Tx;
use crate::error::Result;
use crate::ids::*;
use crate::model::*;
use crate::token::TokenDigest;

/// New and changed rows of one tenant to write together with [`Tx::apply`]. The core fills
/// it; a store writes it in the order of the fields, so every row refers only to rows before
/// it.
#[derive(Debug, Clone)]
pub struct Changes {
    /// The tenant every row belongs to (a sharded store routes the whole batch by it).
    pub tenant: TenantId,
    /// Members to insert.
    pub new_members: Vec<Member>,
    /// Members to replace.
    pub updated_members: Vec<Member>,
    /// Role assignments to set (replacing the member's role in that scope).
    pub roles: Vec<RoleAssignment>,
    /// Password hashes to set.
    pub credentials: Vec<(MemberId, Credential)>,
    /// Grants to insert.
    pub new_grants: Vec<Grant>,
    /// Grants to replace.
    pub updated_grants: Vec<Grant>,
    /// Invites to insert, with the digest of each token.
    pub new_invites: Vec<(Invite, TokenDigest)>,
    /// Invites to replace (their token stays).
    pub updated_invites: Vec<Invite>,
    /// Audit entries to append.
    pub audit: Vec<AuditEntry>,
    /// Outbox events to append.
    pub events: Vec<OutboxEvent>,
}

impl Changes {
    /// An empty batch for `tenant`.
    pub fn new(tenant: TenantId) -> Self {
        Self {
            tenant,
            new_members: Vec::new(),
            updated_members: Vec::new(),
            roles: Vec::new(),
            credentials: Vec::new(),
            new_grants: Vec::new(),
            updated_grants: Vec::new(),
            new_invites: Vec::new(),
            updated_invites: Vec::new(),
            audit: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.new_members.is_empty()
            && self.updated_members.is_empty()
            && self.roles.is_empty()
            && self.credentials.is_empty()
            && self.new_grants.is_empty()
            && self.updated_grants.is_empty()
            && self.new_invites.is_empty()
            && self.updated_invites.is_empty()
            && self.audit.is_empty()
            && self.events.is_empty()
    }

    /// Writes every row with the single-row calls of `tx`, in order: what [`Tx::apply`] does
    /// unless a store has a bulk path.
    pub fn apply_one_by_one<T: Tx + ?Sized>(&self, tx: &T) -> Result<()> {
        for m in &self.new_members {
            tx.insert_member(m)?;
        }
        for m in &self.updated_members {
            tx.update_member(m)?;
        }
        for a in &self.roles {
            tx.set_role(self.tenant, a.member_id, a.workspace, a.role)?;
        }
        for (member, cred) in &self.credentials {
            tx.set_credential(self.tenant, *member, cred)?;
        }
        for g in &self.new_grants {
            tx.insert_grant(g)?;
        }
        for g in &self.updated_grants {
            tx.update_grant(g)?;
        }
        for (i, digest) in &self.new_invites {
            tx.insert_invite(i, digest)?;
        }
        for i in &self.updated_invites {
            tx.update_invite(i, None)?;
        }
        for e in &self.audit {
            tx.append_audit(e)?;
        }
        for e in &self.events {
            tx.append_event(e)?;
        }
        Ok(())
    }
}

/// What an import needs to know about the people in its file, fetched in one call
/// ([`Tx::import_facts`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportFacts {
    /// Members with one of the email keys or external ids asked for.
    pub members: Vec<Member>,
    /// Every role assignment of those members.
    pub assignments: Vec<RoleAssignment>,
    /// Every open (unrevoked) grant of those members.
    pub open_grants: Vec<Grant>,
    /// Invites stored `pending` for one of the email keys asked for.
    pub pending_invites: Vec<Invite>,
}

impl ImportFacts {
    /// Fetches the facts with single-row calls: what [`Tx::import_facts`] does unless a store
    /// has a bulk path.
    pub fn fetch_one_by_one<T: Tx + ?Sized>(
        tx: &T,
        tenant: TenantId,
        email_keys: &[&str],
        external_ids: &[&str],
    ) -> Result<Self> {
        let mut facts = ImportFacts::default();
        let mut seen = std::collections::HashSet::new();
        for key in email_keys {
            if let Some(m) = tx.member_by_email_key(tenant, key)? {
                if seen.insert(m.id) {
                    facts.members.push(m);
                }
            }
            if let Some(i) = tx.pending_invite(tenant, key)? {
                facts.pending_invites.push(i);
            }
        }
        for x in external_ids {
            if let Some(m) = tx.member_by_external_id(tenant, x)? {
                if seen.insert(m.id) {
                    facts.members.push(m);
                }
            }
        }
        for m in &facts.members {
            facts.assignments.extend(tx.assignments(tenant, m.id)?);
            facts.open_grants.extend(tx.open_grants(tenant, m.id)?);
        }
        Ok(facts)
    }
}
