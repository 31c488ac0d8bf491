//! JavaScript values in and out: ids and enums parsed by the core, `Date`s, milliseconds.

use chrono::{DateTime, Utc};
use memberkit as mk;
use memberkit::time::{Duration, OffsetDateTime};

pub(crate) fn date(t: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(mk::to_unix_micros(t)).unwrap_or_default()
}

pub(crate) fn opt_date(t: Option<OffsetDateTime>) -> Option<DateTime<Utc>> {
    t.map(date)
}

pub(crate) fn instant(d: DateTime<Utc>) -> mk::Result<OffsetDateTime> {
    mk::from_unix_micros(d.timestamp_micros()).ok_or_else(|| mk::Error::InvalidInput {
        field: "date",
        reason: "out of range".into(),
    })
}

pub(crate) fn actor(s: &str) -> mk::Result<mk::Actor> {
    s.parse()
}

pub(crate) fn ids<T: std::str::FromStr<Err = mk::Error>>(
    items: Option<Vec<String>>,
) -> mk::Result<Vec<T>> {
    items
        .unwrap_or_default()
        .iter()
        .map(|s| s.parse())
        .collect()
}

pub(crate) fn opt<T: std::str::FromStr<Err = mk::Error>>(
    s: Option<String>,
) -> mk::Result<Option<T>> {
    s.as_deref().map(str::parse).transpose()
}

/// A duration in milliseconds, as JavaScript counts them (`setTimeout`, `Date`).
pub(crate) fn millis(ms: f64) -> mk::Result<Duration> {
    if !ms.is_finite() || ms.abs() > 1e15 {
        return Err(mk::Error::InvalidInput {
            field: "duration",
            reason: format!("{ms} is not a number of milliseconds memberkit can use"),
        });
    }
    Ok(Duration::microseconds((ms * 1e3).round() as i64))
}
