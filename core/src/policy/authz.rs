//! Authorisation: who may do what, in one place. Every operation that checks an actor calls
//! one of the `Op::require…` methods below; the rules themselves are pure functions of
//! [`Rights`], so they are tested without a store.
//!
//! The rules:
//! - an actor needs the permission an operation names, tenant-wide or in its workspace;
//! - handing out a role needs the permission to assign it and every permission it carries;
//! - acting on another member (role, workspace, deactivate, reactivate, remove, password,
//!   impersonate, their invites) needs every permission that member holds, compared scope by
//!   scope (tenant-wide rights against tenant-wide rights, a workspace's against that
//!   workspace's), plus `users.manage` when that member is on the team (holds any role other
//!   than customer) and `customers.manage` otherwise. Nobody acts above their rank.

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::op::Op;
use crate::permission::{Permission, PermissionSet};
use crate::store::{HeldRole, Tx};

/// Where a permission is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Tenant-wide roles only.
    Tenant,
    /// Tenant-wide roles and the roles in this workspace.
    Workspace(WorkspaceId),
}

impl Scope {
    pub(crate) fn of(workspace: Option<WorkspaceId>) -> Self {
        workspace.map_or(Scope::Tenant, Scope::Workspace)
    }
}

/// Everything a member may do, per scope: the facts every rank rule is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rights {
    /// The union of the tenant-wide roles.
    tenant: PermissionSet,
    /// The role held in each workspace the member belongs to (without the tenant-wide part).
    workspaces: Vec<(WorkspaceId, PermissionSet)>,
    /// The tenant-wide role, if any.
    pub(crate) tenant_role: Option<Role>,
    /// Holds a role other than `customer` somewhere: managed with `users.manage`.
    pub(crate) team: bool,
}

impl Rights {
    /// The host: every permission everywhere.
    pub(crate) fn everything() -> Self {
        Rights {
            tenant: PermissionSet::All,
            workspaces: Vec::new(),
            tenant_role: Some(Role::Admin),
            team: true,
        }
    }

    /// No permission anywhere (an unknown, invited or deactivated actor).
    pub(crate) fn nothing() -> Self {
        Rights {
            tenant: PermissionSet::none(),
            workspaces: Vec::new(),
            tenant_role: None,
            team: false,
        }
    }

    /// Reads a member's roles (their status is not considered here).
    pub(crate) fn of(tx: &dyn Tx, tenant: TenantId, member: MemberId) -> Result<Self> {
        Self::from_held(&crate::store::held_roles(tx, tenant, member)?)
    }

    /// The rights a member's roles give; a custom role that is gone is `not_found`.
    pub(crate) fn from_held(roles: &[HeldRole]) -> Result<Self> {
        let mut rights = Rights::nothing();
        for held in roles {
            let a = &held.assignment;
            let set = match (
                a.role.built_in_permissions(),
                a.role,
                &held.custom_permissions,
            ) {
                (Some(set), _, _) => set,
                (None, Role::Custom(_), Some(perms)) => {
                    PermissionSet::Only(perms.iter().cloned().collect())
                }
                (None, Role::Custom(id), None) => return Err(Error::not_found("role", id)),
                (None, _, _) => PermissionSet::none(),
            };
            rights.team |= a.role.is_team();
            match a.workspace {
                None => {
                    rights.tenant_role = Some(a.role);
                    rights.tenant = rights.tenant.clone().union(set);
                }
                Some(ws) => rights.workspaces.push((ws, set)),
            }
        }
        Ok(rights)
    }

    /// What the member may do in `scope` (a tenant-wide role counts in every workspace).
    pub(crate) fn in_scope(&self, scope: Scope) -> PermissionSet {
        match scope {
            Scope::Tenant => self.tenant.clone(),
            Scope::Workspace(ws) => self
                .workspaces
                .iter()
                .filter(|(w, _)| *w == ws)
                .fold(self.tenant.clone(), |acc, (_, set)| acc.union(set.clone())),
        }
    }

    /// Whether these rights cover every right `target` holds in `scope`. Tenant-wide acts
    /// (deactivate, remove, impersonate) compare the tenant-wide rights and then each
    /// workspace the target belongs to; a workspace act compares that workspace only.
    pub(crate) fn covers(&self, target: &Rights, scope: Scope) -> bool {
        let covered = |s: Scope| target.in_scope(s).is_subset_of(&self.in_scope(s));
        match scope {
            Scope::Workspace(_) => covered(scope),
            Scope::Tenant => {
                covered(Scope::Tenant)
                    && target
                        .workspaces
                        .iter()
                        .all(|(ws, _)| covered(Scope::Workspace(*ws)))
            }
        }
    }

