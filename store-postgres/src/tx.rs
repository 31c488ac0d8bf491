//! The `Tx` operations as SQL. Every statement is prepared once per connection. Longer than
//! most files because it is one `impl Tx` (a trait impl cannot be split across files); row
//! conversions are in `rows.rs`, the customer-list SQL in `search.rs`, multi-row writes and
//! reads in `bulk.rs`, the transaction itself (begin, tenant locks, statements) in
//! `transaction.rs`.

use crate::rows::*;
use crate::search::*;
use crate::transaction::{const_sql, PgTx};
use memberkit::store::{
    AccessFacts, AuditQuery, Changes, CustomerFilter, CustomerSort, GrantInstant, HeldRole,
    ImportFacts, InviteFilter, PermissionFacts, RoleUsage,
};
use memberkit::*;
use postgres::types::ToSql;
use time::OffsetDateTime;

/// What `has_access` reads: one row, three primary-key lookups (the grant from its
/// index alone).
pub(crate) const ACCESS_FACTS_SQL: &str =
    "SELECT 0, m.status, p.paid, p.archived, g.product_id IS NOT NULL, g.expires_at, g.starts_at
     FROM members m
     JOIN products p ON p.tenant_id = m.tenant_id AND p.id = $3
     LEFT JOIN grants g ON g.tenant_id = m.tenant_id AND g.member_id = m.id
          AND g.product_id = p.id AND g.revoked_at IS NULL
     WHERE m.tenant_id = $1 AND m.id = $2
     UNION ALL
     SELECT 1, NULL, NULL, NULL, true, g.expires_at, g.starts_at
     FROM bundle_items b
     JOIN grants g ON g.tenant_id = b.tenant_id AND g.member_id = $2
          AND g.product_id = b.bundle_id AND g.revoked_at IS NULL
     WHERE b.tenant_id = $1 AND b.product_id = $3";

/// What `can` reads: the member, whether the workspace asked about exists, and each role
/// with a custom role's permissions (one row per assignment; one row with no role when none).
/// A custom role's id is stored as text in `role`; custom roles are few per tenant.
pub(crate) const PERMISSION_FACTS_SQL: &str = "SELECT m.status,
            $3::uuid IS NULL
              OR EXISTS (SELECT 1 FROM workspaces w WHERE w.tenant_id = $1 AND w.id = $3),
            a.role, a.workspace_id, c.permissions
     FROM members m
     LEFT JOIN role_assignments a ON a.tenant_id = m.tenant_id AND a.member_id = m.id
     LEFT JOIN custom_roles c ON c.tenant_id = a.tenant_id AND c.id::text = a.role
     WHERE m.tenant_id = $1 AND m.id = $2
     ORDER BY a.workspace_id";

