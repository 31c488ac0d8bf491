//! The team side: workspaces, custom roles, role assignments and permission checks.

use crate::error::{Error, Result};
use crate::event_kind;
use crate::ids::*;
use crate::model::*;
use crate::normalize;
use crate::op::Op;
use crate::permission::Permission;
use crate::policy::authz::{Rights, Scope};
use crate::tenant::members::guard_last_admin;
use crate::tenant::Tenant;
use serde_json::json;

/// A member of a workspace and their role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceMember {
    /// The member.
    pub member: Member,
    /// Their role in the workspace.
    pub role: Role,
}

/// A team member (anyone holding a role other than `customer`) and every role they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    /// The member, whatever their status.
    pub member: Member,
    /// Their roles other than `customer`: tenant-wide first, then per workspace.
    pub roles: Vec<RoleAssignment>,
}

impl Tenant {
    // ----- workspaces -------------------------------------------------------------------------

    /// Creates a workspace (a sub-account or client company). Needs `users.manage`.
    /// `conflict` if the name is taken in this tenant.
    pub fn create_workspace(&self, actor: Actor, name: &str) -> Result<Workspace> {
        let name = normalize::name("name", name)?;
        self.write(actor, |op| {
            op.require(&Permission::USERS_MANAGE)?;
            if op.tx.workspace_by_name(op.tenant, &name)?.is_some() {
                return Err(Error::Conflict(format!(
                    "a workspace is already named `{name}`"
                )));
            }
            let ws = Workspace {
                id: WorkspaceId::new(),
                tenant_id: op.tenant,
                name: name.clone(),
                seat_limit: None,
                created_at: op.now,
            };
            op.tx.insert_workspace(&ws)?;
            op.audit("workspace.created", ws.id, json!({ "name": ws.name }))?;
            Ok(ws)
        })
    }

    /// Every workspace, oldest first.
    pub fn workspaces(&self) -> Result<Vec<Workspace>> {
        self.read(|tx, _| tx.workspaces(self.id()))
    }

    /// One workspace.
    pub fn workspace(&self, id: WorkspaceId) -> Result<Workspace> {
        self.read(|tx, _| {
            tx.workspace(self.id(), id)?
                .ok_or_else(|| Error::not_found("workspace", id))
        })
    }

    /// The members of a workspace with their roles there.
    pub fn workspace_members(&self, workspace: WorkspaceId) -> Result<Vec<WorkspaceMember>> {
        self.read(|tx, _| {
            tx.workspace(self.id(), workspace)?
                .ok_or_else(|| Error::not_found("workspace", workspace))?;
            Ok(tx
                .workspace_members(self.id(), workspace)?
                .into_iter()
                .map(|(member, role)| WorkspaceMember { member, role })
                .collect())
        })
    }

    /// Adds an existing, active member to another workspace with `role` there, with no email:
    /// an audit entry and a `member.added_to_workspace` outbox event for an in-app notice.
    /// Adding again with the same role changes nothing; with another role, changes the role.
    /// Needs the permission to assign `role` in that workspace. Errors: `conflict` (the member
    /// has not accepted their invite yet), `member_deactivated`, `not_found`, `seat_limit`
    /// (past the workspace's cap).
    pub fn add_to_workspace(
        &self,
        actor: Actor,
        member: MemberId,
        workspace: WorkspaceId,
        role: Role,
    ) -> Result<RoleAssignment> {
        self.write(actor, |op| {
            let ws = op.workspace(workspace)?;
            op.require_assignable(role, Some(ws.id))?;
            let m = op.member(member)?;
            op.require_manage(&m, Some(ws.id))?;
            match m.status {
                MemberStatus::Active => {}
                MemberStatus::Deactivated => return Err(Error::MemberDeactivated(m.id)),
                MemberStatus::Invited => {
                    return Err(Error::Conflict(format!(
                        "{} has not accepted their invite yet: invite them with the workspace",
                        m.email
                    )))
                }
            }
            let assignment = RoleAssignment {
                member_id: m.id,
                role,
                workspace: Some(ws.id),
            };
            let current = op
                .tx
                .assignments(op.tenant, m.id)?
                .into_iter()
                .find(|a| a.workspace == Some(ws.id));
            if current.is_some_and(|a| a.role == role) {
                return Ok(assignment);
            }
            let seats = op.seats_before(&[ws.id])?;
            op.tx.set_role(op.tenant, m.id, Some(ws.id), role)?;
            op.check_seats(&seats)?;
            let payload = json!({
                "member_id": m.id, "email": m.email, "name": m.name,
                "workspace_id": ws.id, "workspace_name": ws.name, "role": role.key(),
            });
            op.audit(event_kind::MEMBER_ADDED_TO_WORKSPACE, m.id, payload.clone())?;
            op.emit(event_kind::MEMBER_ADDED_TO_WORKSPACE, payload)?;
            Ok(assignment)
        })
    }

