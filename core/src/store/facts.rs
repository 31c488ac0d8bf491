//! What the hot checks need, each as one fetch: `has_access` ([`AccessFacts`]) and `can`
//! ([`PermissionFacts`]). A store that can answers each with one statement and no explicit
//! transaction (on PostgreSQL a read transaction alone is two round trips more than the
//! question).

use super::Tx;
use crate::error::Result;
use crate::ids::*;
use crate::model::*;
use crate::Permission;

/// What `has_access` needs, fetched in one round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessFacts {
    /// The member's status.
    pub member_status: MemberStatus,
    /// Whether the product is paid.
    pub product_paid: bool,
    /// Whether the product is archived.
    pub product_archived: bool,
    /// The member's unrevoked grant for the product, if any: when it grants.
    pub open_grant: Option<GrantWindow>,
    /// The member's unrevoked grants for bundles that include the product (directly or through
    /// bundles inside them): when each grants. Empty for most products.
    pub bundle_grants: Vec<GrantWindow>,
}

/// A member's status, their roles with what each custom role carries, and whether the
/// workspace asked about exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionFacts {
    /// The member's status.
    pub member_status: MemberStatus,
    /// Whether the workspace asked about exists (`true` when none was asked about).
    pub workspace_found: bool,
    /// Every role assignment of the member, tenant-wide first, then by workspace.
    pub roles: Vec<HeldRole>,
}

/// One role assignment and, for a custom role, the permissions it carries now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRole {
    /// The assignment.
    pub assignment: RoleAssignment,
    /// A custom role's permissions; `None` for a built-in role or a custom role not found.
    pub custom_permissions: Option<Vec<Permission>>,
}

/// [`Tx::permission_facts`] read row by row: the default for stores where a read is cheap.
pub(crate) fn read_row_by_row(
    tx: &(impl Tx + ?Sized),
    tenant: TenantId,
    member: MemberId,
    workspace: Option<WorkspaceId>,
) -> Result<Option<PermissionFacts>> {
    let Some(m) = tx.member(tenant, member)? else {
        return Ok(None);
    };
    let workspace_found = match workspace {
        Some(ws) => tx.workspace(tenant, ws)?.is_some(),
        None => true,
    };
    let roles = held_roles(tx, tenant, member)?;
    Ok(Some(PermissionFacts {
        member_status: m.status,
        workspace_found,
        roles,
    }))
}

/// The member's assignments, each with its custom role's permissions.
pub(crate) fn held_roles(
    tx: &(impl Tx + ?Sized),
    tenant: TenantId,
    member: MemberId,
) -> Result<Vec<HeldRole>> {
    tx.assignments(tenant, member)?
        .into_iter()
        .map(|assignment| {
            let custom_permissions = match assignment.role {
                Role::Custom(id) => tx.custom_role(tenant, id)?.map(|c| c.permissions),
                _ => None,
            };
            Ok(HeldRole {
                assignment,
                custom_permissions,
            })
        })
        .collect()
}
