//! Scenario steps for the customer list, import, export, the audit log, settings, custom roles
//! and workspaces (format: `tests/README.md`).

use super::Runner;
use memberkit::time::Duration;
use memberkit::*;
use serde_json::{json, Value};

impl Runner {
    /// Runs `op` if it is one of this file's; `None` for an unknown op.
    pub(super) fn run_more(&mut self, op: &str, step: &Value) -> Option<Result<Value>> {
        let result = match op {
            "import" => self.import(step),
            "customers" => self.customers(step),
            "count_customers" => self
                .customer_query(step)
                .and_then(|q| self.tenant(step).count_customers(&q))
                .map(|n| json!(n)),
            "export_customers" => self
                .customer_query(step)
                .and_then(|q| self.tenant(step).export_customers(&q))
                .map(|csv| json!(csv.lines().collect::<Vec<_>>())),
            "audit_actions" => self.audit_actions(step),
            "update_settings" => self.update_settings(step),
            "update_role" => self
                .tenant(step)
                .update_role(
                    self.actor(step),
                    self.id(step, "role"),
                    &self.str(step, "name"),
                    &self.permissions(step),
                )
                .map(|_| Value::Null),
            "delete_role" => self
                .tenant(step)
                .delete_role(self.actor(step), self.id(step, "role"))
                .map(|_| Value::Null),
            "role_names" => self
                .tenant(step)
                .roles()
                .map(|roles| json!(roles.into_iter().map(|r| r.name).collect::<Vec<_>>())),
            "workspace_names" => self
                .tenant(step)
                .workspaces()
                .map(|list| json!(list.into_iter().map(|w| w.name).collect::<Vec<_>>())),
            "workspace_members" => self
                .tenant(step)
                .workspace_members(self.id(step, "workspace"))
                .map(|list| {
                    json!(list
                        .into_iter()
                        .map(|m| json!({ "member": m.member.id.to_string(), "role": m.role.key() }))
                        .collect::<Vec<_>>())
                }),
            "remove_from_workspace" => self
                .tenant(step)
                .remove_from_workspace(
                    self.actor(step),
                    self.id(step, "member"),
                    self.id(step, "workspace"),
                )
                .map(|removed| json!(removed)),
            "set_seat_limit" => {
                let limit = step["limit"].as_u64().map(|n| n as u32);
                let workspace = self.opt_id(step, "workspace");
                self.tenant(step)
                    .set_seat_limit(self.actor(step), workspace, limit)
                    .map(seats)
            }
            "seats" => self
                .tenant(step)
                .seats(self.opt_id(step, "workspace"))
                .map(seats),
            "add_domain" => {
                let mut new = NewDomain::new(self.str(step, "domain"));
                if let Some(e) = self.opt_str(step, "enrollment") {
                    new.enrollment = e.parse().unwrap();
                }
                if step.get("role").is_some() {
                    new.role = self.role(step);
                }
                self.tenant(step)
                    .add_domain(self.actor(step), self.id(step, "workspace"), new)
                    .map(|d| json!(d.domain))
            }
            "remove_domain" => self
                .tenant(step)
                .remove_domain(
                    self.actor(step),
                    self.id(step, "workspace"),
                    &self.str(step, "domain"),
                )
                .map(|removed| json!(removed)),
            "include_in_bundle" => self
                .tenant(step)
                .include_in_bundle(
                    self.actor(step),
                    self.id(step, "bundle"),
                    self.id(step, "product"),
                )
                .map(|items| json!(items.into_iter().map(|p| p.name).collect::<Vec<_>>())),
            "remove_from_bundle" => self
                .tenant(step)
                .remove_from_bundle(
                    self.actor(step),
                    self.id(step, "bundle"),
                    self.id(step, "product"),
                )
                .map(|removed| json!(removed)),
            "access_via" => self
                .tenant(step)
                .access(self.id(step, "member"))
                .map(|list| {
                    json!(list
                        .into_iter()
                        .map(|a| json!({
                            "product": a.product.name,
                            "via": a.via.map(|b| b.to_string()),
                        }))
                        .collect::<Vec<_>>())
                }),
            "update_member_metadata" => self
                .tenant(step)
                .update_member_metadata(
                    self.actor(step),
                    self.id(step, "member"),
                    self.metadata(step),
                )
                .map(|m| Value::Object(m.metadata)),
            "update_product_metadata" => self
                .tenant(step)
                .update_product_metadata(
                    self.actor(step),
                    self.id(step, "product"),
                    self.metadata(step),
                )
                .map(|p| Value::Object(p.metadata)),
            "member_metadata" => self
                .tenant(step)
                .member(self.id(step, "member"))
                .map(|m| Value::Object(m.metadata)),
            "product_metadata" => self
                .tenant(step)
                .product(self.id(step, "product"))
                .map(|p| Value::Object(p.metadata)),
            "invite_metadata" => self
                .tenant(step)
                .get_invite(self.id(step, "invite"))
                .map(|i| Value::Object(i.metadata)),
            _ => return None,
        };
        Some(result)
    }

