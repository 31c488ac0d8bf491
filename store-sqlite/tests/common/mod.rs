#![allow(dead_code)]
//! A hub on a real SQLite file in a temp folder, with a clock the test moves.

use memberkit::time::{macros::datetime, Duration, OffsetDateTime};
use memberkit::*;
use memberkit_sqlite::SqliteStore;
use std::sync::Arc;

pub struct Fixture {
    pub hub: Hub,
    pub clock: Arc<ManualClock>,
    pub tenant: Tenant,
    pub dir: tempfile::TempDir,
}

pub const START: OffsetDateTime = datetime!(2026-01-05 09:00 UTC);

impl Fixture {
    /// A hub on a SQLite file in a fresh temp folder.
    pub fn new() -> Self {
        Self::open(|dir| dir.join("hub.db"))
    }

    /// A hub on `:memory:`.
    pub fn in_memory() -> Self {
        Self::open(|_| ":memory:".into())
    }

    fn open(path: impl FnOnce(&std::path::Path) -> std::path::PathBuf) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(START));
        let hub = Hub::with_clock(SqliteStore::open(path(dir.path())).unwrap(), clock.clone());
        let tenant = hub.create_tenant("Ada's Academy").unwrap();
        Self {
            hub,
            clock,
            tenant,
            dir,
        }
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by).unwrap();
    }

    pub fn course(&self, name: &str) -> Product {
        self.tenant
            .create_product(Actor::System, NewProduct::paid(name, ProductKind::Course))
            .unwrap()
    }

    pub fn customer(&self, email: &str, products: &[ProductId]) -> Member {
        let mut new = NewCustomer::new(email);
        new.products = products.to_vec();
        self.tenant.add_customer(Actor::System, new).unwrap().member
    }

    /// An active member with a built-in role, usable as an actor.
    pub fn staff(&self, email: &str, role: Role) -> Actor {
        let m = self
            .tenant
            .add_customer(Actor::System, NewCustomer::new(email).role(role))
            .unwrap()
            .member;
        Actor::Member(m.id)
    }

    /// Counts of rows a failed call must leave untouched.
    pub fn footprint(&self) -> (usize, usize, usize) {
        let audit = self.tenant.audit(&last(1000)).unwrap().len();
        let events = self.tenant.outbox(1000).unwrap().len();
        let invites = self.tenant.invites(None).unwrap().len();
        (audit, events, invites)
    }

    pub fn event_kinds(&self) -> Vec<String> {
        self.tenant
            .outbox(1000)
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }
}

pub fn code<T: std::fmt::Debug>(r: Result<T>) -> &'static str {
    r.expect_err("expected an error").code().as_str()
}

/// The newest `n` audit entries.
pub fn last(n: usize) -> AuditQuery {
    AuditQuery {
        limit: n,
        ..Default::default()
    }
}
