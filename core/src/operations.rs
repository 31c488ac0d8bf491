//! Every operation the core exposes, by name: the one list each binding's test checks it
//! exposes (Python under these names, Node in camelCase). A test below reads the core's own
//! source, so a new `pub fn` on `Hub` or `Tenant` fails it until it is listed here or in
//! [`RUST_ONLY`] with the reason.

/// Operations on a hub. `open` comes from `memberkit-open`.
pub const HUB: &[&str] = &[
    "open",
    "now",
    "create_tenant",
    "tenant",
    "tenants",
    "claim",
    "invites_for",
    "invite_by_link",
    "memberships_of",
    "sweep",
    "outbox",
    "ack",
];

/// Operations on a tenant handle (`id` is a property in Python and Node).
pub const TENANT: &[&str] = &[
    "id",
    "info",
    "update_settings",
    "create_product",
    "archive_product",
    "update_product_metadata",
    "include_in_bundle",
    "remove_from_bundle",
    "bundle_items",
    "products",
    "product",
    "add_customer",
    "grant",
    "revoke",
    "has_access",
    "access",
    "member",
    "member_by_email",
    "role",
    "invite",
    "resend_invite",
    "copy_invite_link",
    "revoke_invite",
    "accept",
    "claim",
    "decline",
    "decline_pending",
    "get_invite",
    "invites",
    "create_workspace",
    "workspaces",
    "workspace",
    "workspace_members",
    "add_to_workspace",
    "add_domain",
    "remove_domain",
    "domains",
    "accept_suggestion",
    "remove_from_workspace",
    "create_role",
    "update_role",
    "delete_role",
    "roles",
    "assign_role",
    "assignments",
    "team",
    "may_manage",
    "can",
    "deactivate",
    "reactivate",
    "update_member_metadata",
    "remove_member",
    "set_password",
    "verify_password",
    "impersonate",
    "verify_impersonation",
    "end_impersonation",
    "customers",
    "count_customers",
    "export_customers",
    "import_customers",
    "set_seat_limit",
    "seats",
    "audit",
    "outbox",
    "ack",
];

/// Reads cheap enough to answer without leaving the caller's thread: Node gives each a
/// `…Sync` twin (Python calls are synchronous already).
pub const SYNC_TWINS: &[&str] = &["open", "tenant", "has_access", "can"];

/// Public Rust methods the bindings fold into another operation, and why.
pub const RUST_ONLY: &[(&str, &str)] = &[
    (
        "new",
        "Rust builds a hub over any store; the packages open one by path or URL",
    ),
    ("with_clock", "the packages pass a clock to `open`"),
    (
        "create_tenant_with",
        "the packages' `create_tenant` takes the settings as options",
    ),
    ("hub", "a tenant's hub is the one the caller already holds"),
    (
        "try_has_access",
        "Node's `hasAccess` uses it to answer without the thread pool",
    ),
    (
        "stats",
        "operator tooling: `memberkit stats`, also `python -m memberkit stats`",
    ),
    (
        "check",
        "operator tooling: `memberkit doctor`, also `python -m memberkit doctor`",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// `pub fn` names inside `impl Hub` / `impl Tenant` blocks of a source file.
    fn public_methods(source: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut inside = false;
        for line in source.lines() {
            if line.starts_with("impl Hub {") || line.starts_with("impl Tenant {") {
                inside = true;
            } else if line == "}" {
                inside = false;
            } else if let Some(rest) = line.strip_prefix("    pub fn ").filter(|_| inside) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        }
        names
    }

    #[test]
    fn every_public_hub_and_tenant_method_is_listed() {
        let sources = [
            include_str!("hub.rs"),
            include_str!("sweep.rs"),
            include_str!("stats.rs"),
            include_str!("tenant/mod.rs"),
            include_str!("tenant/access.rs"),
            include_str!("tenant/bundles.rs"),
            include_str!("tenant/customers.rs"),
            include_str!("tenant/domains.rs"),
            include_str!("tenant/invites.rs"),
            include_str!("tenant/members.rs"),
            include_str!("tenant/seats.rs"),
            include_str!("tenant/team.rs"),
            include_str!("import/mod.rs"),
        ];
        let found: Vec<String> = sources.iter().flat_map(|s| public_methods(s)).collect();
        assert!(found.len() > 50, "the scan found only {found:?}");
        for name in &found {
            let listed = HUB.contains(&name.as_str())
                || TENANT.contains(&name.as_str())
                || RUST_ONLY.iter().any(|(n, _)| n == name);
            assert!(listed, "`{name}` is public but not in operations.rs");
        }
        for name in TENANT.iter().chain(HUB).filter(|n| **n != "open") {
            assert!(
                found.iter().any(|f| f == name),
                "`{name}` is listed but not defined"
            );
        }
        for name in SYNC_TWINS {
            assert!(HUB.contains(name) || TENANT.contains(name), "{name}");
        }
    }
}
