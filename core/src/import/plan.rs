//! Deciding what an import writes: every row is planned in memory against facts fetched in
//! one call, and the whole batch is written with one [`Tx::apply`](crate::store::Tx::apply).

use super::parse::ValidRow;
use super::{ImportMode, ImportOptions, ImportOutcome, ImportRow, PlainAndHash};
use crate::error::Result;
use crate::event_kind;
use crate::ids::*;
use crate::model::*;
use crate::op::{invite_payload, Op};
use crate::password;
use crate::policy::access::{grant_change, GrantChange};
use crate::policy::members::{self, Person};
use crate::policy::seats::{fills_tenant_seat, fills_workspace_seat, Capped};
use crate::store::{Changes, ImportFacts};
use crate::token::InviteToken;
use serde_json::json;
use std::collections::HashMap;
use time::OffsetDateTime;

/// What stays the same for every row of one import.
pub(super) struct Batch<'a> {
    pub(super) options: &'a ImportOptions,
    pub(super) products: &'a [Product],
    pub(super) passwords: &'a HashMap<String, PlainAndHash>,
    pub(super) rehearse: bool,
    pub(super) invite_expires_at: OffsetDateTime,
}

/// The tenant's rows as the import has changed them so far, and the writes that got them
/// there. Rows are planned in file order, each seeing what earlier rows did.
pub(super) struct Plan<'a> {
    op: &'a Op<'a>,
    batch: &'a Batch<'a>,
    members: HashMap<MemberId, Member>,
    by_key: HashMap<String, MemberId>,
    by_external: HashMap<String, MemberId>,
    roles: HashMap<MemberId, Vec<RoleAssignment>>,
    grants: HashMap<(MemberId, ProductId), Grant>,
    pending: HashMap<String, Invite>,
    created: Vec<MemberId>,
    updated: Vec<MemberId>,
    updated_invites: Vec<InviteId>,
    changes: Changes,
    /// The seat caps that apply, each with how many seats the rows planned so far filled.
    caps: Vec<(Capped, usize)>,
    /// The first cap a row could not be seated under.
    full: Option<Capped>,
}

impl<'a> Plan<'a> {
    pub(super) fn new(
        op: &'a Op<'a>,
        batch: &'a Batch<'a>,
        facts: ImportFacts,
        caps: Vec<Capped>,
    ) -> Self {
        let mut plan = Plan {
            op,
            batch,
            members: HashMap::with_capacity(facts.members.len()),
            by_key: HashMap::new(),
            by_external: HashMap::new(),
            roles: HashMap::new(),
            grants: HashMap::new(),
            pending: HashMap::new(),
            created: Vec::new(),
            updated: Vec::new(),
            updated_invites: Vec::new(),
            changes: Changes::new(op.tenant),
            caps: caps.into_iter().map(|c| (c, 0)).collect(),
            full: None,
        };
        for m in facts.members {
            plan.index(&m);
            plan.members.insert(m.id, m);
        }
        for a in facts.assignments {
            plan.roles.entry(a.member_id).or_default().push(a);
        }
        for g in facts.open_grants {
            plan.grants.insert((g.member_id, g.product_id), g);
        }
        for i in facts.pending_invites {
            plan.pending.insert(i.email_key.clone(), i);
        }
        plan
    }

    /// The first seat cap a row did not fit under, if any.
    pub(super) fn full(&self) -> Option<Capped> {
        self.full
    }

    /// The writes, each row once in its final state.
    pub(super) fn finish(mut self) -> Changes {
        let members = &mut self.members;
        self.changes.new_members = self
            .created
            .iter()
            .filter_map(|id| members.remove(id))
            .collect();
        self.changes.updated_members = self
            .updated
            .iter()
            .filter_map(|id| members.remove(id))
            .collect();
        let mut invites: HashMap<InviteId, Invite> =
            self.pending.into_values().map(|i| (i.id, i)).collect();
        self.changes.updated_invites = self
            .updated_invites
            .iter()
            .filter_map(|id| invites.remove(id))
            .collect();
        self.changes
    }

    /// An audit entry written after every row.
    pub(super) fn audit(
        &mut self,
        action: &str,
        subject: impl ToString,
        details: serde_json::Value,
    ) {
        let entry = self.op.audit_entry(action, subject, details);
        self.changes.audit.push(entry);
    }

    fn index(&mut self, m: &Member) {
        self.by_key.insert(m.email_key.clone(), m.id);
        if let Some(x) = &m.external_id {
            self.by_external.insert(x.clone(), m.id);
        }
    }

    fn find(&self, v: &ValidRow) -> Result<Option<Member>, members::Refusal> {
        let get = |id: Option<&MemberId>| id.and_then(|id| self.members.get(id)).cloned();
        let by_email = get(self.by_key.get(&v.email.key));
        let by_external = get(v.external_id.as_ref().and_then(|x| self.by_external.get(x)));
        members::matching(by_email, by_external)
    }