    /// The permission needed to manage the member these rights belong to.
    pub(crate) fn manage_permission(&self) -> Permission {
        if self.team {
            Permission::USERS_MANAGE
        } else {
            Permission::CUSTOMERS_MANAGE
        }
    }
}

/// Whether `actor` may look at `target`'s account: they hold `impersonate` tenant-wide, the
/// target is not an admin, and the actor holds every right the target holds, scope by scope.
/// Checked when a session starts and again on every verify. `Err` says why not.
pub(crate) fn may_impersonate(
    actor: &Rights,
    target: &Rights,
) -> std::result::Result<(), &'static str> {
    if !actor.tenant.contains(&Permission::IMPERSONATE) {
        return Err("the actor no longer holds `impersonate`");
    }
    if target.tenant_role == Some(Role::Admin) {
        return Err("the target is an admin");
    }
    if !actor.covers(target, Scope::Tenant) {
        return Err("the target holds a permission you lack");
    }
    Ok(())
}

/// The member's tenant-wide role, if any.
pub(crate) fn tenant_role(tx: &dyn Tx, tenant: TenantId, member: MemberId) -> Result<Option<Role>> {
    Ok(tx
        .assignments(tenant, member)?
        .into_iter()
        .find(|a| a.workspace.is_none())
        .map(|a| a.role))
}

/// The permissions a role carries (custom roles are read from the tenant).
pub(crate) fn role_permissions(tx: &dyn Tx, tenant: TenantId, role: Role) -> Result<PermissionSet> {
    match (role.built_in_permissions(), role) {
        (Some(set), _) => Ok(set),
        (None, Role::Custom(id)) => {
            let custom = tx
                .custom_role(tenant, id)?
                .ok_or_else(|| Error::not_found("role", id))?;
            Ok(PermissionSet::Only(
                custom.permissions.into_iter().collect(),
            ))
        }
        (None, _) => Ok(PermissionSet::none()),
    }
}

fn denied(actor: Actor, what: impl Into<String>) -> Error {
    Error::PermissionDenied {
        actor: actor.to_string(),
        permission: what.into(),
    }
}

