//! Typed identifiers. All are UUID v7: time-ordered, so new rows append to B-tree indexes.

use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $entity:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUID v7).
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// Wraps an existing UUID (for stores and bindings).
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            /// The underlying UUID.
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| Error::invalid($entity, format!("`{s}` is not a valid {} id", $entity)))
            }
        }
    };
}

id_type!(
    /// Identifies a tenant: the isolation boundary.
    TenantId, "tenant"
);
id_type!(
    /// Identifies a member (customer or team member) within a tenant.
    MemberId, "member"
);
id_type!(
    /// Identifies a product within a tenant.
    ProductId, "product"
);
id_type!(
    /// Identifies an access grant.
    GrantId, "grant"
);
id_type!(
    /// Identifies an invite.
    InviteId, "invite"
);
id_type!(
    /// Identifies an audit log entry.
    AuditId, "audit entry"
);
id_type!(
    /// Identifies an outbox event.
    EventId, "event"
);
id_type!(
    /// Identifies a workspace (sub-account, client company) within a tenant.
    WorkspaceId, "workspace"
);
id_type!(
    /// Identifies a custom role within a tenant.
    RoleId, "role"
);
id_type!(
    /// Identifies an impersonation session.
    ImpersonationId, "impersonation"
);
