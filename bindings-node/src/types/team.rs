//! Workspaces, their seats and email domains, custom roles and role assignments, as plain
//! JavaScript objects (split from `types/mod.rs` by concept).

use super::Member;
use crate::convert::*;
use chrono::{DateTime, Utc};
use memberkit as mk;
use napi_derive::napi;

/// A workspace inside a tenant.
#[napi(object, use_nullable = true)]
pub struct Workspace {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    /// The most seats it may fill, or `null` for no cap.
    pub seat_limit: Option<u32>,
    pub created_at: DateTime<Utc>,
}

impl From<mk::Workspace> for Workspace {
    fn from(w: mk::Workspace) -> Self {
        Self {
            id: w.id.to_string(),
            tenant_id: w.tenant_id.to_string(),
            name: w.name,
            seat_limit: w.seat_limit,
            created_at: date(w.created_at),
        }
    }
}

/// The seats of a tenant (`workspace` null) or of a workspace: the cap (`null` for none), how
/// many are taken (active members plus live invites) and how many are left.
#[napi(object, use_nullable = true)]
pub struct Seats {
    pub workspace: Option<String>,
    pub limit: Option<u32>,
    pub taken: u32,
    pub available: Option<u32>,
}

impl From<mk::Seats> for Seats {
    fn from(s: mk::Seats) -> Self {
        Self {
            workspace: s.workspace.map(|w| w.to_string()),
            limit: s.limit,
            taken: s.taken as u32,
            available: s.available().map(|n| n as u32),
        }
    }
}

/// An email domain a workspace takes people from.
#[napi(object, use_nullable = true)]
pub struct WorkspaceDomain {
    pub workspace: String,
    pub domain: String,
    #[napi(ts_type = "'join' | 'suggest'")]
    pub enrollment: String,
    /// Their role in the workspace.
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl From<mk::WorkspaceDomain> for WorkspaceDomain {
    fn from(d: mk::WorkspaceDomain) -> Self {
        Self {
            workspace: d.workspace_id.to_string(),
            domain: d.domain,
            enrollment: d.enrollment.as_str().into(),
            role: d.role.key(),
            created_at: date(d.created_at),
        }
    }
}

/// A role defined by the tenant.
#[napi(object, use_nullable = true)]
pub struct CustomRole {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<mk::CustomRole> for CustomRole {
    fn from(r: mk::CustomRole) -> Self {
        Self {
            id: r.id.to_string(),
            tenant_id: r.tenant_id.to_string(),
            name: r.name,
            permissions: r
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            created_at: date(r.created_at),
        }
    }
}

/// A member's role tenant-wide (no `workspace`) or in a workspace.
#[napi(object, use_nullable = true)]
pub struct RoleAssignment {
    pub member_id: String,
    pub role: String,
    pub workspace: Option<String>,
}

impl From<mk::RoleAssignment> for RoleAssignment {
    fn from(a: mk::RoleAssignment) -> Self {
        Self {
            member_id: a.member_id.to_string(),
            role: a.role.key(),
            workspace: a.workspace.map(|w| w.to_string()),
        }
    }
}

/// A member of a workspace and their role there.
#[napi(object, use_nullable = true)]
pub struct WorkspaceMember {
    pub member: Member,
    pub role: String,
}

/// A team member (a role other than customer somewhere) and those roles.
#[napi(object, use_nullable = true)]
pub struct TeamMember {
    pub member: Member,
    pub roles: Vec<RoleAssignment>,
}
