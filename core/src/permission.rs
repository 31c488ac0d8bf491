//! Permissions: module + action strings, with a built-in catalogue hosts can extend.

use crate::model::Role;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

/// A permission such as `pricing` or `customers.manage`. Hosts may name their own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Permission(Cow<'static, str>);

impl Permission {
    /// Change prices. Admin only by default.
    pub const PRICING: Permission = Permission(Cow::Borrowed("pricing"));
    /// See and change payment settings. Admin only by default.
    pub const PAYMENT: Permission = Permission(Cow::Borrowed("payment"));
    /// Invite, change and remove team members (roles other than customer). Admin only.
    pub const USERS_MANAGE: Permission = Permission(Cow::Borrowed("users.manage"));
    /// Add customers, grant and revoke their access, invite customers.
    pub const CUSTOMERS_MANAGE: Permission = Permission(Cow::Borrowed("customers.manage"));
    /// Create and archive products.
    pub const PRODUCTS_MANAGE: Permission = Permission(Cow::Borrowed("products.manage"));
    /// Log in as a customer.
    pub const IMPERSONATE: Permission = Permission(Cow::Borrowed("impersonate"));
    /// Change tenant settings such as the invite lifetime.
    pub const SETTINGS_MANAGE: Permission = Permission(Cow::Borrowed("settings.manage"));

    /// The built-in catalogue, the same in every language.
    pub const CATALOGUE: [Permission; 7] = [
        Permission::PRICING,
        Permission::PAYMENT,
        Permission::USERS_MANAGE,
        Permission::CUSTOMERS_MANAGE,
        Permission::PRODUCTS_MANAGE,
        Permission::IMPERSONATE,
        Permission::SETTINGS_MANAGE,
    ];

    /// A host-defined permission, e.g. `reports.export`.
    pub fn custom(name: impl Into<String>) -> Self {
        Permission(Cow::Owned(name.into()))
    }

    /// Its name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Permission {
    /// Checks a host-supplied permission name: 1-64 of `a-z 0-9 . _ -`.
    pub fn parse(name: &str) -> crate::Result<Self> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !ok {
            return Err(crate::Error::InvalidInput {
                field: "permissions",
                reason: format!("`{name}` must be 1-64 of a-z, 0-9, `.`, `_`, `-`"),
            });
        }
        Ok(Self::CATALOGUE
            .into_iter()
            .find(|p| p.as_str() == name)
            .unwrap_or_else(|| Permission::custom(name)))
    }
}

/// A set of permissions that may be open-ended: admins hold every permission, including ones a
/// host invents later, and members hold everything but a few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermissionSet {
    /// Every permission.
    All,
    /// Every permission but these.
    AllExcept(BTreeSet<Permission>),
    /// Only these.
    Only(BTreeSet<Permission>),
}

impl PermissionSet {
    /// No permission at all.
    pub fn none() -> Self {
        PermissionSet::Only(BTreeSet::new())
    }

    /// Whether `p` is in the set.
    pub fn contains(&self, p: &Permission) -> bool {
        match self {
            PermissionSet::All => true,
            PermissionSet::AllExcept(except) => !except.contains(p),
            PermissionSet::Only(only) => only.contains(p),
        }
    }

    /// Everything in either set.
    pub fn union(self, other: PermissionSet) -> PermissionSet {
        use PermissionSet::*;
        match (self, other) {
            (All, _) | (_, All) => All,
            (AllExcept(a), AllExcept(b)) => AllExcept(a.intersection(&b).cloned().collect()),
            (AllExcept(e), Only(o)) | (Only(o), AllExcept(e)) => {
                AllExcept(e.difference(&o).cloned().collect())
            }
            (Only(a), Only(b)) => Only(a.union(&b).cloned().collect()),
        }
    }

    /// Whether every permission in `self` is also in `other`.
    pub fn is_subset_of(&self, other: &PermissionSet) -> bool {
        use PermissionSet::*;
        match (self, other) {
            (_, All) => true,
            (All, _) => false,
            (Only(a), AllExcept(e)) => a.is_disjoint(e),
            (Only(a), Only(b)) => a.is_subset(b),
            (AllExcept(a), AllExcept(b)) => b.is_subset(a),
            (AllExcept(_), Only(_)) => false,
        }
    }
}

impl Role {
    /// The permissions of a built-in role (`None` for a custom role, whose permissions are
    /// stored with the tenant).
    pub fn built_in_permissions(self) -> Option<PermissionSet> {
        match self {
            Role::Admin => Some(PermissionSet::All),
            Role::Member => Some(PermissionSet::AllExcept(BTreeSet::from([
                Permission::PRICING,
                Permission::PAYMENT,
                Permission::USERS_MANAGE,
            ]))),
            Role::Customer => Some(PermissionSet::none()),
            Role::Custom(_) => None,
        }
    }

    /// Whether a built-in role holds `permission` (always false for custom roles: ask the
    /// tenant with `can`).
    pub fn grants(self, permission: &Permission) -> bool {
        self.built_in_permissions()
            .is_some_and(|set| set.contains(permission))
    }

    /// The permission needed to hand out this role (in an invite, a workspace or directly).
    pub fn required_to_assign(self) -> Permission {
        match self {
            Role::Customer => Permission::CUSTOMERS_MANAGE,
            Role::Admin | Role::Member | Role::Custom(_) => Permission::USERS_MANAGE,
        }
    }
}
