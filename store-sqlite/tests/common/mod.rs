#![allow(dead_code)]
//! For the SQLite-only tests: a hub on a real file in a temp folder, so a test can look at
//! what is on disk. Behaviour tests live in the conformance suite (`memberkit-conformance`).

use memberkit::time::{macros::datetime, OffsetDateTime};
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
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(START));
        let store = SqliteStore::open(dir.path().join("hub.db")).unwrap();
        let hub = Hub::with_clock(store, clock.clone());
        let tenant = hub.create_tenant("Ada's Academy").unwrap();
        Self {
            hub,
            clock,
            tenant,
            dir,
        }
    }

    /// The database file.
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("hub.db")
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
}
