//! Every rule, as pure functions of facts a store fetched. Stores never decide: they fetch
//! and write rows, and a second store gets every rule for free.
//!
//! - [`access`]: who may use what now, and what a grant request changes.
//! - [`bundles`]: what a bundle includes, and which inclusions would make a cycle.
//! - [`authz`]: who may do what to whom (permissions, rank, impersonation).
//! - [`invites`]: when an invite is pending, expired or spent.
//! - [`members`]: which member a request means, and what reusing them changes.
//! - [`seats`]: who fills a seat, and whether a change may fill more than a cap allows.
//! - [`team`]: admin counting and whether a custom role is in use.

pub(crate) mod access;
pub(crate) mod authz;
pub(crate) mod bundles;
pub(crate) mod invites;
pub(crate) mod members;
pub(crate) mod seats;
pub(crate) mod team;
