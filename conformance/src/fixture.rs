//! What every test starts from: a fresh hub on the store under test.
#![allow(missing_docs)]

use memberkit::time::{macros::datetime, Duration, OffsetDateTime};
use memberkit::*;
use std::cell::Cell;
use std::sync::Arc;

/// Opens a fresh, empty hub on the store under test, reading time from the clock.
pub type Open = dyn Fn(Arc<dyn Clock>) -> Hub + Send + Sync;

/// One way to run the suite: a name (the first part of every test name) and an opener.
pub struct Variant {
    /// Say `file` or `memory`.
    pub name: &'static str,
    /// Opens a fresh hub.
    pub open: &'static Open,
}

/// One test.
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) run: fn(),
}

/// `case!(name)`: the test function `name`, registered under its own name.
macro_rules! case {
    ($name:ident) => {
        $crate::fixture::Case {
            name: stringify!($name),
            run: $name,
        }
    };
}
pub(crate) use case;

thread_local! {
    /// The opener of the variant this thread is running a test for.
    static OPENER: Cell<Option<&'static Open>> = const { Cell::new(None) };
}

/// Runs `test` with `open` as the store under test on this thread.
pub(crate) fn with_opener(open: &'static Open, test: fn()) {
    OPENER.with(|o| o.set(Some(open)));
    test();
}

/// A fresh hub on the store under test.
pub fn open_hub(clock: Arc<dyn Clock>) -> Hub {
    let open = OPENER
        .with(Cell::get)
        .expect("a conformance test runs through memberkit_conformance::run");
    open(clock)
}

/// When every test's clock starts.
pub const START: OffsetDateTime = datetime!(2026-01-05 09:00 UTC);

/// A fresh hub on the store under test, a clock the test moves, and one tenant.
pub struct Fixture {
    /// The hub.
    pub hub: Hub,
    /// Its clock, starting at [`START`].
    pub clock: Arc<ManualClock>,
    /// A tenant named "Ada's Academy".
    pub tenant: Tenant,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    /// A fresh hub on the store under test, with one tenant.
    pub fn new() -> Self {
        let clock = Arc::new(ManualClock::new(START));
        let hub = open_hub(clock.clone());
        let tenant = hub.create_tenant("Ada's Academy").unwrap();
        Self { hub, clock, tenant }
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
