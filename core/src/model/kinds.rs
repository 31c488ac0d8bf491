//! The small value types: who acts, statuses, roles and product kinds, each with its stable
//! string form.

use crate::error::{Error, Result};
use crate::ids::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Who performs a mutating call. Every mutation names one; members have their permissions checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    /// The host platform itself: trusted, never denied.
    System,
    /// A member of the tenant acting in the back office.
    Member(MemberId),
}

impl Actor {
    /// The form callers pass an actor in from Python and Node, and get back in audit entries:
    /// `system`, or the member's bare id (the same string as `member.id`). [`FromStr`] reads it.
    pub fn as_argument(&self) -> String {
        match self {
            Actor::System => "system".to_owned(),
            Actor::Member(id) => id.to_string(),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::System => f.write_str("system"),
            Actor::Member(id) => write!(f, "member:{id}"),
        }
    }
}

impl FromStr for Actor {
    type Err = Error;
    /// Parses `system`, `member:<uuid>` (the form [`Display`](fmt::Display) writes) or a bare
    /// member id (what the bindings pass).
    fn from_str(s: &str) -> Result<Self> {
        if s == "system" {
            return Ok(Actor::System);
        }
        s.strip_prefix("member:")
            .unwrap_or(s)
            .parse()
            .map(Actor::Member)
            .map_err(|_| Error::invalid("actor", format!("`{s}` is not \"system\" or a member id")))
    }
}

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable lowercase name used in storage and in every binding.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(Error::invalid($field, format!(
                        "`{other}` is not one of {}", [$($text),+].join(", ")))),
                }
            }
        }
    };
}

string_enum!(
    /// Lifecycle of a member.
    MemberStatus, "status" {
        /// Invited, has not signed up or opened the link yet. Has no access.
        Invited => "invited",
        /// Active: access checks consult grants and free products.
        Active => "active",
        /// Deactivated: every access check answers false until reactivated.
        Deactivated => "deactivated",
    }
);

string_enum!(
    /// Where a grant came from.
    GrantSource, "source" {
        /// Granted by hand in the back office.
        Manual => "manual",
        /// Carried by an accepted invite.
        Invite => "invite",
        /// Created by a bulk import.
        Import => "import",
        /// The host recorded a purchase.
        Purchase => "purchase",
        /// The host's API integration.
        Api => "api",
    }
);

string_enum!(
    /// Status of an invite. `Expired` is derived: a pending invite whose lifetime has passed;
    /// so is `Declined`: a store keeps it as `revoked` with `declined_at` set.
    InviteStatus, "status" {
        /// Waiting for the person to sign up or open the link.
        Pending => "pending",
        /// Accepted or claimed; everything it carried was applied.
        Accepted => "accepted",
        /// Revoked by the tenant; its link no longer works.
        Revoked => "revoked",
        /// Its lifetime passed before it was used. Resend or re-invite to renew it.
        Expired => "expired",
        /// Declined by the invitee; its links no longer work. The email can be invited again.
        Declined => "declined",
    }
);

string_enum!(
    /// What a workspace does with someone who signs up with one of its email domains.
    Enrollment, "enrollment" {
        /// They join the workspace with its role at once (Clerk's automatic invitation).
        Join => "join",
        /// They get a pending suggestion to join (no email), to accept or decline.
        Suggest => "suggest",
    }
);

string_enum!(
    /// Who an outbox event is for: see [`crate::event_kind`] for each kind's channel.
    Channel, "channel" {
        /// A host would send the person an email (an invitation, "you now have access").
        Email => "email",
        /// A notice inside the host's app, never an email.
        InApp => "in_app",
        /// For the host's own systems (end sessions, sync a CRM); nobody is told.
        System => "system",
    }
);

/// A role: one of the built-ins, or a custom role of the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Role {
    /// Every permission.
    Admin,
    /// Every back-office permission except pricing, payment and user management.
    Member,
    /// No back-office permission: a customer or client user.
    Customer,
    /// A custom role of the tenant (see `create_role`).
    Custom(RoleId),
}

impl Role {
    /// The built-in roles.
    pub const BUILT_IN: [Role; 3] = [Role::Admin, Role::Member, Role::Customer];

