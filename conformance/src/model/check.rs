//! Runs a sequence against memberkit and the reference model side by side and compares them
//! after every step.

use super::reference::{Capture, ModelRole, ModelTenant};
use super::step::*;
use crate::fixture::{Open, START};
use memberkit::time::Duration;
use memberkit::*;
use std::collections::BTreeSet;
use std::sync::Arc;

pub(super) struct Real {
    pub(super) tenant: Tenant,
    pub(super) products: [ProductId; PRODUCTS],
    pub(super) roles: [RoleId; 2],
}

pub(super) struct World<'h> {
    pub(super) hub: &'h Hub,
    pub(super) clock: &'h ManualClock,
    pub(super) real: Vec<Real>,
    pub(super) model: Vec<ModelTenant>,
}

fn email(e: usize, shout: bool) -> String {
    match shout {
        true => format!("Person{e}@Model.EXAMPLE"),
        false => format!("person{e}@model.example"),
    }
}

pub(super) fn outcome<T>(r: Result<T>) -> std::result::Result<T, ErrorCode> {
    r.map_err(|e| e.code())
}

impl<'h> World<'h> {
    /// Fresh tenants on `hub`, with its clock set back to [`START`].
    fn new(hub: &'h Hub, clock: &'h ManualClock) -> World<'h> {
        clock.set(START);
        let real = (0..TENANTS)
            .map(|t| {
                let tenant = hub.create_tenant(&format!("Tenant {t}")).unwrap();
                let product = |i: usize| {
                    let new = match i < PAID {
                        true => NewProduct::paid(format!("Course {i}"), ProductKind::Course),
                        false => NewProduct::free(format!("Free {i}"), ProductKind::Community),
                    };
                    tenant.create_product(Actor::System, new).unwrap().id
                };
                let products = [product(0), product(1), product(2)];
                let role = |i: usize| {
                    tenant
                        .create_role(Actor::System, &format!("Custom {i}"), ModelRole::CUSTOM[i])
                        .unwrap()
                        .id
                };
                let roles = [role(0), role(1)];
                Real {
                    tenant,
                    products,
                    roles,
                }
            })
            .collect();
        World {
            hub,
            clock,
            real,
            model: vec![ModelTenant::default(); TENANTS],
        }
    }

    fn role(&self, t: usize, i: usize) -> Role {
        match ModelRole::from_index(i) {
            ModelRole::Admin => Role::Admin,
            ModelRole::Member => Role::Member,
            ModelRole::Customer => Role::Customer,
            ModelRole::Custom(c) => Role::Custom(self.real[t].roles[c]),
        }
    }

    /// Runs `step` on memberkit; returns its error code, and the token of an issued invite.
    fn run_real(&self, step: &Step) -> std::result::Result<Option<String>, ErrorCode> {
        let sys = Actor::System;
        let Some(t) = step.tenant() else {
            let Step::Advance { hours } = step else {
                unreachable!()
            };
            self.clock
                .advance(Duration::hours((*hours).into()))
                .unwrap();
            return Ok(None);
        };
        let (real, model) = (&self.real[t], &self.model[t]);
        let tenant = &real.tenant;
        let now = self.hub.now();
        let expiry = |hours: &Option<u8>| hours.map(|h| now + Duration::hours(h.into()));
        let product_ids = |ps: &[usize]| ps.iter().map(|&p| real.products[p]).collect::<Vec<_>>();
        // An email that never had a member in this tenant has no id to call with.
        let id = |e: &usize| model.last_ids.get(e).copied();
        match step {
            Step::Add {
                e,
                products,
                hours,
                shout,
                ..
            } => {
                let mut new = NewCustomer::new(email(*e, *shout));
                new.products = product_ids(products);
                new.expires_at = expiry(hours);
                outcome(tenant.add_customer(sys, new)).map(|_| None)
            }
            Step::Grant { e, p, hours, .. } => match id(e) {
                Some(m) => {
                    let options = GrantOptions {
                        expires_at: expiry(hours),
                        ..Default::default()
                    };
                    outcome(tenant.grant(sys, m, real.products[*p], options)).map(|_| None)
                }
                None => Ok(None),
            },
            Step::Revoke { e, p, .. } => match id(e) {
                Some(m) => outcome(tenant.revoke(sys, m, real.products[*p])).map(|_| None),
                None => Ok(None),
            },
            Step::Deactivate { e, .. } => match id(e) {
                Some(m) => outcome(tenant.deactivate(sys, m)).map(|_| None),
                None => Ok(None),
            },
            Step::Reactivate { e, .. } => match id(e) {
                Some(m) => outcome(tenant.reactivate(sys, m)).map(|_| None),
                None => Ok(None),
            },
            Step::Remove { e, .. } => match id(e) {
                Some(m) => outcome(tenant.remove_member(sys, m)).map(|_| None),
                None => Ok(None),
            },
            Step::Invite { e, products, .. } => {
                let mut new = NewInvite::new(email(*e, false));
                for p in product_ids(products) {
                    new = new.product(p);
                }
                outcome(tenant.invite(sys, new)).map(|i| Some(i.token.expose().to_owned()))
            }
            Step::Accept {
                k,
                stale,
                elsewhere,
                ..
            } => {
                let Some(index) = model.invite_index(*k) else {
                    return Ok(None);
                };
                let invite = &model.invites[index];
                let token = match (stale, invite.stale.last()) {
                    (true, Some(old)) => old,
                    _ => &invite.token,
                };
                let at = match elsewhere {
                    true => &self.real[(t + 1) % TENANTS].tenant,
                    false => tenant,
                };
                outcome(at.accept(token, None)).map(|_| None)
            }
            Step::Claim { e, .. } => outcome(tenant.claim(&email(*e, true))).map(|_| None),
            Step::Decline { k, .. } => {
                let Some(index) = model.invite_index(*k) else {
                    return Ok(None);
                };
                outcome(tenant.decline(&model.invites[index].token, None)).map(|_| None)
            }
            Step::Resend { k, .. } | Step::RevokeInvite { k, .. } => {
                let Some(index) = model.invite_index(*k) else {
                    return Ok(None);
                };
                let id = model.invites[index]
                    .id
                    .expect("an invite the model knows has an id");
                match step {
                    Step::Resend { .. } => outcome(tenant.resend_invite(sys, id))
                        .map(|i| Some(i.token.expose().to_owned())),
                    _ => outcome(tenant.revoke_invite(sys, id)).map(|_| None),
                }
            }
            Step::Archive { p, .. } => {
                outcome(tenant.archive_product(sys, real.products[*p])).map(|_| None)
            }
            Step::Assign { e, role, .. } => match id(e) {
                Some(m) => {
                    outcome(tenant.assign_role(sys, m, self.role(t, *role), None)).map(|_| None)
                }
                None => Ok(None),
            },
            Step::Import {
                emails, products, ..
            } => {
                let csv: String = std::iter::once("email".to_owned())
                    .chain(
                        emails
                            .iter()
                            .enumerate()
                            .map(|(i, e)| email(*e, i % 2 == 1)),
                    )
                    .collect::<Vec<_>>()
                    .join("\n");
                let options = ImportOptions {
                    products: product_ids(products),
                    mode: ImportMode::Grant,
                    ..Default::default()
                };
                outcome(tenant.import_customers(sys, ImportSource::Csv(&csv), &options))
                    .map(|_| None)
            }
            Step::Advance { .. } | Step::Foreign { .. } => Ok(None),
        }
    }

    fn step(&mut self, step: &Step) -> std::result::Result<(), String> {
        if let Step::Foreign { t, e, p } = step {
            return self.foreign(*t, *e, *p);
        }
        let now = self.hub.now();
        let real = self.run_real(step);
        let expected = match (step, step.tenant()) {
            (
                Step::Accept {
                    elsewhere: true,
                    k,
                    t,
                    ..
                },
                _,
            ) => match self.model[*t].invite_index(*k) {
                Some(_) => Err(ErrorCode::NotFound),
                None => Ok(Capture::Nothing),
            },
            (_, Some(t)) if self.skipped(step, t) => Ok(Capture::Nothing),
            (_, Some(t)) => self.model[t].apply(step, now),
            (_, None) => Ok(Capture::Nothing),
        };
        match (&expected, real) {
            (Ok(capture), Ok(token)) => {
                if let (Capture::InviteToken(index), Some(token)) = (capture, token) {
                    let t = step.tenant().unwrap();
                    self.model[t].invites[*index].token = token;
                }
            }
            (Err(want), Err(got)) if *want == got => {}
            (want, got) => {
                return Err(format!("expected {want:?}, memberkit answered {got:?}"));
            }
        }
        self.learn_ids()
    }

    /// The people whose answers `step` can change; `None` for everyone (a clock move, an
    /// archived product). Taken before the step: an invite's person is known by then.
    fn touched(&self, step: &Step) -> Option<Vec<usize>> {
        let invite_person = |t: usize, k: usize| {
            let m = &self.model[t];
            m.invite_index(k)
                .map(|i| m.invites[i].e)
                .into_iter()
                .collect()
        };
        match step {
            Step::Add { e, .. }
            | Step::Grant { e, .. }
            | Step::Revoke { e, .. }
            | Step::Deactivate { e, .. }
            | Step::Reactivate { e, .. }
            | Step::Remove { e, .. }
            | Step::Invite { e, .. }
            | Step::Claim { e, .. }
            | Step::Assign { e, .. }
            | Step::Foreign { e, .. } => Some(vec![*e]),
            Step::Accept { t, k, .. }
            | Step::Resend { t, k }
            | Step::RevokeInvite { t, k }
            | Step::Decline { t, k } => Some(invite_person(*t, *k)),
            Step::Import { emails, .. } => Some(emails.clone()),
            Step::Archive { .. } | Step::Advance { .. } => None,
        }
    }

    /// A step on an id the model never had (so memberkit was not called either).
    fn skipped(&self, step: &Step, t: usize) -> bool {
        let m = &self.model[t];
        match step {
            Step::Grant { e, .. }
            | Step::Revoke { e, .. }
            | Step::Deactivate { e, .. }
            | Step::Reactivate { e, .. }
            | Step::Remove { e, .. }
            | Step::Assign { e, .. } => !m.last_ids.contains_key(e),
            _ => false,
        }
    }

    /// Copies in the ids memberkit gave new members and invites.
    fn learn_ids(&mut self) -> std::result::Result<(), String> {
        for t in 0..TENANTS {
            let tenant = &self.real[t].tenant;
            let model = &mut self.model[t];
            for (e, m) in model.members.iter_mut() {
                if m.id.is_none() {
                    let found = tenant
                        .member_by_email(&email(*e, false))
                        .map_err(|x| x.to_string())?;
                    let found = found.ok_or_else(|| format!("tenant {t}: person{e} is missing"))?;
                    m.id = Some(found.id);
                    model.last_ids.insert(*e, found.id);
                }
            }
            if model.invites.iter().any(|i| i.id.is_none()) {
                let mut listed = tenant.invites(None).map_err(|x| x.to_string())?;
                listed.reverse(); // oldest first, as the model keeps them
                let known: BTreeSet<InviteId> = model.invites.iter().filter_map(|i| i.id).collect();
                let mut fresh = listed.into_iter().filter(|i| !known.contains(&i.id));
                for i in model.invites.iter_mut().filter(|i| i.id.is_none()) {
                    i.id = fresh.next().map(|x| x.id);
                }
            }
        }
        Ok(())
    }
}

