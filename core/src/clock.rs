//! Injectable clocks, so tests can move time past an expiry.

use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// The current instant (UTC).
    fn now(&self) -> OffsetDateTime;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until told to move. For tests and simulations.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward (or back, with a negative duration). `invalid_input` (and the
    /// clock stays put) when that would leave the years -9999 to 9999.
    pub fn advance(&self, by: Duration) -> crate::Result<()> {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now = later(*now, by, "by")?;
        Ok(())
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: OffsetDateTime) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Times are kept to the microsecond: the finest unit Python's `datetime` holds, so a value
/// read back equals the value written in every language.
pub fn truncate_to_micros(t: OffsetDateTime) -> OffsetDateTime {
    let micros = t.unix_timestamp_nanos().div_euclid(1_000);
    OffsetDateTime::from_unix_timestamp_nanos(micros * 1_000).expect("in range")
}

/// Microseconds since the Unix epoch (how stores persist instants).
pub fn to_unix_micros(t: OffsetDateTime) -> i64 {
    t.unix_timestamp_nanos().div_euclid(1_000) as i64
}

/// The inverse of [`to_unix_micros`]; `None` when the value is outside the supported range
/// (years -9999 to 9999), which only a corrupted store can produce.
pub fn from_unix_micros(micros: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(micros as i128 * 1_000).ok()
}

/// `at + by`, or `invalid_input` naming `field` when the result is outside the years -9999 to
/// 9999 (a clock set near the end of time, a huge duration): never a panic.
pub fn later(
    at: OffsetDateTime,
    by: Duration,
    field: &'static str,
) -> crate::Result<OffsetDateTime> {
    at.checked_add(by).ok_or_else(|| {
        crate::Error::invalid(
            field,
            "the resulting time is outside the years -9999 to 9999",
        )
    })
}
