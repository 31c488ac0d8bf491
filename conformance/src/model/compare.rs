//! The questions asked after each step: every answer a user could get about a tenant, compared
//! with the reference model, and calls with another tenant's ids.

use super::check::{outcome, World};
use super::step::*;
use memberkit::*;
use std::collections::BTreeSet;

impl World<'_> {
    /// Another tenant's ids are unknown here.
    pub(super) fn foreign(&self, t: usize, e: usize, p: usize) -> std::result::Result<(), String> {
        let other = (t + 1) % TENANTS;
        let here = &self.real[t].tenant;
        let mut answers = Vec::new();
        if let Some(&m) = self.model[other].last_ids.get(&e) {
            answers.push((
                "has_access",
                outcome(here.has_access(m, self.real[t].products[p])).map(drop),
            ));
            answers.push(("member", outcome(here.member(m)).map(drop)));
            let grant = here.grant(
                Actor::System,
                m,
                self.real[t].products[0],
                GrantOptions::default(),
            );
            answers.push(("grant", outcome(grant).map(drop)));
            answers.push((
                "deactivate",
                outcome(here.deactivate(Actor::System, m)).map(drop),
            ));
        }
        if let Some(&m) = self.model[t].last_ids.get(&e) {
            let theirs = self.real[other].products[p];
            answers.push((
                "has_access of their product",
                outcome(here.has_access(m, theirs)).map(drop),
            ));
        }
        if let Some(i) = self.model[other].invites.first().and_then(|i| i.id) {
            answers.push(("get_invite", outcome(here.get_invite(i)).map(drop)));
            answers.push((
                "revoke_invite",
                outcome(here.revoke_invite(Actor::System, i)).map(drop),
            ));
        }
        match answers
            .into_iter()
            .find(|(_, a)| *a != Err(ErrorCode::NotFound))
        {
            Some((call, answer)) => Err(format!("{call} with another tenant's id gave {answer:?}")),
            None => Ok(()),
        }
    }

    /// Compares everything a user could ask about tenant `t`.
    /// Per-member answers are asked for `only` those people (every person when `None`).
    pub(super) fn compare(
        &self,
        t: usize,
        turn: usize,
        only: Option<&[usize]>,
    ) -> std::result::Result<(), String> {
        let (real, model) = (&self.real[t], &self.model[t]);
        let tenant = &real.tenant;
        let now = self.hub.now();
        let permission = &Permission::CATALOGUE[turn % Permission::CATALOGUE.len()];
        let fail = |what: String| Err(format!("tenant {t}: {what}"));
        for (&e, &id) in &model.last_ids {
            if only.is_some_and(|only| !only.contains(&e)) {
                continue;
            }
            let Some(m) = model.members.get(&e) else {
                if let Ok(got) = tenant.has_access(id, real.products[0]) {
                    return fail(format!("removed person{e}: has_access answered {got}"));
                }
                continue;
            };
            let stored = tenant.member(id).map_err(|x| x.to_string())?;
            if stored.status != m.status {
                return fail(format!(
                    "person{e} is {:?}, the model says {:?}",
                    stored.status, m.status
                ));
            }
            for p in 0..PRODUCTS {
                let got = tenant
                    .has_access(id, real.products[p])
                    .map_err(|x| x.to_string())?;
                if got != model.has_access(e, p, now) {
                    return fail(format!("has_access(person{e}, product {p}) = {got}"));
                }
            }
            let got = tenant
                .can(id, permission, None)
                .map_err(|x| x.to_string())?;
            if got != model.can(e, permission) {
                return fail(format!("can(person{e}, {permission}) = {got}"));
            }
        }
        if only.is_some() && turn % 2 == 1 {
            return Ok(());
        }
        let count = tenant
            .count_customers(&CustomerQuery::default())
            .map_err(|x| x.to_string())?;
        if count != model.members.len() {
            return fail(format!(
                "count_customers = {count}, the model has {}",
                model.members.len()
            ));
        }
        let p = turn % PRODUCTS;
        let query = CustomerQuery {
            product: Some(real.products[p]),
            limit: 100,
            ..Default::default()
        };
        let page = tenant.customers(&query).map_err(|x| x.to_string())?;
        let got: BTreeSet<MemberId> = page.rows.iter().map(|r| r.member.id).collect();
        let want: BTreeSet<MemberId> = model
            .members
            .iter()
            .filter(|(e, _)| model.has_access(**e, p, now))
            .filter_map(|(_, m)| m.id)
            .collect();
        if got != want {
            return fail(format!(
                "customers(product {p}) listed {} members, the model {}",
                got.len(),
                want.len()
            ));
        }
        for row in &page.rows {
            let e = model
                .members
                .iter()
                .find(|(_, m)| m.id == Some(row.member.id))
                .map(|(e, _)| *e);
            let Some(e) = e else {
                return fail("a listed member the model does not have".into());
            };
            let got: BTreeSet<ProductId> = row.products.iter().map(|r| r.id).collect();
            let want: BTreeSet<ProductId> = (0..PAID)
                .filter(|&p| model.active_grant(e, p, now))
                .map(|p| real.products[p])
                .collect();
            if got != want {
                return fail(format!("person{e}'s listed products differ"));
            }
        }
        let listed = tenant.invites(None).map_err(|x| x.to_string())?;
        let live: Vec<_> = model.invites.iter().filter(|i| !i.deleted).collect();
        if listed.len() != live.len() {
            return fail(format!(
                "{} invites listed, the model has {}",
                listed.len(),
                live.len()
            ));
        }
        for i in live {
            let got = listed.iter().find(|x| Some(x.id) == i.id);
            match got {
                Some(x) if x.status == i.status_at(now) => {}
                other => {
                    return fail(format!(
                        "invite for person{} is {:?}, the model says {:?}",
                        i.e,
                        other.map(|x| x.status),
                        i.status_at(now)
                    ))
                }
            }
        }
        Ok(())
    }
}