    /// Plans one row: sets its outcome and returns whether it changed anything.
    pub(super) fn row(&mut self, v: &ValidRow, row: &mut ImportRow) -> Result<bool> {
        let options = self.batch.options;
        let person = Person {
            email: &v.email,
            name: v.name.as_deref(),
            external_id: v.external_id.as_deref(),
        };
        // Grant and password modes add people now, as `add_customer` does: an invited member
        // becomes active. Invite mode leaves them invited (their invite gets the products).
        let activate = options.mode != ImportMode::Invite;
        let found = self.find(v).and_then(|found| match found {
            Some(mut m) => {
                let before = m.clone();
                let changed = members::reuse(&mut m, person, activate, self.op.now)?;
                Ok(Some((m, before, !changed.is_empty())))
            }
            None => Ok(None),
        });
        let seated = match &found {
            Ok(Some((m, before, _))) => self.take_seats(Some(before), m.status),
            Ok(None) => self.take_seats(None, MemberStatus::Active),
            Err(_) => Ok(()),
        };
        if let Err(cap) = seated {
            row.outcome = ImportOutcome::SeatLimit;
            row.reason = Some(cap.error().to_string());
            self.full.get_or_insert(cap);
            return Ok(false);
        }
        let member = match found {
            Err(refusal) => {
                row.outcome = ImportOutcome::Invalid;
                row.reason = Some(refusal.reason());
                return Ok(false);
            }
            Ok(Some((m, before, changed))) => {
                row.outcome = if changed {
                    ImportOutcome::Updated
                } else {
                    ImportOutcome::Existing
                };
                if changed {
                    self.by_key.remove(&before.email_key);
                    if let Some(x) = &before.external_id {
                        self.by_external.remove(x);
                    }
                    self.index(&m);
                    if !self.updated.contains(&m.id) {
                        self.updated.push(m.id);
                    }
                    self.members.insert(m.id, m.clone());
                }
                m
            }
            Ok(None) => match self.create(v, row)? {
                Some(m) => m,
                None => return Ok(true), // invite mode: the invite is the whole row
            },
        };
        row.member_id = Some(member.id);
        let mut changed = matches!(row.outcome, ImportOutcome::Created | ImportOutcome::Updated);
        if member.status == MemberStatus::Invited && options.mode == ImportMode::Invite {
            // Still invited: the new products ride on their pending invite (same link, no email).
            return Ok(self.add_to_pending_invite(&member) || changed);
        }
        changed |= self.place(&member);
        let mut granted = Vec::new();
        for p in self.batch.products {
            if self.grant(&member, p) {
                granted.push(p.id);
            }
        }
        changed |= !granted.is_empty();
        if changed {
            self.audit_row(&member, row.outcome, &granted, None);
        }
        Ok(changed)
    }

    /// Takes the seats a row fills: `before` is the member as stored (`None` for a new one) and
    /// `status` their status after the row. Takes nothing and names the full cap when any cap
    /// has no room left.
    fn take_seats(&mut self, before: Option<&Member>, status: MemberStatus) -> Result<(), Capped> {
        // Without a cap there is nothing to count: the import loop stays as it was.
        if self.caps.is_empty() {
            return Ok(());
        }
        let now = self.op.now;
        let workspace = self.batch.options.workspace;
        let active_after = status == MemberStatus::Active;
        let (tenant_fills, workspace_fills) = match before {
            // A new member is active or holds a live invite, into the workspace if any.
            None => (true, true),
            Some(m) => {
                let invite = self
                    .pending
                    .get(&m.email_key)
                    .filter(|i| i.expires_at > now);
                let active = m.status == MemberStatus::Active;
                let role_there = |ws| {
                    self.roles
                        .get(&m.id)
                        .is_some_and(|held| held.iter().any(|a| a.workspace == Some(ws)))
                };
                let invite_there = |ws| invite.is_some_and(|i| i.workspace == Some(ws));
                let tenant = !fills_tenant_seat(active, invite.is_some())
                    && fills_tenant_seat(active_after, invite.is_some());
                // An active member is placed in the import's workspace; an invited one stays
                // where their invite takes them.
                let ws = workspace.is_some_and(|ws| {
                    !fills_workspace_seat(active, role_there(ws), invite_there(ws))
                        && fills_workspace_seat(active_after, active_after, invite_there(ws))
                });
                (tenant, ws)
            }
        };
        let wants = |cap: &Capped| match cap.workspace {
            None => tenant_fills,
            Some(_) => workspace_fills,
        };
        if let Some((cap, _)) = self
            .caps
            .iter()
            .find(|(cap, used)| wants(cap) && *used >= cap.free())
        {
            return Err(*cap);
        }
        for (cap, used) in &mut self.caps {
            if wants(cap) {
                *used += 1;
            }
        }
        Ok(())
    }

