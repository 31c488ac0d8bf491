//! # memberkit
//!
//! The customers-and-access back office a platform embeds: tenants, members, products,
//! access grants, email invites, an audit log and an outbox of events, with the rules in one
//! place. This crate is the pure domain: it decides; a [`Store`] persists. Open a hub on a
//! store with `memberkit-open` (`Hub::open(path or URL)`), or `Hub::new(store)`.
//!
//! ```text
//! use memberkit::*;
//! use memberkit_open::OpenHub;
//! let hub = Hub::open(":memory:")?;
//! let t = hub.create_tenant("Ada's Academy")?;
//! let course = t.create_product(Actor::System, NewProduct::paid("Rust 101", ProductKind::Course))?;
//! let ada = t.add_customer(Actor::System, NewCustomer::new("ada@example.com").product(course.id))?;
//! assert!(t.has_access(ada.member.id, course.id)?);
//! ```
#![warn(missing_docs)]

mod clock;
mod error;
pub mod event_kind;
mod hub;
mod ids;
mod import;
mod metadata;
mod model;
pub mod normalize;
mod op;
pub mod operations;
pub mod password;
mod permission;
mod policy;
mod query;
mod requests;
mod stats;
pub mod store;
mod sweep;
mod tenant;
mod token;

pub use clock::{
    from_unix_micros, to_unix_micros, truncate_to_micros, Clock, ManualClock, SystemClock,
};
pub use error::{Error, ErrorCode, Result};
pub use hub::Hub;
pub use ids::*;
pub use import::{
    ImportFormat, ImportInput, ImportMode, ImportOptions, ImportOutcome, ImportReport, ImportRow,
    ImportSource, ProgressFn,
};
pub use metadata::{Metadata, MAX_METADATA_BYTES, MAX_METADATA_DEPTH};
pub use model::*;
pub use password::Password;
pub use permission::{Permission, PermissionSet};
pub use query::{
    AuditQuery, CustomerQuery, CustomerSort, DEFAULT_OUTBOX_LIMIT, MAX_CUSTOMER_PAGE, MAX_PAGE,
};
pub use requests::*;
pub use serde_json;
pub use stats::{HubCounts, HubStats, StoreReport};
pub use store::{Store, Tx};
pub use sweep::SweepReport;
pub use tenant::customers::{CustomerPage, CustomerRow, ProductRef};
pub use tenant::members::{IssuedImpersonation, PasswordCheck};
pub use tenant::seats::MAX_SEAT_LIMIT;
pub use tenant::team::{TeamMember, WorkspaceMember};
pub use tenant::Tenant;
pub use time;
pub use token::{ImpersonationToken, InviteToken, TokenDigest};
