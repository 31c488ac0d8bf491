//! Python values in and out: ids and enums parsed by the core, aware datetimes, timedeltas,
//! counts, JSON details.

use crate::error::Res;
use memberkit as mk;
use memberkit::time::{Duration, OffsetDateTime};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDelta, PyDict, PyList, PyTuple, PyTzInfo};
use pyo3::IntoPyObjectExt;

pub(crate) fn parse<T: std::str::FromStr<Err = mk::Error>>(s: &str) -> Res<T> {
    Ok(s.parse()?)
}

pub(crate) fn parse_all<T: std::str::FromStr<Err = mk::Error>>(items: Vec<String>) -> Res<Vec<T>> {
    items.iter().map(|s| parse(s)).collect()
}

pub(crate) fn actor(s: &str) -> Res<mk::Actor> {
    parse(s)
}

pub(crate) fn opt<T: std::str::FromStr<Err = mk::Error>>(s: Option<String>) -> Res<Option<T>> {
    s.as_deref().map(parse).transpose()
}

/// An aware `datetime` as an instant; naive datetimes are refused (their zone is a guess).
/// Built from the integer fields and the UTC offset, so every microsecond round-trips exactly.
pub(crate) fn instant(value: &Bound<'_, PyAny>) -> PyResult<OffsetDateTime> {
    use pyo3::types::{PyDateAccess, PyTimeAccess, PyTzInfoAccess};
    let dt = value
        .cast::<PyDateTime>()
        .map_err(|_| PyTypeError::new_err("expected a datetime.datetime"))?;
    let offset = dt.call_method0("utcoffset")?;
    if offset.is_none() || dt.get_tzinfo().is_none() {
        return Err(PyValueError::new_err(
            "datetime must be timezone-aware (e.g. datetime.now(timezone.utc))",
        ));
    }
    let out_of_range = || PyValueError::new_err("datetime out of range");
    let month = memberkit::time::Month::try_from(dt.get_month()).map_err(|_| out_of_range())?;
    let date = memberkit::time::Date::from_calendar_date(dt.get_year(), month, dt.get_day())
        .map_err(|_| out_of_range())?;
    let time = memberkit::time::Time::from_hms_micro(
        dt.get_hour(),
        dt.get_minute(),
        dt.get_second(),
        dt.get_microsecond(),
    )
    .map_err(|_| out_of_range())?;
    let local = memberkit::time::PrimitiveDateTime::new(date, time).assume_utc();
    local
        .checked_sub(duration(&offset)?)
        .ok_or_else(out_of_range)
}

pub(crate) fn opt_instant(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<OffsetDateTime>> {
    value.filter(|v| !v.is_none()).map(instant).transpose()
}

/// A `timedelta` from its integer fields (days, seconds, microseconds): exact at any size.
pub(crate) fn duration(value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    use pyo3::types::PyDeltaAccess;
    let delta = value
        .cast::<PyDelta>()
        .map_err(|_| PyTypeError::new_err("expected a datetime.timedelta"))?;
    Ok(Duration::days(i64::from(delta.get_days()))
        + Duration::seconds(i64::from(delta.get_seconds()))
        + Duration::microseconds(i64::from(delta.get_microseconds())))
}

/// A count such as `limit`: any Python int. Out-of-range values go on to the core, which
/// answers `invalid_input` with the allowed range, instead of Python's `OverflowError`.
pub(crate) struct Count(pub(crate) usize);

impl<'a, 'py> FromPyObject<'a, 'py> for Count {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let int = obj
            .cast::<pyo3::types::PyInt>()
            .map_err(|_| PyTypeError::new_err("expected an int"))?;
        Ok(Count(match int.extract::<i64>() {
            Ok(n) => usize::try_from(n).unwrap_or(if n < 0 { 0 } else { usize::MAX }),
            Err(_) if int.lt(0)? => 0,
            Err(_) => usize::MAX,
        }))
    }
}

/// How deep a Python value may nest on its way to JSON: past the core's own limit, low enough
/// that a list containing itself fails at once instead of exhausting the stack.
const MAX_PY_JSON_DEPTH: usize = 64;