    /// A workspace or other id at `key`, if the step has one.
    fn opt_id<T: std::str::FromStr<Err = Error>>(&self, step: &Value, key: &str) -> Option<T> {
        step.get(key).map(|_| self.id(step, key))
    }

    /// The step's `metadata` object, resolved; empty without one.
    pub(super) fn metadata(&self, step: &Value) -> Metadata {
        match step.get("metadata") {
            Some(m) => self.resolve_deep(m).as_object().unwrap().clone(),
            None => Metadata::new(),
        }
    }

    /// Permission names from `permissions`.
    pub(super) fn permissions(&self, step: &Value) -> Vec<Permission> {
        self.resolve(&step["permissions"])
            .as_array()
            .unwrap()
            .iter()
            .map(|p| Permission::custom(p.as_str().unwrap()))
            .collect()
    }

    fn flag(&self, step: &Value, key: &str) -> Option<bool> {
        step.get(key).map(|v| v.as_bool().unwrap())
    }

    fn count(&self, step: &Value, key: &str) -> Option<usize> {
        step.get(key).map(|v| v.as_u64().unwrap() as usize)
    }

    fn customer_query(&self, step: &Value) -> Result<CustomerQuery> {
        let defaults = CustomerQuery::default();
        Ok(CustomerQuery {
            search: self.opt_str(step, "search"),
            status: self
                .opt_str(step, "status")
                .map(|s| s.parse())
                .transpose()?,
            product: self
                .opt_str(step, "product")
                .map(|s| s.parse())
                .transpose()?,
            no_access: self.flag(step, "no_access").unwrap_or(defaults.no_access),
            workspace: self
                .opt_str(step, "workspace")
                .map(|s| s.parse())
                .transpose()?,
            sort: match self.opt_str(step, "sort") {
                Some(s) => s.parse()?,
                None => defaults.sort,
            },
            cursor: self.opt_str(step, "cursor"),
            limit: self.count(step, "limit").unwrap_or(defaults.limit),
        })
    }

    fn customers(&mut self, step: &Value) -> Result<Value> {
        let page = self.tenant(step).customers(&self.customer_query(step)?)?;
        self.bind(step, json!({ "next": page.next_cursor }));
        let emails: Vec<&str> = page.rows.iter().map(|r| r.member.email.as_str()).collect();
        Ok(json!({ "emails": emails, "more": page.next_cursor.is_some() }))
    }

    fn import(&mut self, step: &Value) -> Result<Value> {
        let text = match &step["text"] {
            Value::Array(lines) => lines
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect::<Vec<_>>()
                .join("\n"),
            other => other.as_str().unwrap().to_owned(),
        };
        let defaults = ImportOptions::default();
        let options = ImportOptions {
            products: self.products(step),
            workspace: self
                .opt_str(step, "workspace")
                .map(|s| s.parse())
                .transpose()?,
            role: self.role(step),
            mode: match self.opt_str(step, "mode") {
                Some(m) => m.parse()?,
                None => defaults.mode,
            },
            dry_run: self.flag(step, "dry_run").unwrap_or(defaults.dry_run),
            skip_invalid: self
                .flag(step, "skip_invalid")
                .unwrap_or(defaults.skip_invalid),
            ..defaults
        };
        let format: ImportFormat = match self.opt_str(step, "format") {
            Some(f) => f.parse()?,
            None => ImportFormat::default(),
        };
        let report = self.tenant(step).import_customers(
            self.actor(step),
            ImportSource::new(format, &text),
            &options,
        )?;
        let outcomes: Vec<&str> = report.rows.iter().map(|r| r.outcome.as_str()).collect();
        Ok(json!({ "applied": report.applied, "outcomes": outcomes }))
    }

    fn audit_actions(&self, step: &Value) -> Result<Value> {
        let query = AuditQuery {
            actor: self.opt_str(step, "by").map(|a| a.parse()).transpose()?,
            subject: self.opt_str(step, "subject"),
            limit: self
                .count(step, "limit")
                .unwrap_or(AuditQuery::default().limit),
            ..AuditQuery::default()
        };
        let entries = self.tenant(step).audit(&query)?;
        Ok(json!(entries
            .into_iter()
            .map(|e| e.action)
            .collect::<Vec<_>>()))
    }

    fn update_settings(&self, step: &Value) -> Result<Value> {
        let secs = |key: &str| {
            step.get(key)
                .map(|s| Duration::seconds(s.as_i64().unwrap()))
        };
        let update = SettingsUpdate {
            invite_lifetime: secs("invite_lifetime_secs"),
            max_impersonation: secs("max_impersonation_secs"),
            max_invite_lifetime: secs("max_invite_lifetime_secs"),
            ..Default::default()
        };
        let info = self
            .tenant(step)
            .update_settings(self.actor(step), update)?;
        Ok(json!({
            "invite_lifetime_secs": info.settings.invite_lifetime.whole_seconds(),
            "max_impersonation_secs": info.settings.max_impersonation.whole_seconds(),
            "max_invite_lifetime_secs": info.settings.max_invite_lifetime.whole_seconds(),
        }))
    }
}

/// Seats as a scenario expects them.
fn seats(s: Seats) -> Value {
    json!({ "limit": s.limit, "taken": s.taken, "available": s.available() })
}
