//! Schema migrations, applied in order and recorded in the database itself.
//!
//! Distributed by tenant: every table's primary key and every unique index leads with
//! `tenant_id`, so the schema can be sharded on it (Citus: `create_distributed_table(…,
//! 'tenant_id')`, colocated). Three tables are hub-wide by design and are the only exceptions
//! ([`HUB_WIDE_TABLES`]); the catalog test fails on any other.

/// Tables not keyed by tenant, and why. On a sharded PostgreSQL they are reference tables.
pub const HUB_WIDE_TABLES: &[(&str, &str)] = &[
    (
        "memberkit_migrations",
        "the schema version of the whole database",
    ),
    (
        "token_routes",
        "which tenant a secret link belongs to: an invite or impersonation token arrives \
         before its tenant is known, so its digest is looked up here, then the row is read \
         from its tenant",
    ),
    (
        "pending_invite_routes",
        "which tenants hold a pending invite for an email key: `claim` on sign-up looks \
         across tenants, then reads each tenant's invite by tenant",
    ),
];

/// (version, name, SQL). Append only: a released migration never changes. `{trgm_ops}` is
/// replaced by the schema-qualified `gin_trgm_ops` when a migration runs.
pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "initial",
        r#"
CREATE TABLE tenants (
    tenant_id uuid PRIMARY KEY,
    name text NOT NULL,
    invite_lifetime_secs bigint NOT NULL,
    max_impersonation_secs bigint NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE members (
    tenant_id uuid NOT NULL REFERENCES tenants (tenant_id),
    id uuid NOT NULL,
    -- Insertion order: "newest first" and its cursors.
    seq bigint GENERATED ALWAYS AS IDENTITY,
    email text NOT NULL,
    -- Byte order ("C"), as on SQLite, so both stores sort and page alike.
    email_key text COLLATE "C" NOT NULL,
    name text,
    external_id text,
    status text NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- The core's Unicode case folding of name and email (`normalize::search_forms`).
    search_text text NOT NULL,
    sort_name text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX members_email_key ON members (tenant_id, email_key);
CREATE UNIQUE INDEX members_external_id ON members (tenant_id, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX members_by_seq ON members (tenant_id, seq);
CREATE INDEX members_by_name ON members (tenant_id, sort_name, id);
CREATE INDEX members_by_status ON members (tenant_id, status, seq);
-- {trgm_ops}: pg_trgm's operator class, named with the schema the extension lives in (it may
-- be outside this connection's search_path).
CREATE INDEX members_search ON members USING gin (search_text {trgm_ops});

CREATE TABLE workspaces (
    tenant_id uuid NOT NULL REFERENCES tenants (tenant_id),
    id uuid NOT NULL,
    name text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX workspaces_name ON workspaces (tenant_id, name);

CREATE TABLE custom_roles (
    tenant_id uuid NOT NULL REFERENCES tenants (tenant_id),
    id uuid NOT NULL,
    name text NOT NULL,
    permissions text[] NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX custom_roles_name ON custom_roles (tenant_id, name);

CREATE TABLE role_assignments (
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL,
    -- The nil uuid = tenant-wide (it sorts first); otherwise the workspace.
    workspace_id uuid NOT NULL,
    role text NOT NULL,
    PRIMARY KEY (tenant_id, member_id, workspace_id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX role_assignments_by_role ON role_assignments (tenant_id, role);
CREATE INDEX role_assignments_by_workspace ON role_assignments (tenant_id, workspace_id);

CREATE TABLE credentials (
    tenant_id uuid NOT NULL,
    member_id uuid NOT NULL,
    password_hash text NOT NULL,
    must_change boolean NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, member_id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE products (
    tenant_id uuid NOT NULL REFERENCES tenants (tenant_id),
    id uuid NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    paid boolean NOT NULL,
    archived boolean NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE grants (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    member_id uuid NOT NULL,
    product_id uuid NOT NULL,
    source text NOT NULL,
    granted_by text NOT NULL,
    granted_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz,
    revoked_by text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
-- At most one open grant per member and product; also has_access's lookup (index-only).
CREATE UNIQUE INDEX grants_open ON grants (tenant_id, member_id, product_id)
    INCLUDE (expires_at) WHERE revoked_at IS NULL;

CREATE TABLE invites (
    tenant_id uuid NOT NULL REFERENCES tenants (tenant_id),
    id uuid NOT NULL,
    member_id uuid NOT NULL,
    email text NOT NULL,
    email_key text COLLATE "C" NOT NULL,
    name text,
    role text NOT NULL,
    workspace_id uuid,
    products uuid[] NOT NULL,
    token_digest bytea NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    accepted_at timestamptz,
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX invites_token ON invites (tenant_id, token_digest);
CREATE UNIQUE INDEX invites_pending ON invites (tenant_id, email_key) WHERE status = 'pending';

CREATE TABLE impersonations (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    actor_id uuid NOT NULL,
    target_id uuid NOT NULL,
    reason text NOT NULL,
    started_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    ended_at timestamptz,
    token_digest bytea NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX impersonations_token ON impersonations (tenant_id, token_digest);
CREATE INDEX impersonations_open_actor ON impersonations (tenant_id, actor_id)
    WHERE ended_at IS NULL;
CREATE INDEX impersonations_open_target ON impersonations (tenant_id, target_id)
    WHERE ended_at IS NULL;

CREATE TABLE audit_log (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    subject text NOT NULL,
    details jsonb NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_by_actor ON audit_log (tenant_id, actor, id);
CREATE INDEX audit_by_subject ON audit_log (tenant_id, subject, id);

CREATE TABLE outbox (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    delivered_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;
CREATE INDEX outbox_pending_by_tenant ON outbox (tenant_id, id) WHERE delivered_at IS NULL;

-- Hub-wide lookups (see HUB_WIDE_TABLES): kept in step by the store in the same transaction.
CREATE TABLE token_routes (
    token_digest bytea PRIMARY KEY,
    tenant_id uuid NOT NULL
);
CREATE TABLE pending_invite_routes (
    email_key text COLLATE "C" NOT NULL,
    tenant_id uuid NOT NULL,
    PRIMARY KEY (email_key, tenant_id)
);
"#,
    ),
    (
        2,
        "per-invite lifetime and message",
        r#"
ALTER TABLE tenants ADD COLUMN max_invite_lifetime_secs bigint NOT NULL DEFAULT 2592000;
-- NULL: the tenant's invite_lifetime.
ALTER TABLE invites ADD COLUMN lifetime_secs bigint;
ALTER TABLE invites ADD COLUMN message text;
"#,
    ),
    (
        3,
        "no row-by-row foreign keys to members",
        r#"
-- PostgreSQL checks these row by row with a plan cached from the statistics of the moment. An
-- autovacuum ANALYZE during a 100k-row import counts only committed rows (200), so the plan
-- scanned all of the tenant's members through another (tenant_id, …) index for every row: one
-- INSERT ran for over 4 minutes at 100% CPU instead of about a second. The core deletes a
-- member's grants, roles and password with the member (`Op::delete_member`), every write holds
-- the tenant's row lock, and the conformance suite checks that nothing is left behind.
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_tenant_id_member_id_fkey;
ALTER TABLE credentials DROP CONSTRAINT credentials_tenant_id_member_id_fkey;
ALTER TABLE grants DROP CONSTRAINT grants_tenant_id_member_id_fkey;
"#,
    ),
    (
        4,
        "copied invite links",
        r#"
-- More links to one invite ("copy invite link"), beside its own token_digest; each digest is
-- routed to its tenant in token_routes like that one.
CREATE TABLE invite_links (
    tenant_id uuid NOT NULL,
    token_digest bytea NOT NULL,
    invite_id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, token_digest)
);
"#,
    ),
    (
        5,
        "declined invites and memberships by email",
        r#"
-- A declined invite is stored 'revoked' with declined_at set; the core derives `declined`.
ALTER TABLE invites ADD COLUMN declined_at timestamptz;
-- "Your workspaces": the one read across tenants without a route table (on a sharded
-- PostgreSQL it asks every shard; it serves a page after sign-up, not a hot path).
CREATE INDEX members_by_email_everywhere ON members (email_key);
"#,
    ),
    (
        6,
        "seat limits",
        r#"
-- NULL: no cap.
ALTER TABLE tenants ADD COLUMN seat_limit bigint;
ALTER TABLE workspaces ADD COLUMN seat_limit bigint;
"#,
    ),
    (
        7,
        "metadata",
        r#"
-- The host's own JSON object, as text: returned as stored, never queried.
ALTER TABLE members ADD COLUMN metadata text NOT NULL DEFAULT '{}';
ALTER TABLE invites ADD COLUMN metadata text NOT NULL DEFAULT '{}';
ALTER TABLE products ADD COLUMN metadata text NOT NULL DEFAULT '{}';
"#,
    ),
    (
        8,
        "access over time",
        r#"
-- NULL: grants from granted_at. has_access reads it too, so its index-only lookup holds it.
ALTER TABLE grants ADD COLUMN starts_at timestamptz;
CREATE UNIQUE INDEX grants_open_with_start ON grants (tenant_id, member_id, product_id)
    INCLUDE (expires_at, starts_at) WHERE revoked_at IS NULL;
DROP INDEX grants_open;
ALTER INDEX grants_open_with_start RENAME TO grants_open;
-- Hub::sweep: the instant each tenant's last sweep covered (NULL: never swept), the lead times
-- of its expiry reminders (seconds, JSON), and what a sweep window reads.
ALTER TABLE tenants ADD COLUMN swept_until timestamptz;
ALTER TABLE tenants ADD COLUMN expiry_reminders text NOT NULL DEFAULT '[604800,86400]';
CREATE INDEX grants_by_expiry ON grants (tenant_id, expires_at)
    WHERE revoked_at IS NULL AND expires_at IS NOT NULL;
CREATE INDEX grants_by_start ON grants (tenant_id, starts_at)
    WHERE revoked_at IS NULL AND starts_at IS NOT NULL;
CREATE INDEX invites_pending_by_expiry ON invites (tenant_id, expires_at) WHERE status = 'pending';
"#,
    ),
    (
        9,
        "bundles",
        r#"
-- A bundle includes a product directly (direct) or through bundles inside it (computed by the
-- core). Keyed by product first: has_access asks which bundles hold a product.
CREATE TABLE bundle_items (
    tenant_id uuid NOT NULL,
    product_id uuid NOT NULL,
    bundle_id uuid NOT NULL,
    direct boolean NOT NULL,
    PRIMARY KEY (tenant_id, product_id, bundle_id)
);
"#,
    ),
    (
        10,
        "verified domains",
        r#"
-- A workspace's email domains; a domain belongs to one workspace per tenant. Hub::claim looks
-- a domain up in every tenant (on a sharded PostgreSQL it asks every shard, as sign-up does).
CREATE TABLE workspace_domains (
    tenant_id uuid NOT NULL,
    domain text NOT NULL,
    workspace_id uuid NOT NULL,
    enrollment text NOT NULL,
    role text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, domain)
);
CREATE INDEX workspace_domains_everywhere ON workspace_domains (domain);
-- A pending invite a domain suggested rather than someone sent.
ALTER TABLE invites ADD COLUMN suggested boolean NOT NULL DEFAULT false;
"#,
    ),
    (
        11,
        "member counts",
        r#"
-- How many members a tenant has in each status, changed in the same transaction as every
-- member insert, status change and delete (under the tenant's row lock, so no extra waiting):
-- the customer list's unfiltered count reads up to three rows instead of every member.
CREATE TABLE member_counts (
    tenant_id uuid NOT NULL,
    status text NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (tenant_id, status)
);
INSERT INTO member_counts (tenant_id, status, n)
    SELECT tenant_id, status, count(*) FROM members GROUP BY tenant_id, status;
"#,
    ),
];
