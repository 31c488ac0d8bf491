//! Permissions: module + action strings, with a built-in catalogue hosts can extend.

use crate::model::Role;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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

impl Role {
    /// Whether a built-in role holds `permission`. Admins hold every permission, including
    /// host-defined ones; members hold everything but pricing, payment and user management.
    pub fn grants(self, permission: &Permission) -> bool {
        match self {
            Role::Admin => true,
            Role::Member => ![
                Permission::PRICING,
                Permission::PAYMENT,
                Permission::USERS_MANAGE,
            ]
            .contains(permission),
            Role::Customer => false,
        }
    }

    /// The permission needed to hand out this role (in an invite or when adding a member).
    pub fn required_to_assign(self) -> Permission {
        match self {
            Role::Customer => Permission::CUSTOMERS_MANAGE,
            Role::Admin | Role::Member => Permission::USERS_MANAGE,
        }
    }
}