    /// A new member for the row; in invite mode with their invite (returns `None`: nothing
    /// else applies to the row).
    fn create(&mut self, v: &ValidRow, row: &mut ImportRow) -> Result<Option<Member>> {
        let options = self.batch.options;
        let status = match options.mode {
            ImportMode::Invite => MemberStatus::Invited,
            ImportMode::Grant | ImportMode::TemporaryPassword => MemberStatus::Active,
        };
        let m = self
            .op
            .new_member(&v.email, v.name.clone(), v.external_id.clone(), status);
        self.index(&m);
        self.members.insert(m.id, m.clone());
        self.created.push(m.id);
        row.outcome = ImportOutcome::Created;
        row.member_id = Some(m.id);
        match options.mode {
            ImportMode::Invite => {
                let invite = self.invite_new(&m, row)?;
                self.audit_row(&m, ImportOutcome::Created, &[], Some(invite));
                return Ok(None);
            }
            ImportMode::Grant => {}
            ImportMode::TemporaryPassword => {
                let (plain, hash) = match self.batch.passwords.get(&v.email.key) {
                    Some(p) => p.clone(),
                    None if self.batch.rehearse => (String::new(), String::new()),
                    // New since the passwords were hashed: hash this one now.
                    None => {
                        let plain = password::temporary()?;
                        let hash = password::hash(&plain)?;
                        (plain, hash)
                    }
                };
                let cred = Credential {
                    password_hash: hash,
                    must_change: true,
                    updated_at: self.op.now,
                };
                self.changes.credentials.push((m.id, cred));
                row.temporary_password = Some(password::Password::new(plain));
            }
        }
        Ok(Some(m))
    }

    /// One audit entry per imported row: what happened to the member and what they were
    /// granted (grants made by an import are not audited one by one).
    fn audit_row(
        &mut self,
        member: &Member,
        outcome: ImportOutcome,
        granted: &[ProductId],
        invite: Option<InviteId>,
    ) {
        let action = match outcome {
            ImportOutcome::Created => "member.created",
            ImportOutcome::Updated => "member.updated",
            _ => event_kind::ACCESS_GRANTED,
        };
        let options = self.batch.options;
        self.audit(
            action,
            member.id,
            json!({
                "email": member.email, "via": "import", "mode": options.mode.as_str(),
                "granted": granted, "invite_id": invite,
            }),
        );
    }

    /// Gives a member the import's role (tenant-wide, or in the workspace) unless they hold
    /// one. Returns whether anything was assigned.
    fn place(&mut self, member: &Member) -> bool {
        let options = self.batch.options;
        let held = self.roles.entry(member.id).or_default();
        let mut wanted = Vec::new();
        if let Some(ws) = options.workspace {
            if !held.iter().any(|a| a.workspace == Some(ws)) {
                wanted.push((Some(ws), options.role));
            }
        }
        if !held.iter().any(|a| a.workspace.is_none()) {
            let role = match options.workspace {
                Some(_) => Role::Customer,
                None => options.role,
            };
            wanted.push((None, role));
        }
        for (workspace, role) in &wanted {
            let a = RoleAssignment {
                member_id: member.id,
                role: *role,
                workspace: *workspace,
            };
            held.push(a);
            self.changes.roles.push(a);
        }
        !wanted.is_empty()
    }

    /// Grants a product unless an identical active grant exists; returns whether it did.
    fn grant(&mut self, member: &Member, product: &Product) -> bool {
        let op = self.op;
        let window = GrantWindow::default();
        let wanted = op.new_grant(member.id, product.id, GrantSource::Import, window, op.actor);
        let key = (member.id, product.id);
        let grant = match grant_change(self.grants.get(&key), wanted) {
            GrantChange::Unchanged => return false,
            GrantChange::Renewed(g) => {
                self.changes.updated_grants.push(g.clone());
                g
            }
            GrantChange::New(g) => {
                self.changes.new_grants.push(g.clone());
                g
            }
        };
        let payload = op.grant_payload(member, product, GrantSource::Import, window);
        self.changes
            .events
            .extend(op.event(event_kind::ACCESS_GRANTED, payload));
        self.grants.insert(key, grant);
        true
    }

    fn add_to_pending_invite(&mut self, member: &Member) -> bool {
        let Some(invite) = self.pending.get_mut(&member.email_key) else {
            return false;
        };
        let before = invite.products.len();
        for p in self.batch.products {
            if !invite.products.contains(&p.id) {
                invite.products.push(p.id);
            }
        }
        if invite.products.len() == before {
            return false;
        }
        let (id, payload) = (invite.id, invite_payload(invite));
        if !self.updated_invites.contains(&id) {
            self.updated_invites.push(id);
        }
        self.audit("invite.updated", id, payload);
        true
    }

    fn invite_new(&mut self, member: &Member, row: &mut ImportRow) -> Result<InviteId> {
        let batch = self.batch;
        // A dry run needs no secret, only a distinct digest for the unique index.
        let token = InviteToken::generate()?;
        let invite = self.op.new_invite(
            member,
            member.name.clone(),
            batch.options.role,
            batch.options.workspace,
            batch.products.iter().map(|p| p.id).collect(),
            batch.invite_expires_at,
        );
        // The row's one audit entry (member.created) names the invite; no second entry per row.
        let event = self
            .op
            .event(event_kind::INVITE_CREATED, invite_payload(&invite));
        self.changes.events.extend(event);
        let id = invite.id;
        self.changes.new_invites.push((invite, token.digest()));
        if !batch.rehearse {
            row.invite_token = Some(token);
        }
        Ok(id)
    }
}