/// A hub on the store under test with a clock the model moves. Each sequence runs in fresh
/// tenants of it: tenants share nothing the model asks about, and a fresh database per
/// sequence would cost more than the sequence on PostgreSQL.
pub struct Bench {
    hub: Hub,
    clock: Arc<ManualClock>,
}

impl Bench {
    pub fn open(open: &Open) -> Bench {
        let clock = Arc::new(ManualClock::new(START));
        Bench {
            hub: open(clock.clone()),
            clock,
        }
    }
}

/// Runs `steps` in fresh tenants of `bench`; the first disagreement, described.
pub fn run(bench: &Bench, steps: &[Step]) -> std::result::Result<(), String> {
    let mut world = World::new(&bench.hub, &bench.clock);
    for (turn, step) in steps.iter().enumerate() {
        // Every person's answers and the lists every few steps and at the end; in between,
        // the people the step touched, and the lists, counts and invites every other step.
        let everyone = turn % 8 == 7 || turn + 1 == steps.len();
        let touched = world.touched(step);
        let only = touched.as_deref().filter(|_| !everyone);
        let checked = world.step(step).and_then(|()| match step.tenant() {
            Some(t) => world.compare(t, turn, only),
            None => (0..TENANTS).try_for_each(|t| world.compare(t, turn, None)),
        });
        if let Err(why) = checked {
            return Err(format!("step {turn} {step:?}: {why}"));
        }
    }
    Ok(())
}
