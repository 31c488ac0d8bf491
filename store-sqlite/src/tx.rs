//! The `Tx` operations as SQL. Every statement is prepared through the connection's cache.
//! Longer than most files because it is one `impl Tx` (a trait impl cannot be split across
//! files); row conversions are in `rows.rs`, the customer-list SQL in `search.rs`.

use crate::rows::*;
use crate::search::*;
use crate::sql_err;
use memberkit::store::{
    AccessFacts, AuditQuery, Changes, CustomerFilter, CustomerSort, GrantInstant, InviteFilter,
    RoleUsage,
};
use memberkit::*;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::sync::LazyLock;
use time::{Duration, OffsetDateTime};

mod counts;
mod stats;

/// A SQL string built once from the `*_COLS` constants (statement-cache lookups run per row).
macro_rules! const_sql {
    ($($fmt:tt)*) => {{
        static SQL: LazyLock<String> = LazyLock::new(|| format!($($fmt)*));
        SQL.as_str()
    }};
}

pub(crate) struct SqlTx<'c> {
    conn: &'c Connection,
    /// Inside [`Tx::apply`]: members with a larger `seq` are indexed when it ends.
    bulk_after: std::cell::Cell<Option<i64>>,
}

impl<'c> SqlTx<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self {
            conn,
            bulk_after: std::cell::Cell::new(None),
        }
    }

    /// Puts a member's search text in the trigram index, unless the running `apply` will.
    fn index_member(&self, seq: i64, text: &str, replace: bool) -> Result<()> {
        if self.bulk_after.get().is_some_and(|after| seq > after) {
            return Ok(());
        }
        if replace {
            self.exec("DELETE FROM members_fts WHERE rowid = ?1", params![seq])?;
        }
        self.exec(
            "INSERT INTO members_fts (rowid, search_text) VALUES (?1, ?2)",
            params![seq, text],
        )
        .map(drop)
    }

    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> Result<usize> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_err)?;
        stmt.execute(params).map_err(sql_err)
    }

    fn one<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_err)?;
        stmt.query_row(params, map).optional().map_err(sql_err)
    }

    fn all<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_err)?;
        let rows = stmt.query_map(params, map).map_err(sql_err)?;
        rows.collect::<rusqlite::Result<Vec<T>>>().map_err(sql_err)
    }
}

/// What `has_access` reads: one row of facts, three lookups each answered by a covering index
/// (schema 6), then one row per grant to a bundle that includes the product (one probe of
/// `bundle_items` by product, which finds nothing for most products).
pub(crate) const ACCESS_FACTS_SQL: &str =
    "SELECT 0, m.status, p.paid, p.archived, g.product_id IS NOT NULL, g.expires_at, g.starts_at
     FROM members m INDEXED BY members_access
     JOIN products p INDEXED BY products_access ON p.tenant_id = m.tenant_id AND p.id = ?3
     LEFT JOIN grants g INDEXED BY grants_open_access ON g.tenant_id = m.tenant_id
          AND g.member_id = m.id AND g.product_id = p.id AND g.revoked_at IS NULL
     WHERE m.tenant_id = ?1 AND m.id = ?2
     UNION ALL
     SELECT 1, NULL, NULL, NULL, 1, g.expires_at, g.starts_at
     FROM bundle_items b
     JOIN grants g INDEXED BY grants_open_access ON g.tenant_id = b.tenant_id
          AND g.member_id = ?2 AND g.product_id = b.bundle_id AND g.revoked_at IS NULL
     WHERE b.tenant_id = ?1 AND b.product_id = ?3";