    /// Takes a member out of a workspace (and their role there). Returns whether they were in
    /// it. Needs `users.manage` in that workspace.
    pub fn remove_from_workspace(
        &self,
        actor: Actor,
        member: MemberId,
        workspace: WorkspaceId,
    ) -> Result<bool> {
        self.write(actor, |op| {
            op.workspace(workspace)?;
            op.require_in(&Permission::USERS_MANAGE, Some(workspace))?;
            let m = op.member(member)?;
            op.require_manage(&m, Some(workspace))?;
            let removed = op.tx.remove_role(op.tenant, m.id, Some(workspace))?;
            if removed {
                op.audit(
                    "member.removed_from_workspace",
                    m.id,
                    json!({ "workspace_id": workspace }),
                )?;
            }
            Ok(removed)
        })
    }

    // ----- roles and permissions --------------------------------------------------------------

    /// Creates a custom role: a name (not `admin`, `member` or `customer`; unique here) and
    /// permissions from the catalogue or the host's own names. Needs `users.manage`, and the
    /// actor must hold every permission the role carries.
    pub fn create_role(
        &self,
        actor: Actor,
        name: &str,
        permissions: &[Permission],
    ) -> Result<CustomRole> {
        let (name, permissions) = check_role(name, permissions)?;
        self.write(actor, |op| {
            check_role_change(op, &name, &permissions, None)?;
            let role = CustomRole {
                id: RoleId::new(),
                tenant_id: op.tenant,
                name: name.clone(),
                permissions: permissions.clone(),
                created_at: op.now,
            };
            op.tx.insert_custom_role(&role)?;
            op.audit(
                "role.created",
                role.id,
                json!({ "name": role.name, "permissions": role.permissions }),
            )?;
            Ok(role)
        })
    }

    /// Renames a custom role and replaces its permissions; members holding it are affected at
    /// once. Same rules as `create_role`.
    pub fn update_role(
        &self,
        actor: Actor,
        id: RoleId,
        name: &str,
        permissions: &[Permission],
    ) -> Result<CustomRole> {
        let (name, permissions) = check_role(name, permissions)?;
        self.write(actor, |op| {
            let mut role = custom_role(op, id)?;
            check_role_change(op, &name, &permissions, Some(id))?;
            role.name = name.clone();
            role.permissions = permissions.clone();
            op.tx.update_custom_role(&role)?;
            op.audit(
                "role.updated",
                role.id,
                json!({ "name": role.name, "permissions": role.permissions }),
            )?;
            Ok(role)
        })
    }

    /// Deletes a custom role. `conflict` while any member holds it or a pending invite carries
    /// it: reassign those first. Needs `users.manage`.
    pub fn delete_role(&self, actor: Actor, id: RoleId) -> Result<()> {
        self.write(actor, |op| {
            op.require(&Permission::USERS_MANAGE)?;
            let role = custom_role(op, id)?;
            if crate::policy::team::role_in_use(op.tx.role_usage(op.tenant, id)?) {
                return Err(Error::Conflict(format!(
                    "role `{}` is still assigned or carried by a pending invite",
                    role.name
                )));
            }
            op.tx.delete_custom_role(op.tenant, id)?;
            op.audit("role.deleted", id, json!({ "name": role.name }))
        })
    }

    /// The tenant's custom roles, oldest first.
    pub fn roles(&self) -> Result<Vec<CustomRole>> {
        self.read(|tx, _| tx.custom_roles(self.id()))
    }

    /// Gives a member a role tenant-wide (`workspace: None`) or in a workspace they belong to.
    /// Needs the permission to assign it there and every permission it carries. `conflict` when
    /// this would demote the tenant's last active admin; `invalid_input` when the member is not
    /// in that workspace (use `add_to_workspace`).
    pub fn assign_role(
        &self,
        actor: Actor,
        member: MemberId,
        role: Role,
        workspace: Option<WorkspaceId>,
    ) -> Result<RoleAssignment> {
        self.write(actor, |op| {
            if let Some(ws) = workspace {
                op.workspace(ws)?;
            }
            op.require_assignable(role, workspace)?;
            let m = op.member(member)?;
            op.require_manage(&m, workspace)?;
            let current = op
                .tx
                .assignments(op.tenant, m.id)?
                .into_iter()
                .find(|a| a.workspace == workspace);
            if workspace.is_some() && current.is_none() {
                return Err(Error::invalid(
                    "workspace",
                    format!("{} is not in that workspace: use add_to_workspace", m.email),
                ));
            }
            if workspace.is_none() && role != Role::Admin {
                guard_last_admin(op, &m)?;
            }
            let assignment = RoleAssignment {
                member_id: m.id,
                role,
                workspace,
            };
            if current.is_some_and(|a| a.role == role) {
                return Ok(assignment);
            }
            op.tx.set_role(op.tenant, m.id, workspace, role)?;
            op.audit(
                "role.assigned",
                m.id,
                json!({
                    "role": role.key(),
                    "previous": current.map(|a| a.role.key()),
                    "workspace_id": workspace,
                }),
            )?;
            Ok(assignment)
        })
    }