    /// The stable key: `admin`, `member`, `customer`, or the custom role's id.
    pub fn key(&self) -> String {
        match self {
            Role::Admin => "admin".into(),
            Role::Member => "member".into(),
            Role::Customer => "customer".into(),
            Role::Custom(id) => id.to_string(),
        }
    }

    /// The name of a built-in role; `None` for custom roles.
    pub fn built_in_name(&self) -> Option<&'static str> {
        match self {
            Role::Admin => Some("admin"),
            Role::Member => Some("member"),
            Role::Customer => Some("customer"),
            Role::Custom(_) => None,
        }
    }

    /// Whether the role makes its holder part of the team (every role but `customer`): team
    /// members are managed with `users.manage`, customers with `customers.manage`.
    pub fn is_team(self) -> bool {
        self != Role::Customer
    }

    /// Rank for "accepting an invite never lowers a role": admin > member, custom > customer.
    pub fn rank(self) -> u8 {
        match self {
            Role::Admin => 2,
            Role::Member | Role::Custom(_) => 1,
            Role::Customer => 0,
        }
    }
}

impl Default for GrantSource {
    /// `manual`: granted by hand in the back office.
    fn default() -> Self {
        GrantSource::Manual
    }
}

impl Default for Role {
    /// `customer`: the least a role can be.
    fn default() -> Self {
        Role::Customer
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl FromStr for Role {
    type Err = Error;
    /// Parses `admin`, `member`, `customer` or a custom role id.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            "customer" => Ok(Role::Customer),
            other => other.parse::<RoleId>().map(Role::Custom).map_err(|_| {
                Error::invalid(
                    "role",
                    format!("`{other}` is not admin, member, customer or a custom role id"),
                )
            }),
        }
    }
}

impl From<Role> for String {
    fn from(r: Role) -> String {
        r.key()
    }
}

impl TryFrom<String> for Role {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

/// What kind of thing a product is. Hosts may use their own kinds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum ProductKind {
    /// A recurring membership.
    Membership,
    /// A course.
    Course,
    /// A download or other digital product.
    DigitalProduct,
    /// A community space.
    Community,
    /// A kind the host names (lowercase letters, digits, `_`, `-`, `.`; at most 64).
    Custom(String),
}

impl ProductKind {
    /// The built-in kinds (a host may name others with [`ProductKind::Custom`]).
    pub const BUILT_IN: [ProductKind; 4] = [
        ProductKind::Membership,
        ProductKind::Course,
        ProductKind::DigitalProduct,
        ProductKind::Community,
    ];

    /// The stable name (`membership`, `course`, `digital_product`, `community`, or the custom one).
    pub fn as_str(&self) -> &str {
        match self {
            ProductKind::Membership => "membership",
            ProductKind::Course => "course",
            ProductKind::DigitalProduct => "digital_product",
            ProductKind::Community => "community",
            ProductKind::Custom(s) => s,
        }
    }
}

impl FromStr for ProductKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "membership" => ProductKind::Membership,
            "course" => ProductKind::Course,
            "digital_product" => ProductKind::DigitalProduct,
            "community" => ProductKind::Community,
            other => {
                let ok = !other.is_empty()
                    && other.len() <= 64
                    && other.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b)
                    });
                if !ok {
                    return Err(Error::invalid(
                        "kind",
                        format!("`{other}` must be 1-64 of a-z, 0-9, `_`, `-`, `.`"),
                    ));
                }
                ProductKind::Custom(other.to_owned())
            }
        })
    }
}

impl fmt::Display for ProductKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<ProductKind> for String {
    fn from(k: ProductKind) -> String {
        k.as_str().to_owned()
    }
}

impl TryFrom<String> for ProductKind {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actor_reads_back_from_the_form_callers_and_audit_entries_use() {
        let id: MemberId = "01a201ea-6388-7318-a9c7-d48f998f2b23".parse().unwrap();
        let member = Actor::Member(id);
        assert_eq!(member.as_argument(), id.to_string());
        assert_eq!(member.as_argument().parse::<Actor>().unwrap(), member);
        assert_eq!(Actor::System.as_argument(), "system");
        assert_eq!("system".parse::<Actor>().unwrap(), Actor::System);
        // The stored form still reads back.
        assert_eq!(member.to_string().parse::<Actor>().unwrap(), member);
    }
}