impl Tx for SqlTx<'_> {
    fn apply(&self, changes: &Changes) -> Result<()> {
        // The search index is filled for all new members at the end with one INSERT ...
        // SELECT, ~6x faster than one insert per row.
        let after = match changes.new_members.len() > 100 {
            true => Some(
                self.one("SELECT coalesce(max(seq), 0) FROM members", [], |r| {
                    r.get::<_, i64>(0)
                })?,
            )
            .flatten(),
            false => None,
        };
        self.bulk_after.set(after);
        let result = changes.apply_one_by_one(self);
        self.bulk_after.set(None);
        result?;
        if let Some(after) = after {
            self.exec(
                "INSERT INTO members_fts (rowid, search_text)
                 SELECT seq, search_text FROM members WHERE seq > ?1",
                params![after],
            )?;
        }
        Ok(())
    }

    fn customers(&self, tenant: TenantId, f: &CustomerFilter) -> Result<Vec<(Member, String)>> {
        let bad = || Error::InvalidInput {
            field: "cursor",
            reason: "is not a cursor from this customer query".into(),
        };
        // Newest first with a search term walks the trigram index backwards and stops at the
        // page size; every other shape filters and orders through the members indexes.
        let drive_by_index = f.sort == CustomerSort::Newest
            && f.search.as_ref().is_some_and(|t| t.chars().count() >= 3);
        let mut q = CustomerSql::new(tenant, f, !drive_by_index);
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
        let cols = prefixed(MEMBER_COLS, "m");
        let sql = if drive_by_index {
            let term = f.search.as_deref().unwrap_or_default();
            let phrase = q.arg(tenant_phrase(tenant, term));
            let limit = q.arg(f.limit as i64);
            format!(
                "SELECT {cols}, m.seq, m.sort_name
                 FROM members_fts f JOIN members m ON m.seq = f.rowid
                 WHERE members_fts MATCH {phrase} AND {}
                 ORDER BY f.rowid DESC LIMIT {limit}",
                q.conditions.join(" AND ")
            )
        } else {
            let order = match f.sort {
                CustomerSort::Newest => "m.seq DESC",
                CustomerSort::Name => "m.sort_name, m.id",
                CustomerSort::Email => "m.email_key",
            };
            let limit = q.arg(f.limit as i64);
            format!(
                "SELECT {cols}, m.seq, m.sort_name FROM members m WHERE {}
                 ORDER BY {order} LIMIT {limit}",
                q.conditions.join(" AND ")
            )
        };
        let sort = f.sort;
        self.all(&sql, rusqlite::params_from_iter(q.args.iter()), |r| {
            let m = member_row(r)?;
            let position = match sort {
                CustomerSort::Newest => r.get::<_, i64>(10)?.to_string(),
                CustomerSort::Name => format!("{}\u{1f}{}", r.get::<_, String>(11)?, m.id),
                CustomerSort::Email => m.email_key.clone(),
            };
            Ok((m, position))
        })
    }

    fn count_customers(&self, tenant: TenantId, f: &CustomerFilter) -> Result<usize> {
        if let Some(n) = self.kept_count(tenant, f)? {
            return Ok(n);
        }
        let q = CustomerSql::new(tenant, f, true);
        let sql = format!(
            "SELECT count(*) FROM members m WHERE {}",
            q.conditions.join(" AND ")
        );
        self.one(&sql, rusqlite::params_from_iter(q.args.iter()), |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n.unwrap_or(0) as usize)
    }

    fn active_products(
        &self,
        tenant: TenantId,
        members: &[MemberId],
        now: OffsetDateTime,
    ) -> Result<Vec<(MemberId, ProductId, String)>> {
        if members.is_empty() {
            return Ok(Vec::new());
        }
        // One statement per page size keeps the statement cache small and hits it every time.
        let placeholders = (0..members.len())
            .map(|i| format!("?{}", i + 3))
            .collect::<Vec<_>>();
        let sql = format!(
            "SELECT g.member_id, p.id, p.name FROM grants g
             JOIN products p ON p.tenant_id = g.tenant_id AND p.id = g.product_id
             WHERE g.tenant_id = ?1 AND g.revoked_at IS NULL
               AND (g.expires_at IS NULL OR g.expires_at > ?2)
               AND (g.starts_at IS NULL OR g.starts_at <= ?2) AND p.paid = 1
               AND g.member_id IN ({})
             ORDER BY p.id",
            placeholders.join(", ")
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(tenant.u()), Box::new(ts(now))];
        args.extend(
            members
                .iter()
                .map(|m| Box::new(m.u()) as Box<dyn rusqlite::ToSql>),
        );
        self.all(&sql, rusqlite::params_from_iter(args.iter()), |r| {
            Ok((
                MemberId::from_uuid(r.get(0)?),
                ProductId::from_uuid(r.get(1)?),
                r.get(2)?,
            ))
        })
    }

    fn insert_tenant(&self, t: &TenantInfo) -> Result<()> {
        self.exec(
            "INSERT INTO tenants (id, name, invite_lifetime_secs, created_at, max_impersonation_secs,
                 max_invite_lifetime_secs, seat_limit, swept_until, expiry_reminders)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                t.id.u(),
                t.name,
                t.settings.invite_lifetime.whole_seconds(),
                ts(t.created_at),
                t.settings.max_impersonation.whole_seconds(),
                t.settings.max_invite_lifetime.whole_seconds(),
                t.settings.seat_limit,
                t.swept_until.map(ts),
                reminders_text(&t.settings.expiry_reminders)?
            ],
        )
        .map(drop)
    }

    fn update_tenant(&self, t: &TenantInfo) -> Result<()> {
        self.exec(
            "UPDATE tenants SET name = ?2, invite_lifetime_secs = ?3, max_impersonation_secs = ?4,
                 max_invite_lifetime_secs = ?5, seat_limit = ?6, swept_until = ?7,
                 expiry_reminders = ?8
             WHERE id = ?1",
            params![
                t.id.u(),
                t.name,
                t.settings.invite_lifetime.whole_seconds(),
                t.settings.max_impersonation.whole_seconds(),
                t.settings.max_invite_lifetime.whole_seconds(),
                t.settings.seat_limit,
                t.swept_until.map(ts),
                reminders_text(&t.settings.expiry_reminders)?
            ],
        )
        .map(drop)
    }

    fn hub_counts(&self, now: OffsetDateTime) -> Result<HubCounts> {
        self.count_hub(now)
    }

    fn tenant_ids(&self) -> Result<Vec<TenantId>> {
        self.all("SELECT id FROM tenants ORDER BY id", [], |r| {
            Ok(TenantId::from_uuid(r.get(0)?))
        })
    }

    fn tenant(&self, id: TenantId) -> Result<Option<TenantInfo>> {
        self.one(
            "SELECT id, name, invite_lifetime_secs, created_at, max_impersonation_secs,
                 max_invite_lifetime_secs, seat_limit, swept_until, expiry_reminders
             FROM tenants WHERE id = ?1",
            params![id.u()],
            |r| {
                Ok(TenantInfo {
                    id: TenantId::from_uuid(r.get(0)?),
                    name: r.get(1)?,
                    settings: TenantSettings {
                        invite_lifetime: Duration::seconds(r.get(2)?),
                        max_impersonation: Duration::seconds(r.get(4)?),
                        max_invite_lifetime: Duration::seconds(r.get(5)?),
                        seat_limit: r.get(6)?,
                        expiry_reminders: get_reminders(r, 8)?,
                    },
                    created_at: get_ts(r, 3)?,
                    swept_until: get_opt_ts(r, 7)?,
                })
            },
        )
    }

    fn insert_member(&self, m: &Member) -> Result<()> {
        let (text, sort_name) = search_columns(m.tenant_id, m.name.as_deref(), &m.email_key);
        self.exec(
            const_sql!(
                "INSERT INTO members ({MEMBER_COLS}, search_text, sort_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ),
            params![
                m.tenant_id.u(),
                m.id.u(),
                m.email,
                m.email_key,
                m.name,
                m.external_id,
                m.status.as_str(),
                ts(m.created_at),
                ts(m.updated_at),
                json_text(&m.metadata)?,
                text,
                sort_name
            ],
        )?;
        self.index_member(self.conn.last_insert_rowid(), &text, false)?;
        self.add_to_count(m.tenant_id, m.status.as_str(), 1)
    }

    fn update_member(&self, m: &Member) -> Result<()> {
        let (text, sort_name) = search_columns(m.tenant_id, m.name.as_deref(), &m.email_key);
        let was = self.one(
            "SELECT status FROM members WHERE tenant_id = ?1 AND id = ?2",
            params![m.tenant_id.u(), m.id.u()],
            |r| r.get::<_, String>(0),
        )?;
        if let Some(was) = was.filter(|was| was != m.status.as_str()) {
            self.add_to_count(m.tenant_id, &was, -1)?;
            self.add_to_count(m.tenant_id, m.status.as_str(), 1)?;
        }
        let seq = self.one(
            "UPDATE members SET email = ?3, email_key = ?4, name = ?5, external_id = ?6,
                 status = ?7, updated_at = ?8, search_text = ?9, sort_name = ?10, metadata = ?11
             WHERE tenant_id = ?1 AND id = ?2
             RETURNING seq",
            params![
                m.tenant_id.u(),
                m.id.u(),
                m.email,
                m.email_key,
                m.name,
                m.external_id,
                m.status.as_str(),
                ts(m.updated_at),
                text,
                sort_name,
                json_text(&m.metadata)?
            ],
            |r| r.get::<_, i64>(0),
        )?;
        match seq {
            Some(seq) => self.index_member(seq, &text, true),
            None => Ok(()),
        }
    }

    fn member(&self, tenant: TenantId, id: MemberId) -> Result<Option<Member>> {
        self.one(
            const_sql!("SELECT {MEMBER_COLS} FROM members WHERE tenant_id = ?1 AND id = ?2"),
            params![tenant.u(), id.u()],
            member_row,
        )
    }

    fn member_by_email_key(&self, tenant: TenantId, key: &str) -> Result<Option<Member>> {
        self.one(
            const_sql!("SELECT {MEMBER_COLS} FROM members WHERE tenant_id = ?1 AND email_key = ?2"),
            params![tenant.u(), key],
            member_row,
        )
    }

    fn member_by_external_id(&self, tenant: TenantId, external_id: &str) -> Result<Option<Member>> {
        self.one(
            const_sql!(
                "SELECT {MEMBER_COLS} FROM members WHERE tenant_id = ?1 AND external_id = ?2"
            ),
            params![tenant.u(), external_id],
            member_row,
        )
    }

    fn delete_pending_invites(&self, tenant: TenantId, email_key: &str) -> Result<usize> {
        self.exec(
            "DELETE FROM invites WHERE tenant_id = ?1 AND email_key = ?2 AND status = 'pending'",
            params![tenant.u(), email_key],
        )
    }

    fn delete_member(&self, tenant: TenantId, id: MemberId) -> Result<()> {
        let deleted = self.one(
            "DELETE FROM members WHERE tenant_id = ?1 AND id = ?2 RETURNING seq, status",
            params![tenant.u(), id.u()],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )?;
        if let Some((seq, status)) = deleted {
            self.exec("DELETE FROM members_fts WHERE rowid = ?1", params![seq])?;
            self.add_to_count(tenant, &status, -1)?;
        }
        Ok(())
    }

    fn delete_grants_of(&self, tenant: TenantId, member: MemberId) -> Result<usize> {
        self.exec(
            "DELETE FROM grants WHERE tenant_id = ?1 AND member_id = ?2",
            params![tenant.u(), member.u()],
        )
    }

    fn remove_roles(&self, tenant: TenantId, member: MemberId) -> Result<usize> {
        self.exec(
            "DELETE FROM role_assignments WHERE tenant_id = ?1 AND member_id = ?2",
            params![tenant.u(), member.u()],
        )
    }

    fn delete_credential(&self, tenant: TenantId, member: MemberId) -> Result<()> {
        self.exec(
            "DELETE FROM credentials WHERE tenant_id = ?1 AND member_id = ?2",
            params![tenant.u(), member.u()],
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
        self.exec(
            "INSERT INTO role_assignments (tenant_id, member_id, workspace_id, role)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id, member_id, workspace_id) DO UPDATE SET role = excluded.role",
            params![tenant.u(), member.u(), scope_key(workspace), role.key()],
        )
        .map(drop)
    }

    fn remove_role(
        &self,
        tenant: TenantId,
        member: MemberId,
        workspace: Option<WorkspaceId>,
    ) -> Result<bool> {
        self.exec(
            "DELETE FROM role_assignments
             WHERE tenant_id = ?1 AND member_id = ?2 AND workspace_id = ?3",
            params![tenant.u(), member.u(), scope_key(workspace)],
        )
        .map(|n| n > 0)
    }

    fn assignments(&self, tenant: TenantId, member: MemberId) -> Result<Vec<RoleAssignment>> {
        self.all(
            "SELECT member_id, role, workspace_id FROM role_assignments
             WHERE tenant_id = ?1 AND member_id = ?2 ORDER BY workspace_id",
            params![tenant.u(), member.u()],
            |r| {
                Ok(RoleAssignment {
                    member_id: MemberId::from_uuid(r.get(0)?),
                    role: get_parsed(r, 1)?,
                    workspace: get_scope(r, 2)?,
                })
            },
        )
    }

    fn workspace_members(
        &self,
        tenant: TenantId,
        workspace: WorkspaceId,
    ) -> Result<Vec<(Member, Role)>> {
        self.all(
            &format!(
                "SELECT {cols}, r.role FROM role_assignments r
                 JOIN members m ON m.tenant_id = r.tenant_id AND m.id = r.member_id
                 WHERE r.tenant_id = ?1 AND r.workspace_id = ?2 ORDER BY m.id",
                cols = prefixed(MEMBER_COLS, "m")
            ),
            params![tenant.u(), scope_key(Some(workspace))],
            |r| Ok((member_row(r)?, get_parsed(r, 10)?)),
        )
    }

    fn assignments_except(
        &self,
        tenant: TenantId,
        except: Role,
    ) -> Result<Vec<(Member, RoleAssignment)>> {
        self.all(
            &format!(
                "SELECT {cols}, r.role, r.workspace_id FROM role_assignments r
                 JOIN members m ON m.tenant_id = r.tenant_id AND m.id = r.member_id
                 WHERE r.tenant_id = ?1 AND r.role <> ?2 ORDER BY m.id, r.workspace_id",
                cols = prefixed(MEMBER_COLS, "m")
            ),
            params![tenant.u(), except.key()],
            |r| {
                let member = member_row(r)?;
                let assignment = RoleAssignment {
                    member_id: member.id,
                    role: get_parsed(r, 10)?,
                    workspace: get_scope(r, 11)?,
                };
                Ok((member, assignment))
            },
        )
    }

    fn tenant_admins(&self, tenant: TenantId) -> Result<Vec<Member>> {
        self.all(
            &format!(
                "SELECT {cols} FROM role_assignments r
                 JOIN members m ON m.tenant_id = r.tenant_id AND m.id = r.member_id
                 WHERE r.tenant_id = ?1 AND r.workspace_id = x'' AND r.role = 'admin'
                 ORDER BY m.id",
                cols = prefixed(MEMBER_COLS, "m")
            ),
            params![tenant.u()],
            member_row,
        )
    }

    fn role_usage(&self, tenant: TenantId, role: RoleId) -> Result<RoleUsage> {
        self.one(
            "SELECT (SELECT count(*) FROM role_assignments WHERE tenant_id = ?1 AND role = ?2),
                    (SELECT count(*) FROM invites
                     WHERE tenant_id = ?1 AND role = ?2 AND status = 'pending')",
            params![tenant.u(), role.to_string()],
            |r| {
                Ok(RoleUsage {
                    assignments: r.get::<_, i64>(0)? as usize,
                    pending_invites: r.get::<_, i64>(1)? as usize,
                })
            },
        )
        .map(Option::unwrap_or_default)
    }

    fn insert_workspace(&self, w: &Workspace) -> Result<()> {
        self.exec(
            "INSERT INTO workspaces (tenant_id, id, name, created_at, seat_limit)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                w.tenant_id.u(),
                w.id.u(),
                w.name,
                ts(w.created_at),
                w.seat_limit
            ],
        )
        .map(drop)
    }

    fn update_workspace(&self, w: &Workspace) -> Result<()> {
        self.exec(
            "UPDATE workspaces SET name = ?3, seat_limit = ?4 WHERE tenant_id = ?1 AND id = ?2",
            params![w.tenant_id.u(), w.id.u(), w.name, w.seat_limit],
        )
        .map(drop)
    }

    fn seats_taken(
        &self,
        tenant: TenantId,
        workspace: Option<WorkspaceId>,
        now: OffsetDateTime,
    ) -> Result<usize> {
        // The core's definition (policy::seats): active members, plus live invites of people
        // not active yet; in a workspace, by role there and by the invite's workspace.
        let live_invites = "SELECT count(*) FROM invites i
             JOIN members m ON m.tenant_id = i.tenant_id AND m.id = i.member_id
             WHERE i.tenant_id = ?1 AND i.status = 'pending' AND i.expires_at > ?2
               AND m.status <> 'active'";
        let n = match workspace {
            None => self.one(
                &format!(
                    "SELECT (SELECT count(*) FROM members WHERE tenant_id = ?1 AND status = 'active')
                          + ({live_invites})"
                ),
                params![tenant.u(), ts(now)],
                |r| r.get::<_, i64>(0),
            )?,
            Some(ws) => self.one(
                &format!(
                    "SELECT (SELECT count(*) FROM role_assignments r
                             JOIN members m ON m.tenant_id = r.tenant_id AND m.id = r.member_id
                             WHERE r.tenant_id = ?1 AND r.workspace_id = ?3
                               AND m.status = 'active')
                          + ({live_invites} AND i.workspace_id = ?4)"
                ),
                params![tenant.u(), ts(now), scope_key(Some(ws)), ws.u()],
                |r| r.get::<_, i64>(0),
            )?,
        };
        Ok(n.unwrap_or(0) as usize)
    }

    fn workspace(&self, tenant: TenantId, id: WorkspaceId) -> Result<Option<Workspace>> {
        self.one(
            const_sql!("SELECT {WORKSPACE_COLS} FROM workspaces WHERE tenant_id = ?1 AND id = ?2"),
            params![tenant.u(), id.u()],
            workspace_row,
        )
    }

    fn workspace_by_name(&self, tenant: TenantId, name: &str) -> Result<Option<Workspace>> {
        self.one(
            const_sql!(
                "SELECT {WORKSPACE_COLS} FROM workspaces WHERE tenant_id = ?1 AND name = ?2"
            ),
            params![tenant.u(), name],
            workspace_row,
        )
    }

    fn workspaces(&self, tenant: TenantId) -> Result<Vec<Workspace>> {
        self.all(
            const_sql!("SELECT {WORKSPACE_COLS} FROM workspaces WHERE tenant_id = ?1 ORDER BY id"),
            params![tenant.u()],
            workspace_row,
        )
    }

    fn insert_domain(&self, d: &WorkspaceDomain) -> Result<()> {
        self.exec(
            const_sql!(
                "INSERT INTO workspace_domains ({DOMAIN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ),
            params![
                d.tenant_id.u(),
                d.domain,
                d.workspace_id.u(),
                d.enrollment.as_str(),
                d.role.key(),
                ts(d.created_at)
            ],
        )
        .map(drop)
    }

    fn delete_domain(&self, tenant: TenantId, domain: &str) -> Result<bool> {
        self.exec(
            "DELETE FROM workspace_domains WHERE tenant_id = ?1 AND domain = ?2",
            params![tenant.u(), domain],
        )
        .map(|n| n > 0)
    }

    fn domain_rule(&self, tenant: TenantId, domain: &str) -> Result<Option<WorkspaceDomain>> {
        self.one(
            const_sql!(
                "SELECT {DOMAIN_COLS} FROM workspace_domains WHERE tenant_id = ?1 AND domain = ?2"
            ),
            params![tenant.u(), domain],
            domain_row,
        )
    }

    fn workspace_domains(
        &self,
        tenant: TenantId,
        workspace: WorkspaceId,
    ) -> Result<Vec<WorkspaceDomain>> {
        self.all(
            const_sql!(
                "SELECT {DOMAIN_COLS} FROM workspace_domains
                 WHERE tenant_id = ?1 AND workspace_id = ?2 ORDER BY domain"
            ),
            params![tenant.u(), workspace.u()],
            domain_row,
        )
    }

    fn domain_rules_everywhere(&self, domain: &str) -> Result<Vec<WorkspaceDomain>> {
        self.all(
            const_sql!(
                "SELECT {DOMAIN_COLS} FROM workspace_domains INDEXED BY workspace_domains_everywhere
                 WHERE domain = ?1 ORDER BY tenant_id"
            ),
            params![domain],
            domain_row,
        )
    }

    fn insert_custom_role(&self, role: &CustomRole) -> Result<()> {
        self.exec(
            "INSERT INTO custom_roles (tenant_id, id, name, permissions, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                role.tenant_id.u(),
                role.id.u(),
                role.name,
                json_text(&role.permissions)?,
                ts(role.created_at)
            ],
        )
        .map(drop)
    }

    fn update_custom_role(&self, role: &CustomRole) -> Result<()> {
        self.exec(
            "UPDATE custom_roles SET name = ?3, permissions = ?4 WHERE tenant_id = ?1 AND id = ?2",
            params![
                role.tenant_id.u(),
                role.id.u(),
                role.name,
                json_text(&role.permissions)?
            ],
        )
        .map(drop)
    }

    fn delete_custom_role(&self, tenant: TenantId, id: RoleId) -> Result<()> {
        self.exec(
            "DELETE FROM custom_roles WHERE tenant_id = ?1 AND id = ?2",
            params![tenant.u(), id.u()],
        )
        .map(drop)
    }

    fn custom_role(&self, tenant: TenantId, id: RoleId) -> Result<Option<CustomRole>> {
        self.one(
            const_sql!("SELECT {ROLE_COLS} FROM custom_roles WHERE tenant_id = ?1 AND id = ?2"),
            params![tenant.u(), id.u()],
            custom_role_row,
        )
    }

    fn custom_role_by_name(&self, tenant: TenantId, name: &str) -> Result<Option<CustomRole>> {
        self.one(
            const_sql!("SELECT {ROLE_COLS} FROM custom_roles WHERE tenant_id = ?1 AND name = ?2"),
            params![tenant.u(), name],
            custom_role_row,
        )
    }

    fn custom_roles(&self, tenant: TenantId) -> Result<Vec<CustomRole>> {
        self.all(
            const_sql!("SELECT {ROLE_COLS} FROM custom_roles WHERE tenant_id = ?1 ORDER BY id"),
            params![tenant.u()],
            custom_role_row,
        )
    }

    fn set_credential(&self, tenant: TenantId, member: MemberId, c: &Credential) -> Result<()> {
        self.exec(
            "INSERT INTO credentials (tenant_id, member_id, password_hash, must_change, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (tenant_id, member_id) DO UPDATE SET
                 password_hash = excluded.password_hash, must_change = excluded.must_change,
                 updated_at = excluded.updated_at",
            params![
                tenant.u(),
                member.u(),
                c.password_hash,
                c.must_change,
                ts(c.updated_at)
            ],
        )
        .map(drop)
    }

    fn credential(&self, tenant: TenantId, member: MemberId) -> Result<Option<Credential>> {
        self.one(
            "SELECT password_hash, must_change, updated_at FROM credentials
             WHERE tenant_id = ?1 AND member_id = ?2",
            params![tenant.u(), member.u()],
            |r| {
                Ok(Credential {
                    password_hash: r.get(0)?,
                    must_change: r.get(1)?,
                    updated_at: get_ts(r, 2)?,
                })
            },
        )
    }

    fn insert_impersonation(&self, s: &Impersonation, digest: &TokenDigest) -> Result<()> {
        self.exec(
            const_sql!(
                "INSERT INTO impersonations ({IMPERSONATION_COLS}, token_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                s.tenant_id.u(),
                s.id.u(),
                s.actor_id.u(),
                s.target_id.u(),
                s.reason,
                ts(s.started_at),
                ts(s.ends_at),
                s.ended_at.map(ts),
                &digest.0[..]
            ],
        )
        .map(drop)
    }

    fn update_impersonation(&self, s: &Impersonation) -> Result<()> {
        self.exec(
            "UPDATE impersonations SET ends_at = ?3, ended_at = ?4
             WHERE tenant_id = ?1 AND id = ?2",
            params![s.tenant_id.u(), s.id.u(), ts(s.ends_at), s.ended_at.map(ts)],
        )
        .map(drop)
    }

    fn impersonation_by_digest(&self, digest: &TokenDigest) -> Result<Option<Impersonation>> {
        self.one(
            const_sql!("SELECT {IMPERSONATION_COLS} FROM impersonations WHERE token_digest = ?1"),
            params![&digest.0[..]],
            impersonation_row,
        )
    }

    fn open_impersonations_of(
        &self,
        tenant: TenantId,
        member: MemberId,
    ) -> Result<Vec<Impersonation>> {
        self.all(
            const_sql!(
                "SELECT {IMPERSONATION_COLS} FROM impersonations
                 WHERE tenant_id = ?1 AND ended_at IS NULL AND (actor_id = ?2 OR target_id = ?2)
                 ORDER BY id"
            ),
            params![tenant.u(), member.u()],
            impersonation_row,
        )
    }

    fn insert_product(&self, p: &Product) -> Result<()> {
        self.exec(
            const_sql!(
                "INSERT INTO products ({PRODUCT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ),
            params![
                p.tenant_id.u(),
                p.id.u(),
                p.name,
                p.kind.as_str(),
                p.paid,
                p.archived,
                ts(p.created_at),
                json_text(&p.metadata)?
            ],
        )
        .map(drop)
    }

    fn update_product(&self, p: &Product) -> Result<()> {
        self.exec(
            "UPDATE products SET name = ?3, kind = ?4, paid = ?5, archived = ?6, metadata = ?7
             WHERE tenant_id = ?1 AND id = ?2",
            params![
                p.tenant_id.u(),
                p.id.u(),
                p.name,
                p.kind.as_str(),
                p.paid,
                p.archived,
                json_text(&p.metadata)?
            ],
        )
        .map(drop)
    }

    fn product(&self, tenant: TenantId, id: ProductId) -> Result<Option<Product>> {
        self.one(
            const_sql!("SELECT {PRODUCT_COLS} FROM products WHERE tenant_id = ?1 AND id = ?2"),
            params![tenant.u(), id.u()],
            product_row,
        )
    }

    fn products(&self, tenant: TenantId) -> Result<Vec<Product>> {
        self.all(
            const_sql!("SELECT {PRODUCT_COLS} FROM products WHERE tenant_id = ?1 ORDER BY id"),
            params![tenant.u()],
            product_row,
        )
    }

    fn insert_grant(&self, g: &Grant) -> Result<()> {
        self.exec(
            const_sql!("INSERT INTO grants ({GRANT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
            params![
                g.tenant_id.u(), g.id.u(), g.member_id.u(), g.product_id.u(), g.source.as_str(),
                g.granted_by.to_string(), ts(g.granted_at), g.expires_at.map(ts),
                g.revoked_at.map(ts), g.revoked_by.map(|a| a.to_string()), g.starts_at.map(ts)
            ],
        )
        .map(drop)
    }

    fn update_grant(&self, g: &Grant) -> Result<()> {
        self.exec(
            "UPDATE grants SET source = ?3, granted_by = ?4, granted_at = ?5, expires_at = ?6,
                 revoked_at = ?7, revoked_by = ?8, starts_at = ?9
             WHERE tenant_id = ?1 AND id = ?2",
            params![
                g.tenant_id.u(),
                g.id.u(),
                g.source.as_str(),
                g.granted_by.to_string(),
                ts(g.granted_at),
                g.expires_at.map(ts),
                g.revoked_at.map(ts),
                g.revoked_by.map(|a| a.to_string()),
                g.starts_at.map(ts)
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
        self.one(
            const_sql!("SELECT {GRANT_COLS} FROM grants
                 WHERE tenant_id = ?1 AND member_id = ?2 AND product_id = ?3 AND revoked_at IS NULL"),
            params![tenant.u(), member.u(), product.u()],
            grant_row,
        )
    }

    fn bundle_items(&self, tenant: TenantId) -> Result<Vec<(ProductId, ProductId, bool)>> {
        self.all(
            "SELECT bundle_id, product_id, direct FROM bundle_items WHERE tenant_id = ?1
             ORDER BY bundle_id, product_id",
            params![tenant.u()],
            |r| {
                Ok((
                    ProductId::from_uuid(r.get(0)?),
                    ProductId::from_uuid(r.get(1)?),
                    r.get(2)?,
                ))
            },
        )
    }

    fn replace_bundle_items(
        &self,
        tenant: TenantId,
        items: &[(ProductId, ProductId, bool)],
    ) -> Result<()> {
        self.exec(
            "DELETE FROM bundle_items WHERE tenant_id = ?1",
            params![tenant.u()],
        )?;
        for (bundle, product, direct) in items {
            self.exec(
                "INSERT INTO bundle_items (tenant_id, bundle_id, product_id, direct)
                 VALUES (?1, ?2, ?3, ?4)",
                params![tenant.u(), bundle.u(), product.u(), direct],
            )?;
        }
        Ok(())
    }

    fn grants_between(
        &self,
        tenant: TenantId,
        instant: GrantInstant,
        after: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<Grant>> {
        let sql = match instant {
            GrantInstant::Starts => const_sql!(
                "SELECT {GRANT_COLS} FROM grants INDEXED BY grants_by_start
                 WHERE tenant_id = ?1 AND revoked_at IS NULL AND starts_at IS NOT NULL
                   AND starts_at > ?2 AND starts_at <= ?3 ORDER BY starts_at"
            ),
            GrantInstant::Expires => const_sql!(
                "SELECT {GRANT_COLS} FROM grants INDEXED BY grants_by_expiry
                 WHERE tenant_id = ?1 AND revoked_at IS NULL AND expires_at IS NOT NULL
                   AND expires_at > ?2 AND expires_at <= ?3 ORDER BY expires_at"
            ),
        };
        self.all(sql, params![tenant.u(), ts(after), ts(until)], grant_row)
    }

    fn open_grants(&self, tenant: TenantId, member: MemberId) -> Result<Vec<Grant>> {
        self.all(
            const_sql!(
                "SELECT {GRANT_COLS} FROM grants
                 WHERE tenant_id = ?1 AND member_id = ?2 AND revoked_at IS NULL ORDER BY id"
            ),
            params![tenant.u(), member.u()],
            grant_row,
        )
    }

    fn access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<AccessFacts>> {
        let mut stmt = self
            .conn
            .prepare_cached(ACCESS_FACTS_SQL)
            .map_err(sql_err)?;
        let mut rows = stmt
            .query(params![tenant.u(), member.u(), product.u()])
            .map_err(sql_err)?;
        let mut facts: Option<AccessFacts> = None;
        let mut bundle_grants = Vec::new();
        while let Some(r) = rows.next().map_err(sql_err)? {
            let window = |r: &Row<'_>| -> rusqlite::Result<GrantWindow> {
                Ok(GrantWindow {
                    expires_at: get_opt_ts(r, 5)?,
                    starts_at: get_opt_ts(r, 6)?,
                })
            };
            let row = || -> rusqlite::Result<_> {
                if r.get::<_, i64>(0)? == 1 {
                    return Ok((None, Some(window(r)?)));
                }
                let has_grant: bool = r.get(4)?;
                let facts = AccessFacts {
                    member_status: get_parsed(r, 1)?,
                    product_paid: r.get(2)?,
                    product_archived: r.get(3)?,
                    open_grant: if has_grant { Some(window(r)?) } else { None },
                    bundle_grants: Vec::new(),
                };
                Ok((Some(facts), None))
            };
            match row().map_err(sql_err)? {
                (Some(f), _) => facts = Some(f),
                (_, Some(w)) => bundle_grants.push(w),
                _ => {}
            }
        }
        Ok(facts.map(|f| AccessFacts { bundle_grants, ..f }))
    }

    fn insert_invite(&self, i: &Invite, digest: &TokenDigest) -> Result<()> {
        self.exec(
            "INSERT INTO invites (tenant_id, id, member_id, email, email_key, name, role, products,
                 created_by, created_at, expires_at, status, accepted_at, revoked_at, token_digest,
                 workspace_id, lifetime_secs, message, declined_at, metadata, suggested)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21)",
            params![
                i.tenant_id.u(),
                i.id.u(),
                i.member_id.u(),
                i.email,
                i.email_key,
                i.name,
                i.role.key(),
                json_text(&i.products)?,
                i.created_by.to_string(),
                ts(i.created_at),
                ts(i.expires_at),
                i.status.stored().as_str(),
                i.accepted_at.map(ts),
                i.revoked_at.map(ts),
                &digest.0[..],
                i.workspace.map(|w| w.u()),
                i.lifetime.map(|d| d.whole_seconds()),
                i.message,
                i.declined_at.map(ts),
                json_text(&i.metadata)?,
                i.suggested
            ],
        )
        .map(drop)
    }

    fn update_invite(&self, i: &Invite, new_digest: Option<&TokenDigest>) -> Result<()> {
        self.exec(
            "UPDATE invites SET member_id = ?3, name = ?4, role = ?5, products = ?6,
                 expires_at = ?7, status = ?8, accepted_at = ?9, revoked_at = ?10,
                 token_digest = coalesce(?11, token_digest), workspace_id = ?12,
                 lifetime_secs = ?13, message = ?14, declined_at = ?15, metadata = ?16,
                 suggested = ?17
             WHERE tenant_id = ?1 AND id = ?2",
            params![
                i.tenant_id.u(),
                i.id.u(),
                i.member_id.u(),
                i.name,
                i.role.key(),
                json_text(&i.products)?,
                ts(i.expires_at),
                i.status.stored().as_str(),
                i.accepted_at.map(ts),
                i.revoked_at.map(ts),
                new_digest.map(|d| d.0.to_vec()),
                i.workspace.map(|w| w.u()),
                i.lifetime.map(|d| d.whole_seconds()),
                i.message,
                i.declined_at.map(ts),
                json_text(&i.metadata)?,
                i.suggested
            ],
        )
        .map(drop)
    }

    fn invite(&self, tenant: TenantId, id: InviteId) -> Result<Option<Invite>> {
        self.one(
            const_sql!("SELECT {INVITE_COLS} FROM invites WHERE tenant_id = ?1 AND id = ?2"),
            params![tenant.u(), id.u()],
            invite_row,
        )
    }

    fn members_everywhere(&self, email_key: &str) -> Result<Vec<Member>> {
        self.all(
            const_sql!(
                "SELECT {MEMBER_COLS} FROM members INDEXED BY members_by_email_everywhere
                 WHERE email_key = ?1 ORDER BY tenant_id"
            ),
            params![email_key],
            member_row,
        )
    }

    fn invite_by_digest(&self, digest: &TokenDigest) -> Result<Option<Invite>> {
        self.one(
            const_sql!(
                "SELECT {INVITE_COLS} FROM invites WHERE token_digest = ?1
                 UNION ALL
                 SELECT {INVITE_COLS} FROM invites WHERE (tenant_id, id) =
                     (SELECT tenant_id, invite_id FROM invite_links WHERE token_digest = ?1)
                 LIMIT 1"
            ),
            params![&digest.0[..]],
            invite_row,
        )
    }

    fn add_invite_link(
        &self,
        invite: &Invite,
        digest: &TokenDigest,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO invite_links (token_digest, tenant_id, invite_id, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![&digest.0[..], invite.tenant_id.u(), invite.id.u(), ts(at)],
        )
        .map(drop)
    }

    fn pending_invite(&self, tenant: TenantId, email_key: &str) -> Result<Option<Invite>> {
        self.one(
            const_sql!(
                "SELECT {INVITE_COLS} FROM invites
                 WHERE tenant_id = ?1 AND email_key = ?2 AND status = 'pending'"
            ),
            params![tenant.u(), email_key],
            invite_row,
        )
    }

    fn pending_invites_everywhere(&self, email_key: &str) -> Result<Vec<Invite>> {
        self.all(
            const_sql!(
                "SELECT {INVITE_COLS} FROM invites
                 WHERE email_key = ?1 AND status = 'pending' ORDER BY id"
            ),
            params![email_key],
            invite_row,
        )
    }

    fn invites(&self, tenant: TenantId, filter: &InviteFilter) -> Result<Vec<Invite>> {
        self.all(
            const_sql!(
                "SELECT {INVITE_COLS} FROM invites
                 WHERE tenant_id = ?1 AND (?3 IS NULL OR status = ?3)
                   AND (?4 IS NULL OR expires_at > ?4) AND (?5 IS NULL OR expires_at <= ?5)
                   AND (?6 IS NULL OR (declined_at IS NOT NULL) = ?6)
                 ORDER BY id DESC LIMIT ?2"
            ),
            params![
                tenant.u(),
                filter.limit as i64,
                filter.stored_status.map(|s| s.stored().as_str()),
                filter.expires_after.map(ts),
                filter.expires_by.map(ts),
                filter.declined
            ],
            invite_row,
        )
    }

    fn append_audit(&self, e: &AuditEntry) -> Result<()> {
        self.exec(
            "INSERT INTO audit_log (tenant_id, id, at, actor, action, subject, details)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                e.tenant_id.u(),
                e.id.u(),
                ts(e.at),
                e.actor.to_string(),
                e.action,
                e.subject,
                json_text(&e.details)?
            ],
        )
        .map(drop)
    }

    fn audit(&self, tenant: TenantId, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut sql = String::from(
            "SELECT tenant_id, id, at, actor, action, subject, details FROM audit_log
             WHERE tenant_id = ?1",
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(tenant.u())];
        let mut add = |condition: &str, value: Box<dyn rusqlite::ToSql>| {
            args.push(value);
            sql.push_str(&format!(" AND {condition} ?{}", args.len()));
        };
        if let Some(actor) = q.actor {
            add("actor =", Box::new(actor.to_string()));
        }
        if let Some(subject) = &q.subject {
            add("subject =", Box::new(subject.clone()));
        }
        if let Some(since) = q.since {
            add("at >=", Box::new(ts(since)));
        }
        if let Some(until) = q.until {
            add("at <", Box::new(ts(until)));
        }
        if let Some(before) = q.before {
            add("id <", Box::new(before.u()));
        }
        args.push(Box::new(q.limit as i64));
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ?{}", args.len()));
        self.all(&sql, rusqlite::params_from_iter(args.iter()), |r| {
            Ok(AuditEntry {
                tenant_id: TenantId::from_uuid(r.get(0)?),
                id: AuditId::from_uuid(r.get(1)?),
                at: get_ts(r, 2)?,
                actor: get_parsed(r, 3)?,
                action: r.get(4)?,
                subject: r.get(5)?,
                details: get_json(r, 6)?,
            })
        })
    }

    fn append_event(&self, e: &OutboxEvent) -> Result<()> {
        self.exec(
            const_sql!("INSERT INTO outbox ({EVENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            params![
                e.tenant_id.u(),
                e.id.u(),
                e.kind,
                json_text(&e.payload)?,
                ts(e.created_at),
                e.delivered_at.map(ts)
            ],
        )
        .map(drop)
    }

    fn pending_events(&self, tenant: Option<TenantId>, limit: usize) -> Result<Vec<OutboxEvent>> {
        match tenant {
            Some(t) => self.all(
                const_sql!("SELECT {EVENT_COLS} FROM outbox
                     WHERE tenant_id = ?1 AND delivered_at IS NULL ORDER BY id LIMIT ?2"),
                params![t.u(), limit as i64],
                event_row,
            ),
            None => self.all(
                const_sql!("SELECT {EVENT_COLS} FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?1"),
                params![limit as i64],
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
        let mut n = 0;
        for id in ids {
            n += self.exec(
                "UPDATE outbox SET delivered_at = ?1
                 WHERE id = ?2 AND delivered_at IS NULL AND (?3 IS NULL OR tenant_id = ?3)",
                params![ts(at), id.u(), tenant.map(|t| t.u())],
            )?;
        }
        Ok(n)
    }
}
