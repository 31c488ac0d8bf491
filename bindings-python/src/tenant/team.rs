//! Workspaces, custom roles, assignments and permission checks (mirrors `tenant/team.rs`).

use super::Tenant;
use crate::convert::*;
use crate::error::call;
use crate::types::record;
use crate::types::*;
use memberkit as mk;
use pyo3::prelude::*;

#[pymethods]
impl Tenant {
    /// Creates a workspace. Needs `users.manage`.
    fn create_workspace<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        name: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = crate::convert::actor(actor)?;
        py_workspace(py, &call!(py, self.inner.create_workspace(a, &name)))
    }

    /// Every workspace.
    fn workspaces<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        list(py, &call!(py, self.inner.workspaces()), py_workspace)
    }

    /// One workspace.
    fn workspace<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let id = parse(id)?;
        py_workspace(py, &call!(py, self.inner.workspace(id)))
    }

    /// Members of a workspace with their roles there.
    fn workspace_members<'py>(
        &self,
        py: Python<'py>,
        workspace: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let w = parse(workspace)?;
        list(
            py,
            &call!(py, self.inner.workspace_members(w)),
            |py, m| record!(py, "WorkspaceMember", { "member" => py_member(py, &m.member)?, "role" => m.role.key() }),
        )
    }

    /// The team: everyone holding a role other than customer, with those roles.
    fn team<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        list(py, &call!(py, self.inner.team()), |py, t| {
            let roles = tuple(py, &t.roles, py_assignment)?;
            record!(py, "TeamMember", { "member" => py_member(py, &t.member)?, "roles" => roles })
        })
    }

    /// Whether `actor` may act on `member` (the rank rule), asked without changing anything.
    fn may_manage(&self, py: Python<'_>, actor: &str, member: &str) -> PyResult<bool> {
        let (a, m) = (crate::convert::actor(actor)?, parse(member)?);
        Ok(call!(py, self.inner.may_manage(a, m)))
    }

    /// Adds an active member to another workspace, with no email.
    fn add_to_workspace<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
        workspace: &str,
        role: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m, w, r) = (
            crate::convert::actor(actor)?,
            parse(member)?,
            parse(workspace)?,
            parse(role)?,
        );
        py_assignment(py, &call!(py, self.inner.add_to_workspace(a, m, w, r)))
    }

    /// Takes a member out of a workspace; returns whether they were in it.
    fn remove_from_workspace(
        &self,
        py: Python<'_>,
        actor: &str,
        member: &str,
        workspace: &str,
    ) -> PyResult<bool> {
        let (a, m, w) = (
            crate::convert::actor(actor)?,
            parse(member)?,
            parse(workspace)?,
        );
        Ok(call!(py, self.inner.remove_from_workspace(a, m, w)))
    }

    /// Creates a custom role with permissions.
    fn create_role<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        name: String,
        permissions: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = crate::convert::actor(actor)?;
        let perms: Vec<mk::Permission> = permissions
            .into_iter()
            .map(mk::Permission::custom)
            .collect();
        py_role(py, &call!(py, self.inner.create_role(a, &name, &perms)))
    }

    /// Renames a custom role and replaces its permissions.
    fn update_role<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        role: &str,
        name: String,
        permissions: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, id) = (crate::convert::actor(actor)?, parse(role)?);
        let perms: Vec<mk::Permission> = permissions
            .into_iter()
            .map(mk::Permission::custom)
            .collect();
        py_role(py, &call!(py, self.inner.update_role(a, id, &name, &perms)))
    }

    /// Deletes a custom role that nobody holds.
    fn delete_role(&self, py: Python<'_>, actor: &str, role: &str) -> PyResult<()> {
        let (a, id) = (crate::convert::actor(actor)?, parse(role)?);
        call!(py, self.inner.delete_role(a, id));
        Ok(())
    }

    /// The tenant's custom roles.
    fn roles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        list(py, &call!(py, self.inner.roles()), py_role)
    }

    /// Gives a member a role tenant-wide or in a workspace they belong to.
    #[pyo3(signature = (actor, member, role, workspace=None))]
    fn assign_role<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
        role: &str,
        workspace: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m, r, w) = (
            crate::convert::actor(actor)?,
            parse(member)?,
            parse(role)?,
            opt(workspace)?,
        );
        py_assignment(py, &call!(py, self.inner.assign_role(a, m, r, w)))
    }

    /// Every role the member holds.
    fn assignments<'py>(&self, py: Python<'py>, member: &str) -> PyResult<Bound<'py, PyAny>> {
        let m = parse(member)?;
        list(py, &call!(py, self.inner.assignments(m)), py_assignment)
    }

    /// Whether the member holds `permission` tenant-wide or in `workspace`.
    #[pyo3(signature = (member, permission, workspace=None))]
    fn can(
        &self,
        py: Python<'_>,
        member: &str,
        permission: String,
        workspace: Option<String>,
    ) -> PyResult<bool> {
        let (m, w) = (parse(member)?, opt(workspace)?);
        let p = mk::Permission::custom(permission);
        Ok(call!(py, self.inner.can(m, &p, w)))
    }
}
