//! Runs the cross-language scenario files in `tests/scenarios/` (format: `tests/README.md`).
//! The steps for lists, import, settings, roles and workspaces are in `more.rs`.

mod more;

use crate::fixture::{case, open_hub, Case};
use memberkit::time::{macros::datetime, Duration};
use memberkit::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[case!(every_scenario_file_passes)];

struct Runner {
    hub: Hub,
    clock: Arc<ManualClock>,
    vars: HashMap<String, Value>,
}

impl Runner {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::new(datetime!(2026-01-05 09:00 UTC)));
        let hub = open_hub(clock.clone());
        Self {
            hub,
            clock,
            vars: HashMap::new(),
        }
    }

    /// Resolves `"$name"` / `"$name.field"` references; other values pass through.
    fn resolve(&self, v: &Value) -> Value {
        match v {
            Value::String(s) if s.starts_with('$') => {
                let mut parts = s[1..].splitn(2, '.');
                let var = &self.vars[parts.next().unwrap()];
                match parts.next() {
                    Some(field) => var[field].clone(),
                    None => var.clone(),
                }
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| self.resolve(i)).collect()),
            other => other.clone(),
        }
    }

    /// Like `resolve`, also inside objects (for `expect` values that reference bound ids).
    fn resolve_deep(&self, v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve_deep(v)))
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.resolve_deep(i)).collect())
            }
            other => self.resolve(other),
        }
    }

    fn str(&self, step: &Value, key: &str) -> String {
        self.resolve(&step[key])
            .as_str()
            .unwrap_or_else(|| panic!("step needs `{key}`: {step}"))
            .to_owned()
    }

    fn opt_str(&self, step: &Value, key: &str) -> Option<String> {
        step.get(key).map(|_| self.str(step, key))
    }

    fn tenant(&self, step: &Value) -> Tenant {
        self.hub
            .tenant(self.str(step, "tenant").parse().unwrap())
            .unwrap()
    }

    fn actor(&self, step: &Value) -> Actor {
        match self.opt_str(step, "actor").as_deref() {
            None | Some("system") => Actor::System,
            Some(id) => Actor::Member(id.parse().unwrap()),
        }
    }

    fn id<T: std::str::FromStr<Err = Error>>(&self, step: &Value, key: &str) -> T {
        self.str(step, key).parse().unwrap()
    }

    fn products(&self, step: &Value) -> Vec<ProductId> {
        match step.get("products") {
            None => Vec::new(),
            Some(list) => self
                .resolve(list)
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().parse().unwrap())
                .collect(),
        }
    }

    fn role(&self, step: &Value) -> Role {
        self.opt_str(step, "role")
            .map_or(Role::Customer, |r| r.parse().unwrap())
    }

    /// Runs one step; `Ok(result)` is compared with `expect`, `Err` with `error`.
    fn run(&mut self, step: &Value) -> Result<Value> {
        let op = step["op"].as_str().unwrap();
        Ok(match op {
            "create_tenant" => {
                let name = self.str(step, "name");
                let t = match step.get("invite_lifetime_secs") {
                    Some(s) => self.hub.create_tenant_with(
                        &name,
                        TenantSettings {
                            invite_lifetime: Duration::seconds(s.as_i64().unwrap()),
                            ..Default::default()
                        },
                    )?,
                    None => self.hub.create_tenant(&name)?,
                };
                json!(t.id().to_string())
            }
            "create_product" => {
                let new = NewProduct {
                    name: self.str(step, "name"),
                    kind: self.str(step, "kind").parse()?,
                    paid: step["paid"].as_bool().unwrap(),
                    metadata: self.metadata(step),
                };
                json!(self
                    .tenant(step)
                    .create_product(self.actor(step), new)?
                    .id
                    .to_string())
            }
            "archive_product" => {
                self.tenant(step)
                    .archive_product(self.actor(step), self.id(step, "product"))?;
                Value::Null
            }
            "add_customer" => {
                let mut new = NewCustomer::new(self.str(step, "email")).role(self.role(step));
                new.name = self.opt_str(step, "name");
                new.external_id = self.opt_str(step, "external_id");
                new.products = self.products(step);
                new.password = self.opt_str(step, "password").map(Password::new);
                new.temporary_password = step["temporary_password"].as_bool().unwrap_or(false);
                new.metadata = self.metadata(step);
                let added = self.tenant(step).add_customer(self.actor(step), new)?;
                let temporary = added.temporary_password.as_ref().map(|p| p.expose());
                self.bind(
                    step,
                    json!({ "id": added.member.id.to_string(), "temporary_password": temporary }),
                );
                json!(added.outcome.as_str())
            }
            "grant" => {
                let t = self.tenant(step);
                let later = |key: &str| {
                    step.get(key)
                        .map(|s| self.hub.now() + Duration::seconds(s.as_i64().unwrap()))
                };
                let options = GrantOptions {
                    expires_at: later("expires_in_secs"),
                    starts_at: later("starts_in_secs"),
                    ..Default::default()
                };
                t.grant(
                    self.actor(step),
                    self.id(step, "member"),
                    self.id(step, "product"),
                    options,
                )?;
                Value::Null
            }
            "revoke" => json!(self
                .tenant(step)
                .revoke(
                    self.actor(step),
                    self.id(step, "member"),
                    self.id(step, "product")
                )?
                .is_some()),
            "has_access" => json!(self
                .tenant(step)
                .has_access(self.id(step, "member"), self.id(step, "product"))?),
            "member_status" => json!(self
                .tenant(step)
                .member(self.id(step, "member"))?
                .status
                .as_str()),
            "invite" => {
                let mut new = NewInvite::new(self.str(step, "email")).role(self.role(step));
                new.products = self.products(step);
                new.lifetime = step
                    .get("lifetime_secs")
                    .map(|s| Duration::seconds(s.as_i64().unwrap()));
                new.message = self.opt_str(step, "message");
                new.workspace = self.opt_str(step, "workspace").map(|w| w.parse().unwrap());
                new.metadata = self.metadata(step);
                let issued = self.tenant(step).invite(self.actor(step), new)?;
                self.bind_invite(step, &issued);
                json!(issued.merged)
            }
            "resend_invite" => {
                let issued = self
                    .tenant(step)
                    .resend_invite(self.actor(step), self.id(step, "invite"))?;
                self.bind_invite(step, &issued);
                Value::Null
            }
            "copy_invite_link" => {
                let issued = self
                    .tenant(step)
                    .copy_invite_link(self.actor(step), self.id(step, "invite"))?;
                self.bind_invite(step, &issued);
                Value::Null
            }
            "revoke_invite" => {
                self.tenant(step)
                    .revoke_invite(self.actor(step), self.id(step, "invite"))?;
                Value::Null
            }
            "invite_details" => {
                let invite = self.tenant(step).get_invite(self.id(step, "invite"))?;
                json!({
                    "status": invite.status.as_str(),
                    "message": invite.message,
                    "expires_in_secs": (invite.expires_at - self.hub.now()).whole_seconds(),
                })
            }
            "invite_status" => json!(self
                .tenant(step)
                .get_invite(self.id(step, "invite"))?
                .status
                .as_str()),
            "accept" => {
                let email = self.opt_str(step, "email");
                let accepted = self
                    .tenant(step)
                    .accept(&self.str(step, "token"), email.as_deref())?;
                self.bind(step, json!({ "id": accepted.member.id.to_string() }));
                Value::Null
            }
            "claim" | "accept_suggestion" => match match op {
                "claim" => self.tenant(step).claim(&self.str(step, "email"))?,
                _ => self
                    .tenant(step)
                    .accept_suggestion(&self.str(step, "email"))?,
            } {
                Some(accepted) => {
                    self.bind(step, json!({ "id": accepted.member.id.to_string() }));
                    json!({ "id": accepted.member.id.to_string() })
                }
                None => Value::Null,
            },
            "decline" => {
                let email = self.opt_str(step, "email");
                let invite = self
                    .tenant(step)
                    .decline(&self.str(step, "token"), email.as_deref())?;
                json!(invite.status.as_str())
            }
            "decline_pending" => json!(self
                .tenant(step)
                .decline_pending(&self.str(step, "email"))?
                .map(|i| i.status.as_str())),
            "hub_invites_for" => {
                let mut names: Vec<String> = self
                    .hub
                    .invites_for(&self.str(step, "email"))?
                    .into_iter()
                    .map(|i| i.tenant_name)
                    .collect();
                names.sort();
                json!(names)
            }
            "hub_memberships_of" => {
                let mut rows: Vec<(String, Value)> = self
                    .hub
                    .memberships_of(&self.str(step, "email"))?
                    .into_iter()
                    .map(|m| {
                        let row = json!({
                            "tenant": m.tenant_name, "role": m.role.map(|r| r.key()),
                            "status": m.member.status.as_str(),
                        });
                        (m.tenant_name, row)
                    })
                    .collect();
                rows.sort_by(|a, b| a.0.cmp(&b.0));
                json!(rows.into_iter().map(|(_, row)| row).collect::<Vec<_>>())
            }
            "hub_claim" => json!(self.hub.claim(&self.str(step, "email"))?.len()),
            "advance" => {
                self.clock
                    .advance(Duration::seconds(step["secs"].as_i64().unwrap()))
                    .unwrap();
                Value::Null
            }
            "sweep" => json!(self.hub.sweep(None)?.events),
            "outbox_kinds" => json!(self
                .tenant(step)
                .outbox(1000)?
                .into_iter()
                .map(|e| e.kind)
                .collect::<Vec<_>>()),
            "ack_all" => {
                let t = self.tenant(step);
                let ids: Vec<EventId> = t.outbox(1000)?.into_iter().map(|e| e.id).collect();
                json!(t.ack(&ids)?)
            }
            "create_workspace" => json!(self
                .tenant(step)
                .create_workspace(self.actor(step), &self.str(step, "name"))?
                .id
                .to_string()),
            "create_role" => {
                let permissions = self.permissions(step);
                json!(self
                    .tenant(step)
                    .create_role(self.actor(step), &self.str(step, "name"), &permissions)?
                    .id
                    .to_string())
            }
            "assign_role" => {
                let workspace = self
                    .opt_str(step, "workspace")
                    .map(|w| w.parse())
                    .transpose()?;
                self.tenant(step).assign_role(
                    self.actor(step),
                    self.id(step, "member"),
                    self.role(step),
                    workspace,
                )?;
                Value::Null
            }
            "add_to_workspace" => {
                let t = self.tenant(step);
                t.add_to_workspace(
                    self.actor(step),
                    self.id(step, "member"),
                    self.id(step, "workspace"),
                    self.role(step),
                )?;
                Value::Null
            }
            "can" => {
                let workspace = self
                    .opt_str(step, "workspace")
                    .map(|w| w.parse())
                    .transpose()?;
                let permission = Permission::custom(self.str(step, "permission"));
                json!(self
                    .tenant(step)
                    .can(self.id(step, "member"), &permission, workspace)?)
            }
            "deactivate" => json!(self
                .tenant(step)
                .deactivate(self.actor(step), self.id(step, "member"))?
                .status
                .as_str()),
            "reactivate" => json!(self
                .tenant(step)
                .reactivate(self.actor(step), self.id(step, "member"))?
                .status
                .as_str()),
            "remove_member" => {
                self.tenant(step)
                    .remove_member(self.actor(step), self.id(step, "member"))?;
                Value::Null
            }
            "set_password" => {
                let must_change = step
                    .get("must_change")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                self.tenant(step).set_password(
                    self.actor(step),
                    self.id(step, "member"),
                    &self.str(step, "password"),
                    must_change,
                )?;
                Value::Null
            }
            "verify_password" => match self
                .tenant(step)
                .verify_password(&self.str(step, "email"), &self.str(step, "password"))?
            {
                Some(check) => {
                    json!({ "member": check.member.id.to_string(), "must_change": check.must_change })
                }
                None => Value::Null,
            },
            "impersonate" => {
                let minutes = step
                    .get("minutes")
                    .map(|m| Duration::minutes(m.as_i64().unwrap()));
                let issued = self.tenant(step).impersonate(
                    self.actor(step),
                    self.id(step, "target"),
                    &self.str(step, "reason"),
                    minutes,
                )?;
                self.bind(
                    step,
                    json!({ "id": issued.session.id.to_string(), "token": issued.token.expose() }),
                );
                Value::Null
            }
            "verify_impersonation" => {
                let s = self
                    .tenant(step)
                    .verify_impersonation(&self.str(step, "token"))?;
                json!({ "actor": s.actor_id.to_string(), "target": s.target_id.to_string() })
            }
            "end_impersonation" => {
                self.tenant(step)
                    .end_impersonation(&self.str(step, "token"))?;
                Value::Null
            }
            other => match self.run_more(other, step) {
                Some(result) => result?,
                None => panic!("unknown op `{other}`"),
            },
        })
    }

    fn bind(&mut self, step: &Value, value: Value) {
        if let Some(name) = step.get("as").and_then(Value::as_str) {
            self.vars.insert(name.to_owned(), value);
        }
    }

    fn bind_invite(&mut self, step: &Value, issued: &IssuedInvite) {
        self.bind(
            step,
            json!({
                "id": issued.invite.id.to_string(),
                "token": issued.token.expose(),
                "member": issued.invite.member_id.to_string(),
            }),
        );
    }
}

