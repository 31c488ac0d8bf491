//! memberkit for Node: every call that touches the store returns a Promise and runs on the
//! libuv thread pool; hot reads also have a synchronous twin (`hasAccessSync`, `canSync`).
//! Errors are `Error` objects whose `code` is the core's stable code. This crate only
//! converts: arguments in, plain objects out. Files mirror the core's modules and the Python
//! binding's (`hub.rs`, `tenant/…`, `error.rs`).
#![allow(clippy::too_many_arguments)]

mod clock;
mod console;
mod convert;
mod error;
mod hub;
mod json;
mod strict;
mod task;
mod tenant;
mod types;

use memberkit as mk;
use napi_derive::napi;
use std::collections::HashMap;
use strict::Keys;

/// The accepted keys of every options type, for the test that checks them against
/// `index.d.ts`.
#[napi(js_name = "__optionKeys")]
pub fn option_keys() -> HashMap<String, Vec<&'static str>> {
    use tenant::*;
    [
        ("TenantOptions", hub::TenantOptions::KEYS),
        ("ProductOptions", ProductOptions::KEYS),
        ("AddCustomerOptions", AddCustomerOptions::KEYS),
        ("GrantOptions", GrantOptions::KEYS),
        ("InviteOptions", InviteOptions::KEYS),
        ("PasswordOptions", PasswordOptions::KEYS),
        ("ImpersonateOptions", ImpersonateOptions::KEYS),
        ("CustomerQuery", CustomerQuery::KEYS),
        ("ImportOptions", ImportOptions::KEYS),
        ("FileSource", FileSource::KEYS),
        ("AuditQuery", AuditQuery::KEYS),
        ("ConsoleOptions", console::ConsoleOptions::KEYS),
    ]
    .into_iter()
    .map(|(name, keys)| (name.to_owned(), keys.to_vec()))
    .collect()
}

/// The core's operations by class (snake_case) and the ones with a `…Sync` twin, for the test
/// that this package exposes every one.
#[napi(js_name = "__operations")]
pub fn operations() -> HashMap<String, Vec<&'static str>> {
    [
        ("Hub", mk::operations::HUB),
        ("Tenant", mk::operations::TENANT),
        ("sync", mk::operations::SYNC_TWINS),
    ]
    .into_iter()
    .map(|(name, ops)| (name.to_owned(), ops.to_vec()))
    .collect()
}

/// The stable error codes, in the core's order.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    mk::ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

/// The built-in permission catalogue.
#[napi]
pub fn permissions() -> Vec<String> {
    mk::Permission::CATALOGUE
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect()
}

/// The actor for calls the host platform makes on its own authority.
#[napi]
pub const SYSTEM: &str = "system";