/// A `dict` as metadata (`None` for none): str keys, and str, int, float, bool, None, list,
/// tuple and dict values. The core checks its size and depth.
pub(crate) fn metadata(value: Option<&Bound<'_, PyAny>>) -> PyResult<mk::Metadata> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(mk::Metadata::new());
    };
    if !value.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err("metadata must be a dict"));
    }
    match to_json(value, 0)? {
        serde_json::Value::Object(map) => Ok(map),
        _ => unreachable!("a dict converts to an object"),
    }
}

fn to_json(v: &Bound<'_, PyAny>, depth: usize) -> PyResult<serde_json::Value> {
    use serde_json::Value;
    let invalid = |reason: &str| -> PyErr {
        crate::error::Failure(mk::Error::invalid("metadata", reason.to_owned())).into()
    };
    if depth > MAX_PY_JSON_DEPTH {
        return Err(invalid("nests too deep (or contains itself)"));
    }
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.cast::<pyo3::types::PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = v.cast::<pyo3::types::PyInt>() {
        return match (i.extract::<i64>(), i.extract::<u64>()) {
            (Ok(n), _) => Ok(Value::from(n)),
            (_, Ok(n)) => Ok(Value::from(n)),
            _ => Err(invalid("holds an integer JSON cannot carry exactly")),
        };
    }
    if let Ok(f) = v.cast::<pyo3::types::PyFloat>() {
        return serde_json::Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| invalid("holds NaN or an infinity, which JSON cannot carry"));
    }
    if let Ok(s) = v.cast::<pyo3::types::PyString>() {
        return Ok(Value::String(s.extract::<String>()?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, item) in d.iter() {
            let key = k
                .cast::<pyo3::types::PyString>()
                .map_err(|_| PyTypeError::new_err("metadata keys must be str"))?;
            map.insert(key.extract::<String>()?, to_json(&item, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items = v.try_iter()?;
        return Ok(Value::Array(
            items
                .map(|item| to_json(&item?, depth + 1))
                .collect::<PyResult<_>>()?,
        ));
    }
    Err(PyTypeError::new_err(format!(
        "metadata cannot hold a {}: use str, int, float, bool, None, list or dict",
        v.get_type().name()?
    )))
}

/// Metadata out, as a `dict`.
pub(crate) fn py_metadata<'py>(py: Python<'py>, m: &mk::Metadata) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    for (k, v) in m {
        dict.set_item(k, json(py, v)?)?;
    }
    Ok(dict.into_any())
}

// ----- results out ------------------------------------------------------------------------

pub(crate) fn dt<'py>(py: Python<'py>, t: OffsetDateTime) -> PyResult<Bound<'py, PyAny>> {
    let utc = PyTzInfo::utc(py)?;
    let t = t.to_offset(memberkit::time::UtcOffset::UTC);
    PyDateTime::new(
        py,
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond(),
        Some(&utc),
    )
    .map(Bound::into_any)
}

pub(crate) fn opt_dt<'py>(
    py: Python<'py>,
    t: Option<OffsetDateTime>,
) -> PyResult<Bound<'py, PyAny>> {
    match t {
        Some(t) => dt(py, t),
        None => Ok(py.None().into_bound(py)),
    }
}

pub(crate) fn json<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value::*;
    Ok(match v {
        Null => py.None().into_bound(py),
        Bool(b) => b.into_bound_py_any(py)?,
        Number(n) => match n.as_i64() {
            Some(i) => i.into_bound_py_any(py)?,
            None => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?,
        },
        String(s) => s.into_bound_py_any(py)?,
        Array(items) => {
            let list = PyList::empty(py);
            for i in items {
                list.append(json(py, i)?)?;
            }
            list.into_any()
        }
        Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

pub(crate) fn tuple<'py, T>(
    py: Python<'py>,
    items: impl IntoIterator<Item = T>,
    f: impl Fn(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let items = items
        .into_iter()
        .map(|i| f(py, i))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.into_any())
}

pub(crate) fn list<'py, T>(
    py: Python<'py>,
    items: impl IntoIterator<Item = T>,
    f: impl Fn(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let items = items
        .into_iter()
        .map(|i| f(py, i))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any())
}