fn run_file(path: &Path) -> usize {
    let scenario: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut runner = Runner::new();
    let steps = scenario["steps"].as_array().unwrap();
    for (i, step) in steps.iter().enumerate() {
        let at = format!("{} step {} ({})", path.display(), i + 1, step);
        match (runner.run(step), step.get("error")) {
            (Ok(value), None) => {
                if let Some(expect) = step.get("expect") {
                    assert_eq!(value, runner.resolve_deep(expect), "{at}");
                }
                // Ops that return an id bind it directly; the others bind via `bind`.
                if value.is_string()
                    && step.get("as").is_some()
                    && !runner.vars.contains_key(step["as"].as_str().unwrap())
                {
                    runner.bind(step, value);
                }
            }
            (Ok(value), Some(code)) => panic!("{at}: expected error {code}, got {value}"),
            (Err(e), Some(code)) => assert_eq!(e.code().as_str(), code, "{at}: {e}"),
            (Err(e), None) => panic!("{at}: unexpected error {e}"),
        }
    }
    steps.len()
}

fn every_scenario_file_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 3,
        "scenario files are missing from {}",
        dir.display()
    );
    let steps: usize = files.iter().map(|f| run_file(f)).sum();
    println!("{} scenario files, {steps} steps", files.len());
}