impl Tx for PgTx<'_> {
    fn apply(&self, changes: &Changes) -> Result<()> {
        self.enter(changes.tenant)?;
        crate::bulk::apply(self, changes)
    }

    fn import_facts(
        &self,
        tenant: TenantId,
        email_keys: &[&str],
        external_ids: &[&str],
    ) -> Result<ImportFacts> {
        self.enter(tenant)?;
        crate::bulk::import_facts(self, tenant, email_keys, external_ids)
    }

    fn customers(&self, tenant: TenantId, f: &CustomerFilter) -> Result<Vec<(Member, String)>> {
        self.enter(tenant)?;
        let bad = || Error::InvalidInput {
            field: "cursor",
            reason: "is not a cursor from this customer query".into(),
        };
        let mut q = CustomerSql::new(tenant, f);
        if let Some(position) = &f.after {
            match f.sort {
                CustomerSort::Newest => {
                    let seq: i64 = position.parse().map_err(|_| bad())?;
                    let seq = q.arg(seq);
                    q.and(format!("m.seq < {seq}"));
                }
                CustomerSort::Name => {
                    let (key, id) = position.split_once('\u{1f}').ok_or_else(bad)?;
                    let id: MemberId = id.parse().map_err(|_| bad())?;
                    let (key, id) = (q.arg(key.to_owned()), q.arg(id.u()));
                    q.and(format!("(m.sort_name, m.id) > ({key}, {id})"));
                }
                CustomerSort::Email => {
                    let key = q.arg(position.clone());
                    q.and(format!("m.email_key > {key}"));
                }
            }
        }
        let order = match f.sort {
            CustomerSort::Newest => "m.seq DESC",
            CustomerSort::Name => "m.sort_name, m.id",
            CustomerSort::Email => "m.email_key",
        };
        let limit = q.arg(f.limit as i64);
        let sql = format!(
            "SELECT {cols}, m.seq, m.sort_name FROM members m WHERE {conditions}
             ORDER BY {order} LIMIT {limit}",
            cols = prefixed(MEMBER_COLS, "m"),
            conditions = q.conditions.join(" AND ")
        );
        let sort = f.sort;
        let rows = self.rows_planned_now(&sql, &q.params())?;
        rows.iter()
            .map(|r| {
                let m = member_row(r)?;
                let position = match sort {
                    CustomerSort::Newest => get::<i64>(r, 10)?.to_string(),
                    CustomerSort::Name => format!("{}\u{1f}{}", get::<&str>(r, 11)?, m.id),
                    CustomerSort::Email => m.email_key.clone(),
                };
                Ok((m, position))
            })
            .collect()
    }

    fn count_customers(&self, tenant: TenantId, f: &CustomerFilter) -> Result<usize> {
        self.enter(tenant)?;
        if let Some(n) = crate::counts::kept_count(self, tenant, f)? {
            return Ok(n);
        }
        let q = CustomerSql::new(tenant, f);
        let sql = format!(
            "SELECT count(*) FROM members m WHERE {}",
            q.conditions.join(" AND ")
        );
        let rows = self.rows_planned_now(&sql, &q.params())?;
        let n = rows.first().map(|r| get::<i64>(r, 0)).transpose()?;
        Ok(n.unwrap_or(0) as usize)
    }

    fn active_products(
        &self,
        tenant: TenantId,
        members: &[MemberId],
        now: OffsetDateTime,
    ) -> Result<Vec<(MemberId, ProductId, String)>> {
        self.enter(tenant)?;
        if members.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = members.iter().map(AsUuid::u).collect();
        self.all(
            "SELECT g.member_id, p.id, p.name FROM grants g
             JOIN products p ON p.tenant_id = g.tenant_id AND p.id = g.product_id
             WHERE g.tenant_id = $1 AND g.revoked_at IS NULL
               AND (g.expires_at IS NULL OR g.expires_at > $2)
               AND (g.starts_at IS NULL OR g.starts_at <= $2) AND p.paid
               AND g.member_id = ANY($3)
             ORDER BY p.id",
            &[&tenant.u(), &now, &ids],
            |r| {
                Ok((
                    MemberId::from_uuid(get(r, 0)?),
                    ProductId::from_uuid(get(r, 1)?),
                    get(r, 2)?,
                ))
            },
        )
    }

    fn insert_tenant(&self, t: &TenantInfo) -> Result<()> {
        self.exec(
            "INSERT INTO tenants (tenant_id, name, invite_lifetime_secs, max_impersonation_secs,
                 created_at, max_invite_lifetime_secs, seat_limit, swept_until, expiry_reminders)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &t.id.u(),
                &t.name,
                &t.settings.invite_lifetime.whole_seconds(),
                &t.settings.max_impersonation.whole_seconds(),
                &t.created_at,
                &t.settings.max_invite_lifetime.whole_seconds(),
                &t.settings.seat_limit.map(i64::from),
                &t.swept_until,
                &reminders_text(&t.settings.expiry_reminders)?,
            ],
        )
        .map(drop)
    }

    fn update_tenant(&self, t: &TenantInfo) -> Result<()> {
        self.enter(t.id)?;
        self.exec(
            "UPDATE tenants SET name = $2, invite_lifetime_secs = $3, max_impersonation_secs = $4,
                 max_invite_lifetime_secs = $5, seat_limit = $6, swept_until = $7,
                 expiry_reminders = $8
             WHERE tenant_id = $1",
            &[
                &t.id.u(),
                &t.name,
                &t.settings.invite_lifetime.whole_seconds(),
                &t.settings.max_impersonation.whole_seconds(),
                &t.settings.max_invite_lifetime.whole_seconds(),
                &t.settings.seat_limit.map(i64::from),
                &t.swept_until,
                &reminders_text(&t.settings.expiry_reminders)?,
            ],
        )
        .map(drop)
    }

    fn hub_counts(&self, now: OffsetDateTime) -> Result<HubCounts> {
        self.count_hub(now)
    }

    fn tenant_ids(&self) -> Result<Vec<TenantId>> {
        self.all(
            "SELECT tenant_id FROM tenants ORDER BY tenant_id",
            &[],
            |r| Ok(TenantId::from_uuid(get(r, 0)?)),
        )
    }

    fn tenant(&self, id: TenantId) -> Result<Option<TenantInfo>> {
        self.enter(id)?;
        self.one(
            "SELECT tenant_id, name, invite_lifetime_secs, max_impersonation_secs, created_at,
                 max_invite_lifetime_secs, seat_limit, swept_until, expiry_reminders
             FROM tenants WHERE tenant_id = $1",
            &[&id.u()],
            tenant_row,
        )
    }

    fn insert_member(&self, m: &Member) -> Result<()> {
        self.enter(m.tenant_id)?;
        crate::bulk::insert_members(self, &[m])
    }

    fn update_member(&self, m: &Member) -> Result<()> {
        self.enter(m.tenant_id)?;
        let (text, sort_name) = normalize::search_forms(m.name.as_deref(), &m.email_key);
        // The status before this update: the counts follow a change. Read first, not joined
        // into the UPDATE, which Citus could not route to one shard once the plan is cached.
        let was = self.one(
            "SELECT status FROM members WHERE tenant_id = $1 AND id = $2",
            &[&m.tenant_id.u(), &m.id.u()],
            |r| get::<String>(r, 0),
        )?;
        self.exec(
            "UPDATE members SET email = $3, email_key = $4, name = $5, external_id = $6,
                 status = $7, updated_at = $8, search_text = $9, sort_name = $10, metadata = $11
             WHERE tenant_id = $1 AND id = $2",
            &[
                &m.tenant_id.u(),
                &m.id.u(),
                &m.email,
                &m.email_key,
                &m.name,
                &m.external_id,
                &m.status.as_str(),
                &m.updated_at,
                &text,
                &sort_name,
                &metadata_text(&m.metadata)?,
            ],
        )?;
        match was.filter(|was| was != m.status.as_str()) {
            Some(was) => crate::counts::add_to_counts(
                self,
                m.tenant_id,
                &[(&was, -1), (m.status.as_str(), 1)],
            ),
            None => Ok(()),
        }
    }

    fn member(&self, tenant: TenantId, id: MemberId) -> Result<Option<Member>> {
        self.enter(tenant)?;
        self.one(
            const_sql!("SELECT {MEMBER_COLS} FROM members WHERE tenant_id = $1 AND id = $2"),
            &[&tenant.u(), &id.u()],
            member_row,
        )
    }

    fn member_by_email_key(&self, tenant: TenantId, key: &str) -> Result<Option<Member>> {
        self.enter(tenant)?;
        self.one(
            const_sql!("SELECT {MEMBER_COLS} FROM members WHERE tenant_id = $1 AND email_key = $2"),
            &[&tenant.u(), &key],
            member_row,
        )
    }

    fn member_by_external_id(&self, tenant: TenantId, external_id: &str) -> Result<Option<Member>> {
        self.enter(tenant)?;
        self.one(
            const_sql!(
                "SELECT {MEMBER_COLS} FROM members WHERE tenant_id = $1 AND external_id = $2"
            ),
            &[&tenant.u(), &external_id],
            member_row,
        )
    }

    fn delete_pending_invites(&self, tenant: TenantId, email_key: &str) -> Result<usize> {
        self.enter(tenant)?;
        let n = self.exec(
            "DELETE FROM invites WHERE tenant_id = $1 AND email_key = $2 AND status = 'pending'",
            &[&tenant.u(), &email_key],
        )?;
        self.exec(
            "DELETE FROM pending_invite_routes WHERE email_key = $2 AND tenant_id = $1",
            &[&tenant.u(), &email_key],
        )?;
        Ok(n as usize)
    }

    fn delete_member(&self, tenant: TenantId, id: MemberId) -> Result<()> {
        self.enter(tenant)?;
        let status = self.one(
            "DELETE FROM members WHERE tenant_id = $1 AND id = $2 RETURNING status",
            &[&tenant.u(), &id.u()],
            |r| get::<String>(r, 0),
        )?;
        match status {
            Some(status) => crate::counts::add_to_counts(self, tenant, &[(&status, -1)]),
            None => Ok(()),
        }
    }

    fn delete_grants_of(&self, tenant: TenantId, member: MemberId) -> Result<usize> {
        self.enter(tenant)?;
        self.exec(
            "DELETE FROM grants WHERE tenant_id = $1 AND member_id = $2",
            &[&tenant.u(), &member.u()],
        )
        .map(|n| n as usize)
    }

    fn remove_roles(&self, tenant: TenantId, member: MemberId) -> Result<usize> {
        self.enter(tenant)?;
        self.exec(
            "DELETE FROM role_assignments WHERE tenant_id = $1 AND member_id = $2",
            &[&tenant.u(), &member.u()],
        )
        .map(|n| n as usize)
    }

    fn delete_credential(&self, tenant: TenantId, member: MemberId) -> Result<()> {
        self.enter(tenant)?;
        self.exec(
            "DELETE FROM credentials WHERE tenant_id = $1 AND member_id = $2",
            &[&tenant.u(), &member.u()],
        )
        .map(drop)
    }

    fn set_role(
        &self,
        tenant: TenantId,
        member: MemberId,
        workspace: Option<WorkspaceId>,
        role: Role,
    ) -> Result<()> {
        self.enter(tenant)?;
        self.exec(
            "INSERT INTO role_assignments (tenant_id, member_id, workspace_id, role)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, member_id, workspace_id) DO UPDATE SET role = excluded.role",
            &[&tenant.u(), &member.u(), &scope_key(workspace), &role.key()],
        )
        .map(drop)
    }

    fn remove_role(
        &self,
        tenant: TenantId,
        member: MemberId,
        workspace: Option<WorkspaceId>,
    ) -> Result<bool> {
        self.enter(tenant)?;
        self.exec(
            "DELETE FROM role_assignments
             WHERE tenant_id = $1 AND member_id = $2 AND workspace_id = $3",
            &[&tenant.u(), &member.u(), &scope_key(workspace)],
        )
        .map(|n| n > 0)
    }

    fn assignments(&self, tenant: TenantId, member: MemberId) -> Result<Vec<RoleAssignment>> {
        self.enter(tenant)?;
        self.all(
            "SELECT member_id, role, workspace_id FROM role_assignments
             WHERE tenant_id = $1 AND member_id = $2 ORDER BY workspace_id",
            &[&tenant.u(), &member.u()],
            |r| {
                Ok(RoleAssignment {
                    member_id: MemberId::from_uuid(get(r, 0)?),
                    role: parsed(r, 1)?,
                    workspace: scope_of(get(r, 2)?),
                })
            },
        )
    }

    fn workspace_members(
        &self,
        tenant: TenantId,
        workspace: WorkspaceId,
    ) -> Result<Vec<(Member, Role)>> {
        self.enter(tenant)?;
        self.all(
            const_sql!(
                "SELECT {cols}, r.role FROM role_assignments r
                 JOIN members m ON m.tenant_id = r.tenant_id AND m.id = r.member_id
                 WHERE r.tenant_id = $1 AND r.workspace_id = $2 ORDER BY m.id",
                cols = prefixed(MEMBER_COLS, "m")
            ),
            &[&tenant.u(), &scope_key(Some(workspace))],
            |r| Ok((member_row(r)?, parsed(r, 10)?)),
        )
    }

    fn assignments_except(
        &self,
        tenant: TenantId,
        except: Role,
    ) -> Result<Vec<(Member, RoleAssignment)>> {
        self.enter(tenant)?;
        self.all(
            const_sql!(
                "SELECT {cols}, r.role, r.workspace_id FROM role_assignments r
                 JOIN members m ON m.tenant_id = r.tenant_id AND m.id = r.member_id
                 WHERE r.tenant_id = $1 AND r.role <> $2 ORDER BY m.id, r.workspace_id",
                cols = prefixed(MEMBER_COLS, "m")
            ),
            &[&tenant.u(), &except.key()],
            |r| {
                let member = member_row(r)?;
                let assignment = RoleAssignment {
                    member_id: member.id,
                    role: parsed(r, 10)?,
                    workspace: scope_of(get(r, 11)?),
                };
                Ok((member, assignment))
            },
        )
    }

    fn tenant_admins(&self, tenant: TenantId) -> Result<Vec<Member>> {
        self.enter(tenant)?;
        self.all(
            const_sql!(
                "SELECT {cols} FROM role_assignments r
                 JOIN members m ON m.tenant_id = r.tenant_id AND m.id = r.member_id
                 WHERE r.tenant_id = $1 AND r.workspace_id = $2 AND r.role = 'admin'
                 ORDER BY m.id",
                cols = prefixed(MEMBER_COLS, "m")
            ),
            &[&tenant.u(), &scope_key(None)],
            member_row,
        )
    }

    fn role_usage(&self, tenant: TenantId, role: RoleId) -> Result<RoleUsage> {
        self.enter(tenant)?;
        let usage = self.one(
            "SELECT (SELECT count(*) FROM role_assignments WHERE tenant_id = $1 AND role = $2),
                    (SELECT count(*) FROM invites
                     WHERE tenant_id = $1 AND role = $2 AND status = 'pending')",
            &[&tenant.u(), &role.to_string()],
            |r| {
                Ok(RoleUsage {
                    assignments: get::<i64>(r, 0)? as usize,
                    pending_invites: get::<i64>(r, 1)? as usize,
                })
            },
        )?;
        Ok(usage.unwrap_or_default())
    }

    fn insert_workspace(&self, w: &Workspace) -> Result<()> {
        self.enter(w.tenant_id)?;
        self.exec(
            "INSERT INTO workspaces (tenant_id, id, name, created_at, seat_limit)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &w.tenant_id.u(),
                &w.id.u(),
                &w.name,
                &w.created_at,
                &w.seat_limit.map(i64::from),
            ],
        )
        .map(drop)
    }

    fn update_workspace(&self, w: &Workspace) -> Result<()> {
        self.enter(w.tenant_id)?;
        self.exec(
            "UPDATE workspaces SET name = $3, seat_limit = $4 WHERE tenant_id = $1 AND id = $2",
            &[
                &w.tenant_id.u(),
                &w.id.u(),
                &w.name,
                &w.seat_limit.map(i64::from),
            ],
        )
        .map(drop)
    }

    fn seats_taken(
        &self,
        tenant: TenantId,
        workspace: Option<WorkspaceId>,
        now: OffsetDateTime,
    ) -> Result<usize> {
        self.enter(tenant)?;
        // The core's definition (policy::seats): active members, plus live invites of people
        // not active yet; in a workspace, by role there and by the invite's workspace.
        let n: Option<i64> = match workspace {
            None => self.one(
                "SELECT (SELECT count(*) FROM members WHERE tenant_id = $1 AND status = 'active')
                      + (SELECT count(*) FROM invites i
                         JOIN members m ON m.tenant_id = i.tenant_id AND m.id = i.member_id
                         WHERE i.tenant_id = $1 AND i.status = 'pending' AND i.expires_at > $2
                           AND m.status <> 'active')",
                &[&tenant.u(), &now],
                |r| get(r, 0),
            )?,
            Some(ws) => self.one(
                "SELECT (SELECT count(*) FROM role_assignments r
                         JOIN members m ON m.tenant_id = r.tenant_id AND m.id = r.member_id
                         WHERE r.tenant_id = $1 AND r.workspace_id = $3 AND m.status = 'active')
                      + (SELECT count(*) FROM invites i
                         JOIN members m ON m.tenant_id = i.tenant_id AND m.id = i.member_id
                         WHERE i.tenant_id = $1 AND i.status = 'pending' AND i.expires_at > $2
                           AND m.status <> 'active' AND i.workspace_id = $3)",
                &[&tenant.u(), &now, &ws.u()],
                |r| get(r, 0),
            )?,
        };
        Ok(n.unwrap_or(0) as usize)
    }

    fn workspace(&self, tenant: TenantId, id: WorkspaceId) -> Result<Option<Workspace>> {
        self.enter(tenant)?;
        self.one(
            const_sql!("SELECT {WORKSPACE_COLS} FROM workspaces WHERE tenant_id = $1 AND id = $2"),
            &[&tenant.u(), &id.u()],
            workspace_row,
        )
    }

    fn workspace_by_name(&self, tenant: TenantId, name: &str) -> Result<Option<Workspace>> {
        self.enter(tenant)?;
        self.one(
            const_sql!(
                "SELECT {WORKSPACE_COLS} FROM workspaces WHERE tenant_id = $1 AND name = $2"
            ),
            &[&tenant.u(), &name],
            workspace_row,
        )
    }

    fn workspaces(&self, tenant: TenantId) -> Result<Vec<Workspace>> {
        self.enter(tenant)?;
        self.all(
            const_sql!("SELECT {WORKSPACE_COLS} FROM workspaces WHERE tenant_id = $1 ORDER BY id"),
            &[&tenant.u()],
            workspace_row,
        )
    }

    fn insert_domain(&self, d: &WorkspaceDomain) -> Result<()> {
        self.enter(d.tenant_id)?;
        self.exec(
            const_sql!(
                "INSERT INTO workspace_domains ({DOMAIN_COLS}) VALUES ($1, $2, $3, $4, $5, $6)"
            ),
            &[
                &d.tenant_id.u(),
                &d.domain,
                &d.workspace_id.u(),
                &d.enrollment.as_str(),
                &d.role.key(),
                &d.created_at,
            ],
        )
        .map(drop)
    }

    fn delete_domain(&self, tenant: TenantId, domain: &str) -> Result<bool> {
        self.enter(tenant)?;
        self.exec(
            "DELETE FROM workspace_domains WHERE tenant_id = $1 AND domain = $2",
            &[&tenant.u(), &domain],
        )
        .map(|n| n > 0)
    }

    fn domain_rule(&self, tenant: TenantId, domain: &str) -> Result<Option<WorkspaceDomain>> {
        self.enter(tenant)?;
        self.one(
            const_sql!(
                "SELECT {DOMAIN_COLS} FROM workspace_domains WHERE tenant_id = $1 AND domain = $2"
            ),
            &[&tenant.u(), &domain],
            domain_row,
        )
    }

    fn workspace_domains(
        &self,
        tenant: TenantId,
        workspace: WorkspaceId,
    ) -> Result<Vec<WorkspaceDomain>> {
        self.enter(tenant)?;
        self.all(
            const_sql!(
                "SELECT {DOMAIN_COLS} FROM workspace_domains
                 WHERE tenant_id = $1 AND workspace_id = $2 ORDER BY domain"
            ),
            &[&tenant.u(), &workspace.u()],
            domain_row,
        )
    }

    fn domain_rules_everywhere(&self, domain: &str) -> Result<Vec<WorkspaceDomain>> {
        self.all(
            const_sql!(
                "SELECT {DOMAIN_COLS} FROM workspace_domains WHERE domain = $1 ORDER BY tenant_id"
            ),
            &[&domain],
            domain_row,
        )
    }

    fn insert_custom_role(&self, role: &CustomRole) -> Result<()> {
        self.enter(role.tenant_id)?;
        self.exec(
            "INSERT INTO custom_roles (tenant_id, id, name, permissions, created_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &role.tenant_id.u(),
                &role.id.u(),
                &role.name,
                &permission_names(role),
                &role.created_at,
            ],
        )
        .map(drop)
    }

    fn update_custom_role(&self, role: &CustomRole) -> Result<()> {
        self.enter(role.tenant_id)?;
        self.exec(
            "UPDATE custom_roles SET name = $3, permissions = $4 WHERE tenant_id = $1 AND id = $2",
            &[
                &role.tenant_id.u(),
                &role.id.u(),
                &role.name,
                &permission_names(role),
            ],
        )
        .map(drop)
    }

    fn delete_custom_role(&self, tenant: TenantId, id: RoleId) -> Result<()> {
        self.enter(tenant)?;
        self.exec(
            "DELETE FROM custom_roles WHERE tenant_id = $1 AND id = $2",
            &[&tenant.u(), &id.u()],
        )
        .map(drop)
    }

    fn custom_role(&self, tenant: TenantId, id: RoleId) -> Result<Option<CustomRole>> {
        self.enter(tenant)?;
        self.one(
            const_sql!("SELECT {ROLE_COLS} FROM custom_roles WHERE tenant_id = $1 AND id = $2"),
            &[&tenant.u(), &id.u()],
            custom_role_row,
        )
    }

    fn custom_role_by_name(&self, tenant: TenantId, name: &str) -> Result<Option<CustomRole>> {
        self.enter(tenant)?;
        self.one(
            const_sql!("SELECT {ROLE_COLS} FROM custom_roles WHERE tenant_id = $1 AND name = $2"),
            &[&tenant.u(), &name],
            custom_role_row,
        )
    }

    fn custom_roles(&self, tenant: TenantId) -> Result<Vec<CustomRole>> {
        self.enter(tenant)?;
        self.all(
            const_sql!("SELECT {ROLE_COLS} FROM custom_roles WHERE tenant_id = $1 ORDER BY id"),
            &[&tenant.u()],
            custom_role_row,
        )
    }

    fn set_credential(&self, tenant: TenantId, member: MemberId, c: &Credential) -> Result<()> {
        self.enter(tenant)?;
        crate::bulk::set_credentials(self, tenant, &[(member, c)])
    }

    fn credential(&self, tenant: TenantId, member: MemberId) -> Result<Option<Credential>> {
        self.enter(tenant)?;
        self.one(
            "SELECT password_hash, must_change, updated_at FROM credentials
             WHERE tenant_id = $1 AND member_id = $2",
            &[&tenant.u(), &member.u()],
            |r| {
                Ok(Credential {
                    password_hash: get(r, 0)?,
                    must_change: get(r, 1)?,
                    updated_at: get(r, 2)?,
                })
            },
        )
    }

    fn insert_impersonation(&self, s: &Impersonation, digest: &TokenDigest) -> Result<()> {
        self.enter(s.tenant_id)?;
        self.exec(
            const_sql!(
                "INSERT INTO impersonations ({IMPERSONATION_COLS}, token_digest)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            &[
                &s.tenant_id.u(),
                &s.id.u(),
                &s.actor_id.u(),
                &s.target_id.u(),
                &s.reason,
                &s.started_at,
                &s.ends_at,
                &s.ended_at,
                &&digest.0[..],
            ],
        )?;
        crate::bulk::route_tokens(self, s.tenant_id, &[digest])
    }

    fn update_impersonation(&self, s: &Impersonation) -> Result<()> {
        self.enter(s.tenant_id)?;
        self.exec(
            "UPDATE impersonations SET ends_at = $3, ended_at = $4
             WHERE tenant_id = $1 AND id = $2",
            &[&s.tenant_id.u(), &s.id.u(), &s.ends_at, &s.ended_at],
        )
        .map(drop)
    }

    fn impersonation_by_digest(&self, digest: &TokenDigest) -> Result<Option<Impersonation>> {
        let Some(tenant) = self.token_tenant(digest)? else {
            return Ok(None);
        };
        self.enter(TenantId::from_uuid(tenant))?;
        self.one(
            const_sql!(
                "SELECT {IMPERSONATION_COLS} FROM impersonations
                 WHERE tenant_id = $1 AND token_digest = $2"
            ),
            &[&tenant, &&digest.0[..]],
            impersonation_row,
        )
    }

    fn open_impersonations_of(
        &self,
        tenant: TenantId,
        member: MemberId,
    ) -> Result<Vec<Impersonation>> {
        self.enter(tenant)?;
        self.all(
            const_sql!(
                "SELECT {IMPERSONATION_COLS} FROM impersonations
                 WHERE tenant_id = $1 AND ended_at IS NULL AND (actor_id = $2 OR target_id = $2)
                 ORDER BY id"
            ),
            &[&tenant.u(), &member.u()],
            impersonation_row,
        )
    }

    fn insert_product(&self, p: &Product) -> Result<()> {
        self.enter(p.tenant_id)?;
        self.exec(
            const_sql!(
                "INSERT INTO products ({PRODUCT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ),
            &[
                &p.tenant_id.u(),
                &p.id.u(),
                &p.name,
                &p.kind.as_str(),
                &p.paid,
                &p.archived,
                &p.created_at,
                &metadata_text(&p.metadata)?,
            ],
        )
        .map(drop)
    }

    fn update_product(&self, p: &Product) -> Result<()> {
        self.enter(p.tenant_id)?;
        self.exec(
            "UPDATE products SET name = $3, kind = $4, paid = $5, archived = $6, metadata = $7
             WHERE tenant_id = $1 AND id = $2",
            &[
                &p.tenant_id.u(),
                &p.id.u(),
                &p.name,
                &p.kind.as_str(),
                &p.paid,
                &p.archived,
                &metadata_text(&p.metadata)?,
            ],
        )
        .map(drop)
    }

    fn product(&self, tenant: TenantId, id: ProductId) -> Result<Option<Product>> {
        self.enter(tenant)?;
        self.one(
            const_sql!("SELECT {PRODUCT_COLS} FROM products WHERE tenant_id = $1 AND id = $2"),
            &[&tenant.u(), &id.u()],
            product_row,
        )
    }

    fn products(&self, tenant: TenantId) -> Result<Vec<Product>> {
        self.enter(tenant)?;
        self.all(
            const_sql!("SELECT {PRODUCT_COLS} FROM products WHERE tenant_id = $1 ORDER BY id"),
            &[&tenant.u()],
            product_row,
        )
    }

    fn insert_grant(&self, g: &Grant) -> Result<()> {
        self.enter(g.tenant_id)?;
        crate::bulk::insert_grants(self, &[g])
    }

    fn update_grant(&self, g: &Grant) -> Result<()> {
        self.enter(g.tenant_id)?;
        self.exec(
            "UPDATE grants SET source = $3, granted_by = $4, granted_at = $5, expires_at = $6,
                 revoked_at = $7, revoked_by = $8, starts_at = $9
             WHERE tenant_id = $1 AND id = $2",
            &[
                &g.tenant_id.u(),
                &g.id.u(),
                &g.source.as_str(),
                &g.granted_by.to_string(),
                &g.granted_at,
                &g.expires_at,
                &g.revoked_at,
                &g.revoked_by.map(|a| a.to_string()),
                &g.starts_at,
            ],
        )
        .map(drop)
    }

    fn open_grant(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<Grant>> {
        self.enter(tenant)?;
        self.one(
            const_sql!(
                "SELECT {GRANT_COLS} FROM grants
                 WHERE tenant_id = $1 AND member_id = $2 AND product_id = $3
                   AND revoked_at IS NULL"
            ),
            &[&tenant.u(), &member.u(), &product.u()],
            grant_row,
        )
    }

    fn bundle_items(&self, tenant: TenantId) -> Result<Vec<(ProductId, ProductId, bool)>> {
        self.enter(tenant)?;
        self.all(
            "SELECT bundle_id, product_id, direct FROM bundle_items WHERE tenant_id = $1
             ORDER BY bundle_id, product_id",
            &[&tenant.u()],
            |r| {
                Ok((
                    ProductId::from_uuid(get(r, 0)?),
                    ProductId::from_uuid(get(r, 1)?),
                    get(r, 2)?,
                ))
            },
        )
    }

    fn replace_bundle_items(
        &self,
        tenant: TenantId,
        items: &[(ProductId, ProductId, bool)],
    ) -> Result<()> {
        self.enter(tenant)?;
        self.exec(
            "DELETE FROM bundle_items WHERE tenant_id = $1",
            &[&tenant.u()],
        )?;
        let bundles: Vec<uuid::Uuid> = items.iter().map(|(b, _, _)| b.u()).collect();
        let products: Vec<uuid::Uuid> = items.iter().map(|(_, p, _)| p.u()).collect();
        let direct: Vec<bool> = items.iter().map(|(_, _, d)| *d).collect();
        self.exec(
            "INSERT INTO bundle_items (tenant_id, bundle_id, product_id, direct)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::bool[])",
            &[&tenant.u(), &bundles, &products, &direct],
        )
        .map(drop)
    }

    fn grants_between(
        &self,
        tenant: TenantId,
        instant: GrantInstant,
        after: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<Grant>> {
        self.enter(tenant)?;
        let sql = match instant {
            GrantInstant::Starts => const_sql!(
                "SELECT {GRANT_COLS} FROM grants
                 WHERE tenant_id = $1 AND revoked_at IS NULL AND starts_at IS NOT NULL
                   AND starts_at > $2 AND starts_at <= $3 ORDER BY starts_at"
            ),
            GrantInstant::Expires => const_sql!(
                "SELECT {GRANT_COLS} FROM grants
                 WHERE tenant_id = $1 AND revoked_at IS NULL AND expires_at IS NOT NULL
                   AND expires_at > $2 AND expires_at <= $3 ORDER BY expires_at"
            ),
        };
        self.all(sql, &[&tenant.u(), &after, &until], grant_row)
    }

    fn open_grants(&self, tenant: TenantId, member: MemberId) -> Result<Vec<Grant>> {
        self.enter(tenant)?;
        self.all(
            const_sql!(
                "SELECT {GRANT_COLS} FROM grants
                 WHERE tenant_id = $1 AND member_id = $2 AND revoked_at IS NULL ORDER BY id"
            ),
            &[&tenant.u(), &member.u()],
            grant_row,
        )
    }

    fn access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<AccessFacts>> {
        self.enter(tenant)?;
        let sql = match self.on_citus() {
            true => crate::delegated::ACCESS_FACTS_CALL,
            false => ACCESS_FACTS_SQL,
        };
        let rows = self.rows(sql, &[&tenant.u(), &member.u(), &product.u()])?;
        let mut facts: Option<AccessFacts> = None;
        let mut bundle_grants = Vec::new();
        for r in &rows {
            let window = GrantWindow {
                expires_at: get(r, 5)?,
                starts_at: get(r, 6)?,
            };
            if get::<i32>(r, 0)? == 1 {
                bundle_grants.push(window);
                continue;
            }
            let has_grant: bool = get(r, 4)?;
            facts = Some(AccessFacts {
                member_status: parsed(r, 1)?,
                product_paid: get(r, 2)?,
                product_archived: get(r, 3)?,
                open_grant: has_grant.then_some(window),
                bundle_grants: Vec::new(),
            });
        }
        Ok(facts.map(|f| AccessFacts { bundle_grants, ..f }))
    }

    fn permission_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        workspace: Option<WorkspaceId>,
    ) -> Result<Option<PermissionFacts>> {
        self.enter(tenant)?;
        let sql = match self.on_citus() {
            true => crate::delegated::PERMISSION_FACTS_CALL,
            false => PERMISSION_FACTS_SQL,
        };
        let rows = self.rows(sql, &[&tenant.u(), &member.u(), &workspace.map(|w| w.u())])?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mut roles = Vec::new();
        for r in &rows {
            let Some(role) = get::<Option<String>>(r, 2)? else {
                continue; // no assignment: the outer join's one row
            };
            let custom: Option<Vec<String>> = get(r, 4)?;
            roles.push(HeldRole {
                assignment: RoleAssignment {
                    member_id: member,
                    role: role.parse()?,
                    workspace: scope_of(get(r, 3)?),
                },
                custom_permissions: custom
                    .map(|names| names.into_iter().map(Permission::custom).collect()),
            });
        }
        Ok(Some(PermissionFacts {
            member_status: parsed(first, 0)?,
            workspace_found: get(first, 1)?,
            roles,
        }))
    }

    fn insert_invite(&self, i: &Invite, digest: &TokenDigest) -> Result<()> {
        self.enter(i.tenant_id)?;
        crate::bulk::insert_invites(self, i.tenant_id, &[(i, digest)])
    }

    fn update_invite(&self, i: &Invite, new_digest: Option<&TokenDigest>) -> Result<()> {
        self.enter(i.tenant_id)?;
        if let Some(digest) = new_digest {
            // The old link dies with its route; the new one routes to the same tenant. Two
            // statements: each then names its own shard's key (a route lives by its digest).
            let old = self.one(
                "SELECT token_digest FROM invites WHERE tenant_id = $1 AND id = $2",
                &[&i.tenant_id.u(), &i.id.u()],
                |r| get::<Vec<u8>>(r, 0),
            )?;
            if let Some(old) = old {
                self.exec("DELETE FROM token_routes WHERE token_digest = $1", &[&old])?;
            }
            crate::bulk::route_tokens(self, i.tenant_id, &[digest])?;
        }
        let status = i.status.stored().as_str();
        self.exec(
            "UPDATE invites SET member_id = $3, name = $4, role = $5, products = $6,
                 expires_at = $7, status = $8, accepted_at = $9, revoked_at = $10,
                 token_digest = coalesce($11, token_digest), workspace_id = $12,
                 lifetime_secs = $13, message = $14, declined_at = $15, metadata = $16,
                 suggested = $17
             WHERE tenant_id = $1 AND id = $2",
            &[
                &i.tenant_id.u(),
                &i.id.u(),
                &i.member_id.u(),
                &i.name,
                &i.role.key(),
                &product_ids(&i.products),
                &i.expires_at,
                &status,
                &i.accepted_at,
                &i.revoked_at,
                &new_digest.map(|d| &d.0[..]),
                &i.workspace.map(|w| w.u()),
                &i.lifetime.map(|d| d.whole_seconds()),
                &i.message,
                &i.declined_at,
                &metadata_text(&i.metadata)?,
                &i.suggested,
            ],
        )?;
        if status != InviteStatus::Pending.as_str() {
            self.exec(
                "DELETE FROM pending_invite_routes WHERE email_key = $2 AND tenant_id = $1",
                &[&i.tenant_id.u(), &i.email_key],
            )?;
        }
        Ok(())
    }

    fn invite(&self, tenant: TenantId, id: InviteId) -> Result<Option<Invite>> {
        self.enter(tenant)?;
        self.one(
            const_sql!("SELECT {INVITE_COLS} FROM invites WHERE tenant_id = $1 AND id = $2"),
            &[&tenant.u(), &id.u()],
            invite_row,
        )
    }

    fn members_everywhere(&self, email_key: &str) -> Result<Vec<Member>> {
        self.all(
            const_sql!("SELECT {MEMBER_COLS} FROM members WHERE email_key = $1 ORDER BY tenant_id"),
            &[&email_key],
            member_row,
        )
    }

    fn invite_by_digest(&self, digest: &TokenDigest) -> Result<Option<Invite>> {
        let Some(tenant) = self.token_tenant(digest)? else {
            return Ok(None);
        };
        self.enter(TenantId::from_uuid(tenant))?;
        self.one(
            const_sql!(
                "SELECT {INVITE_COLS} FROM invites WHERE tenant_id = $1 AND token_digest = $2
                 UNION ALL
                 SELECT {INVITE_COLS} FROM invites WHERE tenant_id = $1 AND id =
                     (SELECT invite_id FROM invite_links WHERE tenant_id = $1 AND token_digest = $2)
                 LIMIT 1"
            ),
            &[&tenant, &&digest.0[..]],
            invite_row,
        )
    }

    fn add_invite_link(
        &self,
        invite: &Invite,
        digest: &TokenDigest,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.enter(invite.tenant_id)?;
        self.exec(
            "INSERT INTO invite_links (tenant_id, token_digest, invite_id, created_at)
             VALUES ($1, $2, $3, $4)",
            &[&invite.tenant_id.u(), &&digest.0[..], &invite.id.u(), &at],
        )?;
        crate::bulk::route_tokens(self, invite.tenant_id, &[digest])
    }

    fn pending_invite(&self, tenant: TenantId, email_key: &str) -> Result<Option<Invite>> {
        self.enter(tenant)?;
        self.one(
            const_sql!(
                "SELECT {INVITE_COLS} FROM invites
                 WHERE tenant_id = $1 AND email_key = $2 AND status = 'pending'"
            ),
            &[&tenant.u(), &email_key],
            invite_row,
        )
    }

    fn pending_invites_everywhere(&self, email_key: &str) -> Result<Vec<Invite>> {
        let tenants = self.all(
            "SELECT tenant_id FROM pending_invite_routes WHERE email_key = $1",
            &[&email_key],
            |r| get::<uuid::Uuid>(r, 0),
        )?;
        let mut invites = Vec::with_capacity(tenants.len());
        for tenant in tenants {
            // One statement per tenant: each is routed to that tenant's shard.
            invites.extend(self.pending_invite(TenantId::from_uuid(tenant), email_key)?);
        }
        invites.sort_by_key(|i| i.id);
        Ok(invites)
    }

    fn invites(&self, tenant: TenantId, filter: &InviteFilter) -> Result<Vec<Invite>> {
        self.enter(tenant)?;
        self.all(
            const_sql!(
                "SELECT {INVITE_COLS} FROM invites
                 WHERE tenant_id = $1 AND ($3::text IS NULL OR status = $3)
                   AND ($4::timestamptz IS NULL OR expires_at > $4)
                   AND ($5::timestamptz IS NULL OR expires_at <= $5)
                   AND ($6::bool IS NULL OR (declined_at IS NOT NULL) = $6)
                 ORDER BY id DESC LIMIT $2"
            ),
            &[
                &tenant.u(),
                &(filter.limit as i64),
                &filter.stored_status.map(|s| s.stored().as_str()),
                &filter.expires_after,
                &filter.expires_by,
                &filter.declined,
            ],
            invite_row,
        )
    }

    fn append_audit(&self, e: &AuditEntry) -> Result<()> {
        self.enter(e.tenant_id)?;
        crate::bulk::append_audit(self, &[e])
    }

    fn audit(&self, tenant: TenantId, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        self.enter(tenant)?;
        let mut sql = format!("SELECT {AUDIT_COLS} FROM audit_log WHERE tenant_id = $1");
        let mut args: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(tenant.u())];
        let mut add = |condition: &str, value: Box<dyn ToSql + Sync + Send>| {
            args.push(value);
            sql.push_str(&format!(" AND {condition} ${}", args.len()));
        };
        if let Some(actor) = q.actor {
            add("actor =", Box::new(actor.to_string()));
        }
        if let Some(subject) = &q.subject {
            add("subject =", Box::new(subject.clone()));
        }
        if let Some(since) = q.since {
            add("at >=", Box::new(since));
        }
        if let Some(until) = q.until {
            add("at <", Box::new(until));
        }
        if let Some(before) = q.before {
            add("id <", Box::new(before.u()));
        }
        args.push(Box::new(q.limit as i64));
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", args.len()));
        let params: Vec<&(dyn ToSql + Sync)> = args
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect();
        self.all(&sql, &params, audit_row)
    }

    fn append_event(&self, e: &OutboxEvent) -> Result<()> {
        self.enter(e.tenant_id)?;
        crate::bulk::append_events(self, &[e])
    }

    fn pending_events(&self, tenant: Option<TenantId>, limit: usize) -> Result<Vec<OutboxEvent>> {
        if let Some(t) = tenant {
            self.enter(t)?;
        }
        let limit = limit as i64;
        match tenant {
            Some(t) => self.all(
                const_sql!(
                    "SELECT {EVENT_COLS} FROM outbox
                     WHERE tenant_id = $1 AND delivered_at IS NULL ORDER BY id LIMIT $2"
                ),
                &[&t.u(), &limit],
                event_row,
            ),
            // Hub-wide drain: the one statement that reads every tenant (multi-shard on Citus).
            None => self.all(
                const_sql!(
                    "SELECT {EVENT_COLS} FROM outbox WHERE delivered_at IS NULL
                     ORDER BY id LIMIT $1"
                ),
                &[&limit],
                event_row,
            ),
        }
    }

    fn mark_delivered(
        &self,
        tenant: Option<TenantId>,
        ids: &[EventId],
        at: OffsetDateTime,
    ) -> Result<usize> {
        if let Some(t) = tenant {
            self.enter(t)?;
        }
        let ids: Vec<uuid::Uuid> = ids.iter().map(AsUuid::u).collect();
        let n = match tenant {
            Some(t) => self.exec(
                "UPDATE outbox SET delivered_at = $1
                 WHERE tenant_id = $2 AND id = ANY($3) AND delivered_at IS NULL",
                &[&at, &t.u(), &ids],
            )?,
            None => self.exec(
                "UPDATE outbox SET delivered_at = $1 WHERE id = ANY($2) AND delivered_at IS NULL",
                &[&at, &ids],
            )?,
        };
        Ok(n as usize)
    }
}

fn permission_names(role: &CustomRole) -> Vec<String> {
    role.permissions
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect()
}

pub(crate) fn product_ids(products: &[ProductId]) -> Vec<uuid::Uuid> {
    products.iter().map(AsUuid::u).collect()
}
