//! `ManualClock`, for tests that cross expiries.

use crate::convert::*;
use crate::task::now;
use chrono::{DateTime, Utc};
use memberkit as mk;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::Arc;

/// A clock that stands still until moved: pass it to `Hub.open` in tests to cross expiries.
#[napi]
pub struct ManualClock {
    pub(crate) inner: Arc<mk::ManualClock>,
}

#[napi]
impl ManualClock {
    /// A clock showing `start`.
    #[napi(constructor)]
    pub fn new(start: DateTime<Utc>) -> std::result::Result<Self, Error<String>> {
        let start = now(|| instant(start))?;
        Ok(Self {
            inner: Arc::new(mk::ManualClock::new(start)),
        })
    }

    /// The time it shows.
    #[napi]
    pub fn now(&self) -> DateTime<Utc> {
        use mk::Clock;
        date(self.inner.now())
    }

    /// Moves the clock forward by `ms` milliseconds (negative moves it back).
    #[napi]
    pub fn advance(&self, ms: f64) -> std::result::Result<(), Error<String>> {
        now(|| self.inner.advance(millis(ms)?))
    }

    /// Sets the clock.
    #[napi]
    pub fn set(&self, to: DateTime<Utc>) -> std::result::Result<(), Error<String>> {
        let to = now(|| instant(to))?;
        self.inner.set(to);
        Ok(())
    }
}
