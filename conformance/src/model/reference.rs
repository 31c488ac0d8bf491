//! The reference model: what memberkit should answer, written as plainly as possible from the
//! documented rules, with no code shared with the core. Ids and tokens are memberkit's own,
//! copied in after each call that creates them.

use super::step::*;
use memberkit::time::{Duration, OffsetDateTime};
use memberkit::{ErrorCode, InviteId, InviteStatus, MemberId, MemberStatus, Permission};
use std::collections::BTreeMap;

/// A built-in or custom role, as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelRole {
    Admin,
    Member,
    Customer,
    /// One of the tenant's two custom roles.
    Custom(usize),
}

impl ModelRole {
    pub fn from_index(i: usize) -> Self {
        match i {
            0 => ModelRole::Admin,
            1 => ModelRole::Member,
            2 => ModelRole::Customer,
            n => ModelRole::Custom(n - 3),
        }
    }

    /// The permissions of the custom roles every tenant in the model has.
    pub const CUSTOM: [&'static [Permission]; 2] = [
        &[Permission::CUSTOMERS_MANAGE, Permission::PRICING],
        &[Permission::IMPERSONATE],
    ];

    pub fn holds(self, p: &Permission) -> bool {
        match self {
            ModelRole::Admin => true,
            ModelRole::Member => ![
                Permission::PRICING,
                Permission::PAYMENT,
                Permission::USERS_MANAGE,
            ]
            .contains(p),
            ModelRole::Customer => false,
            ModelRole::Custom(i) => Self::CUSTOM[i].contains(p),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModelMember {
    pub id: Option<MemberId>,
    pub status: MemberStatus,
    pub role: Option<ModelRole>,
}

#[derive(Debug, Clone)]
pub struct ModelInvite {
    pub id: Option<InviteId>,
    pub e: usize,
    pub products: Vec<usize>,
    pub expires_at: OffsetDateTime,
    /// Stored status: pending, accepted or revoked.
    pub stored: InviteStatus,
    pub token: String,
    /// Tokens this invite had before a resend or merge: dead.
    pub stale: Vec<String>,
    /// Deleted with its member.
    pub deleted: bool,
}

impl ModelInvite {
    pub fn status_at(&self, now: OffsetDateTime) -> InviteStatus {
        match self.stored {
            InviteStatus::Pending if now >= self.expires_at => InviteStatus::Expired,
            s => s,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ModelTenant {
    pub members: BTreeMap<usize, ModelMember>,
    /// The last id each email had in this tenant (a removed member's id stays here).
    pub last_ids: BTreeMap<usize, MemberId>,
    /// Open (unrevoked) grants: (email, product) -> expiry.
    pub grants: BTreeMap<(usize, usize), Option<OffsetDateTime>>,
    pub archived: [bool; PRODUCTS],
    pub invites: Vec<ModelInvite>,
}

/// Where the model asks memberkit for something only memberkit can make (an id or a token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    Nothing,
    /// The token of the invite at this index.
    InviteToken(usize),
}

pub const INVITE_LIFETIME: Duration = Duration::days(7);

impl ModelTenant {
    pub fn invite_index(&self, k: usize) -> Option<usize> {
        (!self.invites.is_empty()).then(|| k % self.invites.len())
    }

    pub fn has_access(&self, e: usize, p: usize, now: OffsetDateTime) -> bool {
        let Some(m) = self.members.get(&e) else {
            return false;
        };
        if m.status != MemberStatus::Active {
            return false;
        }
        if p >= PAID {
            return !self.archived[p];
        }
        self.active_grant(e, p, now)
    }

    pub fn active_grant(&self, e: usize, p: usize, now: OffsetDateTime) -> bool {
        matches!(self.grants.get(&(e, p)), Some(None))
            || matches!(self.grants.get(&(e, p)), Some(Some(at)) if now < *at)
    }

    pub fn can(&self, e: usize, p: &Permission) -> bool {
        self.members
            .get(&e)
            .is_some_and(|m| m.status == MemberStatus::Active && m.role.is_some_and(|r| r.holds(p)))
    }

    fn grantable(&self, products: &[usize]) -> Result<(), ErrorCode> {
        match products.iter().any(|&p| p >= PAID || self.archived[p]) {
            true => Err(ErrorCode::InvalidInput),
            false => Ok(()),
        }
    }

    /// The last active admin may not be demoted, deactivated or removed.
    fn guard_last_admin(&self, e: usize) -> Result<(), ErrorCode> {
        let m = &self.members[&e];
        let admins = self
            .members
            .values()
            .filter(|m| m.status == MemberStatus::Active && m.role == Some(ModelRole::Admin))
            .count();
        if m.role == Some(ModelRole::Admin) && m.status == MemberStatus::Active && admins <= 1 {
            return Err(ErrorCode::Conflict);
        }
        Ok(())
    }

    fn known(&self, e: usize) -> Result<(), ErrorCode> {
        match self.members.contains_key(&e) {
            true => Ok(()),
            false => Err(ErrorCode::NotFound),
        }
    }

    /// Adds a person now, as `add_customer` and a grant-mode import do.
    fn add_now(&mut self, e: usize) {
        let m = self.members.entry(e).or_insert(ModelMember {
            id: None,
            status: MemberStatus::Active,
            role: Some(ModelRole::Customer),
        });
        if m.status == MemberStatus::Invited {
            m.status = MemberStatus::Active;
            m.role.get_or_insert(ModelRole::Customer);
        }
    }

    /// The invite an owner acts on (resend, revoke): `None` when the tenant has none,
    /// `not_found` once deleted, `invite_used` once accepted.
    fn live_invite(&self, k: usize) -> Result<Option<usize>, ErrorCode> {
        let Some(index) = self.invite_index(k) else {
            return Ok(None);
        };
        match &self.invites[index] {
            i if i.deleted => Err(ErrorCode::NotFound),
            i if i.stored == InviteStatus::Accepted => Err(ErrorCode::InviteUsed),
            _ => Ok(Some(index)),
        }
    }

    fn pending_invite(&self, e: usize) -> Option<usize> {
        self.invites
            .iter()
            .position(|i| i.e == e && !i.deleted && i.stored == InviteStatus::Pending)
    }

    /// Accepting or claiming: the member becomes active with at least the customer role and
    /// the products the invite carried that are still grantable, with no end.
    fn accept(&mut self, index: usize, now: OffsetDateTime) -> Result<(), ErrorCode> {
        let invite = &self.invites[index];
        match invite.status_at(now) {
            InviteStatus::Accepted => return Err(ErrorCode::InviteUsed),
            InviteStatus::Revoked | InviteStatus::Declined => return Err(ErrorCode::InviteRevoked),
            InviteStatus::Expired => return Err(ErrorCode::InviteExpired),
            InviteStatus::Pending => {}
        }
        let e = invite.e;
        if self
            .members
            .get(&e)
            .is_some_and(|m| m.status == MemberStatus::Deactivated)
        {
            return Err(ErrorCode::MemberDeactivated);
        }
        let m = self.members.entry(e).or_insert(ModelMember {
            id: None,
            status: MemberStatus::Active,
            role: None,
        });
        m.status = MemberStatus::Active;
        m.role.get_or_insert(ModelRole::Customer);
        for p in invite.products.clone() {
            if !self.archived[p] {
                self.grants.insert((e, p), None);
            }
        }
        self.invites[index].stored = InviteStatus::Accepted;
        Ok(())
    }

    /// Applies `step` (which acts in this tenant) at `now`: the error memberkit must give, or
    /// the change it must make.
    pub fn apply(&mut self, step: &Step, now: OffsetDateTime) -> Result<Capture, ErrorCode> {
        let expiry = |hours: &Option<u8>| hours.map(|h| now + Duration::hours(h.into()));
        match step {
            Step::Add {
                e, products, hours, ..
            } => {
                self.grantable(products)?;
                if self
                    .members
                    .get(e)
                    .is_some_and(|m| m.status == MemberStatus::Deactivated)
                {
                    return Err(ErrorCode::MemberDeactivated);
                }
                self.add_now(*e);
                for &p in products {
                    self.grants.insert((*e, p), expiry(hours));
                }
            }
            Step::Grant { e, p, hours, .. } => {
                self.known(*e)?;
                if self.members[e].status == MemberStatus::Deactivated {
                    return Err(ErrorCode::MemberDeactivated);
                }
                self.grantable(&[*p])?;
                self.grants.insert((*e, *p), expiry(hours));
            }
            Step::Revoke { e, p, .. } => {
                self.known(*e)?;
                self.grants.remove(&(*e, *p));
            }
            Step::Deactivate { e, .. } => {
                self.known(*e)?;
                if self.members[e].status != MemberStatus::Deactivated {
                    self.guard_last_admin(*e)?;
                    self.members.get_mut(e).unwrap().status = MemberStatus::Deactivated;
                }
            }
            Step::Reactivate { e, .. } => {
                self.known(*e)?;
                let m = self.members.get_mut(e).unwrap();
                match m.status {
                    MemberStatus::Invited => return Err(ErrorCode::Conflict),
                    _ => m.status = MemberStatus::Active,
                }
            }
            Step::Remove { e, .. } => {
                self.known(*e)?;
                self.guard_last_admin(*e)?;
                self.remove(*e);
                for i in self.invites.iter_mut() {
                    if i.e == *e && i.stored == InviteStatus::Pending {
                        i.deleted = true;
                    }
                }
            }
            Step::Invite { e, products, .. } => {
                self.grantable(products)?;
                match self.members.get(e).map(|m| m.status) {
                    Some(MemberStatus::Active) => return Err(ErrorCode::Conflict),
                    Some(MemberStatus::Deactivated) => return Err(ErrorCode::MemberDeactivated),
                    Some(MemberStatus::Invited) => {}
                    None => {
                        self.members.insert(
                            *e,
                            ModelMember {
                                id: None,
                                status: MemberStatus::Invited,
                                role: None,
                            },
                        );
                    }
                }
                let expires_at = now + INVITE_LIFETIME;
                return Ok(match self.pending_invite(*e) {
                    Some(index) => {
                        let invite = &mut self.invites[index];
                        for &p in products {
                            if !invite.products.contains(&p) {
                                invite.products.push(p);
                            }
                        }
                        invite.expires_at = expires_at;
                        let old = std::mem::take(&mut invite.token);
                        invite.stale.push(old);
                        Capture::InviteToken(index)
                    }
                    None => {
                        self.invites.push(ModelInvite {
                            id: None,
                            e: *e,
                            products: products.clone(),
                            expires_at,
                            stored: InviteStatus::Pending,
                            token: String::new(),
                            stale: Vec::new(),
                            deleted: false,
                        });
                        Capture::InviteToken(self.invites.len() - 1)
                    }
                });
            }
            Step::Accept { k, stale, .. } => {
                let Some(index) = self.invite_index(*k) else {
                    return Ok(Capture::Nothing);
                };
                if self.invites[index].deleted || (*stale && !self.invites[index].stale.is_empty())
                {
                    return Err(ErrorCode::NotFound);
                }
                self.accept(index, now)?;
            }
            Step::Claim { e, .. } => {
                // An expired invite is not pending: a sign-up claims nothing from it.
                if let Some(index) = self.pending_invite(*e) {
                    if self.invites[index].status_at(now) == InviteStatus::Pending {
                        self.accept(index, now)?;
                    }
                }
            }
            Step::Resend { k, .. } => {
                let Some(index) = self.live_invite(*k)? else {
                    return Ok(Capture::Nothing);
                };
                let invite = &mut self.invites[index];
                if matches!(
                    invite.stored,
                    InviteStatus::Revoked | InviteStatus::Declined
                ) {
                    return Err(ErrorCode::InviteRevoked);
                }
                invite.expires_at = now + INVITE_LIFETIME;
                let old = std::mem::take(&mut invite.token);
                invite.stale.push(old);
                return Ok(Capture::InviteToken(index));
            }
            Step::RevokeInvite { k, .. } => {
                let Some(index) = self.live_invite(*k)? else {
                    return Ok(Capture::Nothing);
                };
                let invite = &mut self.invites[index];
                if matches!(
                    invite.stored,
                    InviteStatus::Revoked | InviteStatus::Declined
                ) {
                    return Ok(Capture::Nothing);
                }
                invite.stored = InviteStatus::Revoked;
                let e = invite.e;
                self.forget_invited(e);
            }
            Step::Decline { k, .. } => {
                let Some(index) = self.invite_index(*k) else {
                    return Ok(Capture::Nothing);
                };
                // The link of an invite deleted with its member is unknown.
                if self.invites[index].deleted {
                    return Err(ErrorCode::NotFound);
                }
                match self.invites[index].status_at(now) {
                    InviteStatus::Accepted => return Err(ErrorCode::InviteUsed),
                    InviteStatus::Revoked | InviteStatus::Declined => {
                        return Err(ErrorCode::InviteRevoked)
                    }
                    InviteStatus::Expired => return Err(ErrorCode::InviteExpired),
                    InviteStatus::Pending => {}
                }
                self.invites[index].stored = InviteStatus::Declined;
                let e = self.invites[index].e;
                self.forget_invited(e);
            }
            Step::Archive { p, .. } => self.archived[*p] = true,
            Step::Assign { e, role, .. } => {
                self.known(*e)?;
                let role = ModelRole::from_index(*role);
                if role != ModelRole::Admin {
                    self.guard_last_admin(*e)?;
                }
                self.members.get_mut(e).unwrap().role = Some(role);
            }
            Step::Import {
                emails, products, ..
            } => {
                self.grantable(products)?;
                // A deactivated person makes the row invalid, and an import without
                // `skip_invalid` then changes nothing.
                if emails.iter().any(|e| {
                    self.members
                        .get(e)
                        .is_some_and(|m| m.status == MemberStatus::Deactivated)
                }) {
                    return Ok(Capture::Nothing);
                }
                for &e in emails {
                    self.add_now(e);
                    for &p in products {
                        self.grants.insert((e, p), None);
                    }
                }
            }
            Step::Advance { .. } | Step::Foreign { .. } => {}
        }
        Ok(Capture::Nothing)
    }

    /// An invited person with no grants goes with their revoked or declined invite.
    fn forget_invited(&mut self, e: usize) {
        let no_grants = !self.grants.keys().any(|&(g, _)| g == e);
        if self
            .members
            .get(&e)
            .is_some_and(|m| m.status == MemberStatus::Invited)
            && no_grants
        {
            self.remove(e);
        }
    }

    fn remove(&mut self, e: usize) {
        self.members.remove(&e);
        self.grants.retain(|&(g, _), _| g != e);
    }
}
