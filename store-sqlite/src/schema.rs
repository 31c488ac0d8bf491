//! Schema migrations, applied in order and recorded in the file itself.
//!
//! Every key starts with the tenant id so the same schema can be distributed by tenant on a
//! sharded PostgreSQL. Two exceptions are looked up before the tenant is known: the invite-token
//! digest (globally unique by construction: 256 random bits) and the pending-invite email index,
//! which a hub-wide `claim` on sign-up reads across tenants.

use crate::sql_err;
use memberkit::{normalize, Result};
use rusqlite::{params, Connection};

/// (version, name, SQL). Append only: a released migration never changes.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        r#"
CREATE TABLE tenants (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    invite_lifetime_secs INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE members (
    -- A stable integer key for the full-text index to follow (plain rowids may change on VACUUM).
    seq INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    id BLOB NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    name TEXT,
    external_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX members_email_key ON members (tenant_id, email_key);
CREATE UNIQUE INDEX members_external_id ON members (tenant_id, external_id)
    WHERE external_id IS NOT NULL;

CREATE TABLE role_assignments (
    tenant_id BLOB NOT NULL,
    member_id BLOB NOT NULL,
    -- empty blob = tenant-wide; workspaces come with the team-side schema
    workspace_id BLOB NOT NULL DEFAULT x'',
    role TEXT NOT NULL,
    PRIMARY KEY (tenant_id, member_id, workspace_id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE products (
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    paid INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE grants (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    member_id BLOB NOT NULL,
    product_id BLOB NOT NULL,
    source TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER,
    revoked_by TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
-- At most one open grant per member and product; also the has_access lookup.
CREATE UNIQUE INDEX grants_open ON grants (tenant_id, member_id, product_id)
    WHERE revoked_at IS NULL;

CREATE TABLE invites (
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    id BLOB NOT NULL,
    member_id BLOB NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    name TEXT,
    role TEXT NOT NULL,
    products TEXT NOT NULL,
    token_digest BLOB NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    accepted_at INTEGER,
    revoked_at INTEGER,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX invites_token ON invites (token_digest);
CREATE UNIQUE INDEX invites_pending ON invites (tenant_id, email_key) WHERE status = 'pending';
CREATE INDEX invites_pending_everywhere ON invites (email_key) WHERE status = 'pending';

CREATE TABLE audit_log (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE outbox (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;
CREATE INDEX outbox_pending_by_tenant ON outbox (tenant_id, id) WHERE delivered_at IS NULL;
"#,
    ),
    (
        2,
        "team side: workspaces, custom roles, passwords, impersonation",
        r#"
CREATE TABLE workspaces (
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX workspaces_name ON workspaces (tenant_id, name);

CREATE TABLE custom_roles (
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    permissions TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX custom_roles_name ON custom_roles (tenant_id, name);
CREATE INDEX role_assignments_by_role ON role_assignments (tenant_id, role);
CREATE INDEX role_assignments_by_workspace ON role_assignments (tenant_id, workspace_id);

CREATE TABLE credentials (
    tenant_id BLOB NOT NULL,
    member_id BLOB NOT NULL,
    password_hash TEXT NOT NULL,
    must_change INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, member_id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE impersonations (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    actor_id BLOB NOT NULL,
    target_id BLOB NOT NULL,
    reason TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    ended_at INTEGER,
    token_digest BLOB NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX impersonations_token ON impersonations (token_digest);
CREATE INDEX impersonations_open_actor ON impersonations (tenant_id, actor_id)
    WHERE ended_at IS NULL;
CREATE INDEX impersonations_open_target ON impersonations (tenant_id, target_id)
    WHERE ended_at IS NULL;

ALTER TABLE invites ADD COLUMN workspace_id BLOB;
ALTER TABLE tenants ADD COLUMN max_impersonation_secs INTEGER NOT NULL DEFAULT 3600;

CREATE INDEX audit_by_actor ON audit_log (tenant_id, actor, id);
CREATE INDEX audit_by_subject ON audit_log (tenant_id, subject, id);
"#,
    ),
    (
        3,
        "customer list: search text, name order, trigram index",
        r#"
-- Filled by the store: a 3-character marker of the tenant, a space, and the core's Unicode case
-- folding of name and email (`normalize::search_text`). The marker lets one trigram index serve
-- every tenant: a search ANDs it with the term and never touches other tenants' rows.
ALTER TABLE members ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
CREATE INDEX members_by_name ON members (tenant_id, sort_name, id);
-- "Newest first" is insertion order: seq, descending, within the tenant.
CREATE INDEX members_by_seq ON members (tenant_id, seq);
CREATE INDEX members_by_status ON members (tenant_id, status, id);

-- Contentless with rowid deletes: the store keeps it in step itself (per row, or in bulk at
-- the end of an import, always inside the same transaction). Rowid = members.seq.
CREATE VIRTUAL TABLE members_fts USING fts5(
    search_text, content = '', contentless_delete = 1, tokenize = 'trigram'
);
"#,
    ),
    (
        4,
        "one pending-invite index",
        r#"
-- One index serves both pending-invite lookups (within a tenant, and hub-wide on sign-up) and
-- keeps one pending invite per email per tenant: each invite writes one random-order index
-- entry fewer (hand-written bulk invite inserts spent ~6% of their time on the second one).
DROP INDEX invites_pending;
DROP INDEX invites_pending_everywhere;
CREATE UNIQUE INDEX invites_pending_by_email ON invites (email_key, tenant_id)
    WHERE status = 'pending';
"#,
    ),
    (
        5,
        "email keys that keep distinct mailboxes apart",
        r#"
-- Email keys no longer use full Unicode case folding (`ſ`, `ß`, ligatures merged distinct
-- addresses). The keys of non-ASCII emails are recomputed in Rust right after this
-- (`tx::rekey_emails`); ASCII keys are unchanged. The new keys are finer than the old ones,
-- so no unique index can clash.
SELECT 1;
"#,
    ),
    (
        6,
        "covering indexes for has_access",
        r#"
-- has_access reads one row from each of members, products and grants. These indexes hold every
-- column it reads, so each lookup is answered from the index alone (one B-tree descent instead
-- of two); the statement names them with INDEXED BY. Measured by hand on the quick bench
-- dataset: 7.5 µs instead of 11.2 µs per check.
CREATE UNIQUE INDEX members_access ON members (tenant_id, id, status);
CREATE UNIQUE INDEX products_access ON products (tenant_id, id, paid, archived);
CREATE INDEX grants_open_access ON grants (tenant_id, member_id, product_id, expires_at, revoked_at)
    WHERE revoked_at IS NULL;
"#,
    ),
    (
        7,
        "per-invite lifetime and message",
        r#"
ALTER TABLE tenants ADD COLUMN max_invite_lifetime_secs INTEGER NOT NULL DEFAULT 2592000;
-- NULL: the tenant's invite_lifetime.
ALTER TABLE invites ADD COLUMN lifetime_secs INTEGER;
ALTER TABLE invites ADD COLUMN message TEXT;
"#,
    ),
    (
        8,
        "copied invite links",
        r#"
-- More links to one invite ("copy invite link"), beside its own token_digest. Looked up before
-- the tenant is known, like that one; the digest is globally unique by construction.
CREATE TABLE invite_links (
    token_digest BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL,
    invite_id BLOB NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    ),
    (
        9,
        "declined invites and memberships by email",
        r#"
-- A declined invite is stored 'revoked' with declined_at set (the status CHECK stays as it is);
-- the core derives `declined`, as it derives `expired`.
ALTER TABLE invites ADD COLUMN declined_at INTEGER;
-- Hub-wide: every tenant an email belongs to ("your workspaces").
CREATE INDEX members_by_email_everywhere ON members (email_key);
"#,
    ),
    (
        10,
        "seat limits",
        r#"
-- NULL: no cap.
ALTER TABLE tenants ADD COLUMN seat_limit INTEGER;
ALTER TABLE workspaces ADD COLUMN seat_limit INTEGER;
"#,
    ),
    (
        11,
        "metadata",
        r#"
-- The host's own JSON object, as text.
ALTER TABLE members ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE invites ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE products ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
"#,
    ),
    (
        12,
        "access over time",
        r#"
-- NULL: grants from granted_at. has_access reads it too, so its covering index holds it.
ALTER TABLE grants ADD COLUMN starts_at INTEGER;
DROP INDEX grants_open_access;
CREATE INDEX grants_open_access
    ON grants (tenant_id, member_id, product_id, expires_at, revoked_at, starts_at)
    WHERE revoked_at IS NULL;
-- Hub::sweep: the instant each tenant's last sweep covered (NULL: never swept), the lead times
-- of its expiry reminders (seconds, JSON), and what a sweep window reads.
ALTER TABLE tenants ADD COLUMN swept_until INTEGER;
ALTER TABLE tenants ADD COLUMN expiry_reminders TEXT NOT NULL DEFAULT '[604800,86400]';
CREATE INDEX grants_by_expiry ON grants (tenant_id, expires_at)
    WHERE revoked_at IS NULL AND expires_at IS NOT NULL;
CREATE INDEX grants_by_start ON grants (tenant_id, starts_at)
    WHERE revoked_at IS NULL AND starts_at IS NOT NULL;
CREATE INDEX invites_pending_by_expiry ON invites (tenant_id, expires_at) WHERE status = 'pending';
"#,
    ),
    (
        13,
        "bundles",
        r#"
-- A bundle includes a product directly (direct = 1) or through bundles inside it (direct = 0,
-- computed by the core). Keyed by product first: has_access asks which bundles hold a product.
CREATE TABLE bundle_items (
    tenant_id BLOB NOT NULL,
    product_id BLOB NOT NULL,
    bundle_id BLOB NOT NULL,
    direct INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, product_id, bundle_id)
) WITHOUT ROWID;
"#,
    ),
    (
        14,
        "verified domains",
        r#"
-- A workspace's email domains; a domain belongs to one workspace per tenant. Hub::claim looks
-- a domain up in every tenant.
CREATE TABLE workspace_domains (
    tenant_id BLOB NOT NULL,
    domain TEXT NOT NULL,
    workspace_id BLOB NOT NULL,
    enrollment TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, domain)
) WITHOUT ROWID;
CREATE INDEX workspace_domains_everywhere ON workspace_domains (domain);
-- A pending invite a domain suggested rather than someone sent.
ALTER TABLE invites ADD COLUMN suggested INTEGER NOT NULL DEFAULT 0;
"#,
    ),
    (
        15,
        "member counts",
        r#"
-- How many members a tenant has in each status, changed in the same transaction as every
-- member insert, status change and delete: the customer list's unfiltered count reads up to
-- three rows instead of every member.
CREATE TABLE member_counts (
    tenant_id BLOB NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, status)
) WITHOUT ROWID;
INSERT INTO member_counts (tenant_id, status, n)
    SELECT tenant_id, status, count(*) FROM members GROUP BY tenant_id, status;
"#,
    ),
];

/// Recomputes the email keys of non-ASCII emails with the core's current rule (migration 5).
pub(crate) fn rekey_emails(conn: &Connection) -> Result<()> {
    for table in ["members", "invites"] {
        let rows: Vec<(i64, String, String)> = {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT rowid, email, email_key FROM {table} WHERE email GLOB '*[^ -~]*'"
                ))
                .map_err(sql_err)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(sql_err)?;
            rows.collect::<rusqlite::Result<_>>().map_err(sql_err)?
        };
        let mut update = conn
            .prepare(&format!(
                "UPDATE {table} SET email_key = ?2 WHERE rowid = ?1"
            ))
            .map_err(sql_err)?;
        for (rowid, email, old_key) in rows {
            let key = normalize::email_key_of(&email);
            if key != old_key {
                update.execute(params![rowid, key]).map_err(sql_err)?;
            }
        }
    }
    Ok(())
}