    /// Every role the member holds: tenant-wide first, then per workspace.
    pub fn assignments(&self, member: MemberId) -> Result<Vec<RoleAssignment>> {
        self.read(|tx, _| {
            tx.member(self.id(), member)?
                .ok_or_else(|| Error::not_found("member", member))?;
            tx.assignments(self.id(), member)
        })
    }

    /// The team: every member holding a role other than `customer` (tenant-wide or in a
    /// workspace), whatever their status, oldest first, each with those roles. People invited
    /// to the team appear once they accept; until then they are pending invites.
    pub fn team(&self) -> Result<Vec<TeamMember>> {
        self.read(|tx, _| {
            let mut team: Vec<TeamMember> = Vec::new();
            for (member, role) in tx.assignments_except(self.id(), Role::Customer)? {
                match team.last_mut() {
                    Some(last) if last.member.id == member.id => last.roles.push(role),
                    _ => team.push(TeamMember {
                        member,
                        roles: vec![role],
                    }),
                }
            }
            Ok(team)
        })
    }

    /// Whether `actor` may act on `member` (change their roles, deactivate, reactivate,
    /// remove, set their password): the rank rule `deactivate` and the others check, asked
    /// without changing anything, so a page offers only the actions that will succeed.
    /// `not_found` for a member of another tenant.
    pub fn may_manage(&self, actor: Actor, member: MemberId) -> Result<bool> {
        self.read(|tx, now| {
            let op = Op::new(tx, self.id(), actor, now);
            let target = op.member(member)?;
            match op.require_manage(&target, None) {
                Ok(()) => Ok(true),
                Err(Error::PermissionDenied { .. }) => Ok(false),
                Err(other) => Err(other),
            }
        })
    }

    /// Whether `member` may use `permission`: tenant-wide, or in `workspace` when given (a
    /// tenant-wide role counts in every workspace). False for invited and deactivated members.
    pub fn can(
        &self,
        member: MemberId,
        permission: &Permission,
        workspace: Option<WorkspaceId>,
    ) -> Result<bool> {
        let facts = self
            .hub
            .store()
            .permission_facts(self.id(), member, workspace)?
            .ok_or_else(|| Error::not_found("member", member))?;
        if facts.member_status != MemberStatus::Active {
            return Ok(false);
        }
        if let (Some(ws), false) = (workspace, facts.workspace_found) {
            return Err(Error::not_found("workspace", ws));
        }
        Ok(Rights::from_held(&facts.roles)?
            .in_scope(Scope::of(workspace))
            .contains(permission))
    }
}

fn check_role(name: &str, permissions: &[Permission]) -> Result<(String, Vec<Permission>)> {
    let name = normalize::name("name", name)?;
    if Role::BUILT_IN.iter().any(|r| {
        r.built_in_name()
            .is_some_and(|b| b.eq_ignore_ascii_case(&name))
    }) {
        return Err(Error::invalid(
            "name",
            format!("`{name}` is a built-in role"),
        ));
    }
    let mut perms = permissions
        .iter()
        .map(|p| Permission::parse(p.as_str()))
        .collect::<Result<Vec<_>>>()?;
    perms.sort();
    perms.dedup();
    Ok((name, perms))
}

/// Creating or changing a role needs `users.manage` and every permission the role carries,
/// and its name must be free (`except` the role being renamed).
fn check_role_change(
    op: &Op,
    name: &str,
    permissions: &[Permission],
    except: Option<RoleId>,
) -> Result<()> {
    op.require(&Permission::USERS_MANAGE)?;
    let own = op.actor_rights()?.in_scope(Scope::Tenant);
    if let Some(p) = permissions.iter().find(|p| !own.contains(p)) {
        return Err(Error::PermissionDenied {
            actor: op.actor.to_string(),
            permission: p.to_string(),
        });
    }
    match op.tx.custom_role_by_name(op.tenant, name)? {
        Some(other) if Some(other.id) != except => {
            Err(Error::Conflict(format!("a role is already named `{name}`")))
        }
        _ => Ok(()),
    }
}

fn custom_role(op: &Op, id: RoleId) -> Result<CustomRole> {
    op.tx
        .custom_role(op.tenant, id)?
        .ok_or_else(|| Error::not_found("role", id))
}
