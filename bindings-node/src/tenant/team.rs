//! Workspaces, custom roles, assignments and permission checks (mirrors `tenant/team.rs`).

use super::{tenant_job, Tenant};
use crate::convert::*;
use crate::task::{job, now, Job};
use crate::types::*;
use memberkit as mk;
use napi::bindgen_prelude::*;
use napi_derive::napi;

#[napi]
impl Tenant {
    /// Creates a workspace. Needs `users.manage`.
    #[napi(ts_return_type = "Promise<Workspace>")]
    pub fn create_workspace(&self, actor: String, name: String) -> AsyncTask<Job<Workspace>> {
        tenant_job!(self, |t| t
            .create_workspace(self::actor(&actor)?, &name)
            .map(Into::into))
    }

    /// Every workspace.
    #[napi(ts_return_type = "Promise<Array<Workspace>>")]
    pub fn workspaces(&self) -> AsyncTask<Job<Vec<Workspace>>> {
        tenant_job!(self, |t| Ok(t
            .workspaces()?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// One workspace (`not_found` for an unknown id or another tenant's).
    #[napi(ts_return_type = "Promise<Workspace>")]
    pub fn workspace(&self, id: String) -> AsyncTask<Job<Workspace>> {
        tenant_job!(self, |t| t.workspace(id.parse()?).map(Into::into))
    }

    /// Members of a workspace with their roles there.
    #[napi(ts_return_type = "Promise<Array<WorkspaceMember>>")]
    pub fn workspace_members(&self, workspace: String) -> AsyncTask<Job<Vec<WorkspaceMember>>> {
        tenant_job!(self, |t| Ok(t
            .workspace_members(workspace.parse()?)?
            .into_iter()
            .map(|m| WorkspaceMember {
                member: m.member.into(),
                role: m.role.key()
            })
            .collect()))
    }

    /// The team: everyone holding a role other than customer, with those roles.
    #[napi(ts_return_type = "Promise<Array<TeamMember>>")]
    pub fn team(&self) -> AsyncTask<Job<Vec<TeamMember>>> {
        tenant_job!(self, |t| Ok(t
            .team()?
            .into_iter()
            .map(|m| TeamMember {
                member: m.member.into(),
                roles: m.roles.into_iter().map(Into::into).collect(),
            })
            .collect()))
    }

    /// Whether `actor` may act on `member` (the rank rule), asked without changing anything.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn may_manage(&self, actor: String, member: String) -> AsyncTask<Job<bool>> {
        tenant_job!(self, |t| t
            .may_manage(self::actor(&actor)?, member.parse()?))
    }

    /// Adds an active member to another workspace, with no email.
    #[napi(ts_return_type = "Promise<RoleAssignment>")]
    pub fn add_to_workspace(
        &self,
        actor: String,
        member: String,
        workspace: String,
        role: String,
    ) -> AsyncTask<Job<RoleAssignment>> {
        tenant_job!(self, |t| t
            .add_to_workspace(
                self::actor(&actor)?,
                member.parse()?,
                workspace.parse()?,
                role.parse()?
            )
            .map(Into::into))
    }

    /// Takes a member out of a workspace; resolves to whether they were in it.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn remove_from_workspace(
        &self,
        actor: String,
        member: String,
        workspace: String,
    ) -> AsyncTask<Job<bool>> {
        tenant_job!(self, |t| t.remove_from_workspace(
            self::actor(&actor)?,
            member.parse()?,
            workspace.parse()?
        ))
    }

    /// Creates a custom role with permissions.
    #[napi(ts_return_type = "Promise<CustomRole>")]
    pub fn create_role(
        &self,
        actor: String,
        name: String,
        permissions: Vec<String>,
    ) -> AsyncTask<Job<CustomRole>> {
        tenant_job!(self, |t| {
            let perms: Vec<mk::Permission> = permissions
                .into_iter()
                .map(mk::Permission::custom)
                .collect();
            t.create_role(self::actor(&actor)?, &name, &perms)
                .map(Into::into)
        })
    }

    /// Renames a custom role and replaces its permissions.
    #[napi(ts_return_type = "Promise<CustomRole>")]
    pub fn update_role(
        &self,
        actor: String,
        role: String,
        name: String,
        permissions: Vec<String>,
    ) -> AsyncTask<Job<CustomRole>> {
        tenant_job!(self, |t| {
            let perms: Vec<mk::Permission> = permissions
                .into_iter()
                .map(mk::Permission::custom)
                .collect();
            t.update_role(self::actor(&actor)?, role.parse()?, &name, &perms)
                .map(Into::into)
        })
    }

    /// Deletes a custom role nobody holds.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_role(&self, actor: String, role: String) -> AsyncTask<Job<()>> {
        tenant_job!(self, |t| t.delete_role(self::actor(&actor)?, role.parse()?))
    }

    /// The tenant's custom roles.
    #[napi(ts_return_type = "Promise<Array<CustomRole>>")]
    pub fn roles(&self) -> AsyncTask<Job<Vec<CustomRole>>> {
        tenant_job!(self, |t| Ok(t
            .roles()?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// Gives a member a role tenant-wide, or in a workspace they belong to.
    #[napi(ts_return_type = "Promise<RoleAssignment>")]
    pub fn assign_role(
        &self,
        actor: String,
        member: String,
        role: String,
        workspace: Option<String>,
    ) -> AsyncTask<Job<RoleAssignment>> {
        tenant_job!(self, |t| t
            .assign_role(
                self::actor(&actor)?,
                member.parse()?,
                role.parse()?,
                opt(workspace)?
            )
            .map(Into::into))
    }

    /// Every role the member holds.
    #[napi(ts_return_type = "Promise<Array<RoleAssignment>>")]
    pub fn assignments(&self, member: String) -> AsyncTask<Job<Vec<RoleAssignment>>> {
        tenant_job!(self, |t| Ok(t
            .assignments(member.parse()?)?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// Whether the member holds `permission` tenant-wide, or in `workspace`.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn can(
        &self,
        member: String,
        permission: String,
        workspace: Option<String>,
    ) -> AsyncTask<Job<bool>> {
        job(checking_permission(
            &self.inner,
            member,
            permission,
            workspace,
        ))
    }

    /// `can`, synchronously: for per-request authorisation.
    #[napi]
    pub fn can_sync(
        &self,
        member: String,
        permission: String,
        workspace: Option<String>,
    ) -> std::result::Result<bool, Error<String>> {
        now(checking_permission(
            &self.inner,
            member,
            permission,
            workspace,
        ))
    }
}

/// The work behind `can` and `canSync`.
fn checking_permission(
    t: &mk::Tenant,
    member: String,
    permission: String,
    workspace: Option<String>,
) -> impl FnOnce() -> mk::Result<bool> + Send + 'static {
    let t = t.clone();
    move || {
        let permission = mk::Permission::custom(permission);
        t.can(member.parse()?, &permission, opt(workspace)?)
    }
}