impl Op<'_> {
    /// Checks the actor holds `permission` tenant-wide.
    pub(crate) fn require(&self, permission: &Permission) -> Result<()> {
        self.require_in(permission, None)
    }

    /// Checks the actor holds `permission` tenant-wide or, when `workspace` is given, in that
    /// workspace. Members must be active members of this tenant.
    pub(crate) fn require_in(
        &self,
        permission: &Permission,
        workspace: Option<WorkspaceId>,
    ) -> Result<()> {
        if self
            .actor_rights()?
            .in_scope(Scope::of(workspace))
            .contains(permission)
        {
            Ok(())
        } else {
            Err(denied(self.actor, permission.to_string()))
        }
    }

    /// What the actor may do; everything for the host, nothing for an inactive or unknown
    /// member.
    pub(crate) fn actor_rights(&self) -> Result<Rights> {
        match self.actor {
            Actor::System => Ok(Rights::everything()),
            Actor::Member(id) => match self.tx.member(self.tenant, id)? {
                Some(m) if m.status == MemberStatus::Active => Rights::of(self.tx, self.tenant, id),
                _ => Ok(Rights::nothing()),
            },
        }
    }

    /// Checks the actor may hand out `role` in that scope: they hold the permission to assign
    /// it, and every permission the role carries (no one can create a role above their own).
    /// The same check guards an existing invite: merging into, resending or revoking it needs
    /// the rights to have created it.
    pub(crate) fn require_assignable(
        &self,
        role: Role,
        workspace: Option<WorkspaceId>,
    ) -> Result<()> {
        self.require_in(&role.required_to_assign(), workspace)?;
        let carried = role_permissions(self.tx, self.tenant, role)?;
        let own = self.actor_rights()?.in_scope(Scope::of(workspace));
        if carried.is_subset_of(&own) {
            Ok(())
        } else {
            Err(denied(
                self.actor,
                format!("every permission of role {role}"),
            ))
        }
    }

    /// Checks the actor may act on `target` in that scope (change their role, deactivate,
    /// reactivate, remove, set their password, move them between workspaces): the permission
    /// to manage them there, and every right they hold. The host may always.
    pub(crate) fn require_manage(
        &self,
        target: &Member,
        workspace: Option<WorkspaceId>,
    ) -> Result<()> {
        if self.actor == Actor::System {
            return Ok(());
        }
        let theirs = Rights::of(self.tx, self.tenant, target.id)?;
        self.require_in(&theirs.manage_permission(), workspace)?;
        if self.actor_rights()?.covers(&theirs, Scope::of(workspace)) {
            Ok(())
        } else {
            Err(denied(
                self.actor,
                format!("every permission {} holds", target.email),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn only(perms: &[Permission]) -> PermissionSet {
        PermissionSet::Only(perms.iter().cloned().collect::<BTreeSet<_>>())
    }

    fn rights(
        tenant: Option<Role>,
        set: PermissionSet,
        ws: &[(WorkspaceId, PermissionSet)],
    ) -> Rights {
        Rights {
            tenant: set,
            workspaces: ws.to_vec(),
            tenant_role: tenant,
            team: tenant.is_some_and(|r| r != Role::Customer) || !ws.is_empty(),
        }
    }

    #[test]
    fn admins_cover_admins_and_members_do_not_cover_admins() {
        let admin = rights(Some(Role::Admin), PermissionSet::All, &[]);
        let member = rights(
            Some(Role::Member),
            Role::Member.built_in_permissions().unwrap(),
            &[],
        );
        assert!(admin.covers(&admin, Scope::Tenant));
        assert!(admin.covers(&member, Scope::Tenant));
        assert!(!member.covers(&admin, Scope::Tenant));
        assert!(member.covers(&member, Scope::Tenant));
    }

    #[test]
    fn a_custom_role_without_pricing_does_not_cover_an_admin() {
        let manager = rights(
            None,
            only(&[Permission::USERS_MANAGE, Permission::CUSTOMERS_MANAGE]),
            &[],
        );
        let admin = rights(Some(Role::Admin), PermissionSet::All, &[]);
        assert!(!manager.covers(&admin, Scope::Tenant));
    }

    #[test]
    fn workspace_admin_rights_do_not_count_tenant_wide() {
        let ws = WorkspaceId::new();
        let member_set = Role::Member.built_in_permissions().unwrap();
        // A tenant-wide member who is admin of one workspace...
        let actor = rights(Some(Role::Member), member_set, &[(ws, PermissionSet::All)]);
        // ...against someone holding pricing, payment and users.manage tenant-wide.
        let target = rights(
            None,
            only(&[
                Permission::PRICING,
                Permission::PAYMENT,
                Permission::USERS_MANAGE,
            ]),
            &[],
        );
        assert!(!actor.covers(&target, Scope::Tenant));
        assert!(
            actor.covers(&target, Scope::Workspace(ws)),
            "inside the workspace they do"
        );
        assert_eq!(
            may_impersonate(&actor, &target),
            Err("the target holds a permission you lack")
        );
    }

    #[test]
    fn a_tenant_wide_act_checks_every_workspace_of_the_target() {
        let ws = WorkspaceId::new();
        let actor = rights(
            Some(Role::Member),
            Role::Member.built_in_permissions().unwrap(),
            &[],
        );
        let target = rights(
            Some(Role::Customer),
            PermissionSet::none(),
            &[(ws, PermissionSet::All)],
        );
        assert!(!actor.covers(&target, Scope::Tenant));
        assert!(!actor.covers(&target, Scope::Workspace(ws)));
        assert!(actor.covers(&target, Scope::Workspace(WorkspaceId::new())));
        assert_eq!(target.manage_permission(), Permission::USERS_MANAGE);
    }

    #[test]
    fn impersonation_needs_the_right_and_never_targets_admins() {
        let support = rights(None, only(&[Permission::IMPERSONATE]), &[]);
        let customer = rights(Some(Role::Customer), PermissionSet::none(), &[]);
        let admin = rights(Some(Role::Admin), PermissionSet::All, &[]);
        assert_eq!(may_impersonate(&support, &customer), Ok(()));
        assert_eq!(
            may_impersonate(&Rights::everything(), &admin),
            Err("the target is an admin")
        );
        assert!(may_impersonate(&Rights::nothing(), &customer).is_err());
        assert_eq!(customer.manage_permission(), Permission::CUSTOMERS_MANAGE);
    }
}
