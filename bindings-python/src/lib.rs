//! `memberkit._native`: the pyo3 module under the typed `memberkit` package. It only converts:
//! arguments in, results out (as the frozen dataclasses of `memberkit._types`), errors to the
//! classes of `memberkit._errors`. The GIL is released around every store call.

use memberkit as mk;
use memberkit::time::{Duration, OffsetDateTime};
use memberkit_open::OpenHub;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDateTime, PyDelta, PyDict, PyList, PyTuple, PyTzInfo};
use pyo3::IntoPyObjectExt;
use std::sync::Arc;

// ----- errors -----------------------------------------------------------------------------

/// The Python class for each code. Exhaustive on purpose: a new code fails this build.
fn error_class(code: mk::ErrorCode) -> &'static str {
    use mk::ErrorCode::*;
    match code {
        NotFound => "NotFoundError",
        PermissionDenied => "PermissionDeniedError",
        InvalidInput => "InvalidInputError",
        Conflict => "ConflictError",
        InviteExpired => "InviteExpiredError",
        InviteRevoked => "InviteRevokedError",
        InviteUsed => "InviteUsedError",
        InviteEmailMismatch => "InviteEmailMismatchError",
        MemberDeactivated => "MemberDeactivatedError",
        ImpersonationEnded => "ImpersonationEndedError",
        Storage => "StorageError",
    }
}

fn module<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyModule>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyModule>> {
    cell.get_or_try_init(py, || Ok::<_, PyErr>(py.import(name)?.unbind()))
        .map(|m| m.bind(py))
}

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
static TYPES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

struct Failure(mk::Error);

impl From<mk::Error> for Failure {
    fn from(e: mk::Error) -> Self {
        Failure(e)
    }
}

impl From<Failure> for PyErr {
    fn from(Failure(e): Failure) -> PyErr {
        Python::attach(|py| {
            let class = module(py, &ERRORS, "memberkit._errors")
                .and_then(|m| m.getattr(error_class(e.code())));
            match class {
                Ok(class) => match class.call1((e.to_string(),)) {
                    Ok(instance) => PyErr::from_value(instance),
                    Err(err) => err,
                },
                Err(err) => err,
            }
        })
    }
}

type Res<T> = Result<T, Failure>;

// ----- arguments in -----------------------------------------------------------------------

fn parse<T: std::str::FromStr<Err = mk::Error>>(s: &str) -> Res<T> {
    Ok(s.parse()?)
}

fn parse_all<T: std::str::FromStr<Err = mk::Error>>(items: Vec<String>) -> Res<Vec<T>> {
    items.iter().map(|s| parse(s)).collect()
}

fn actor(s: &str) -> Res<mk::Actor> {
    parse(s)
}

fn opt<T: std::str::FromStr<Err = mk::Error>>(s: Option<String>) -> Res<Option<T>> {
    s.as_deref().map(parse).transpose()
}

/// An aware `datetime` as an instant; naive datetimes are refused (their zone is a guess).
/// Built from the integer fields and the UTC offset, so every microsecond round-trips exactly.
fn instant(value: &Bound<'_, PyAny>) -> PyResult<OffsetDateTime> {
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

fn opt_instant(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<OffsetDateTime>> {
    value.filter(|v| !v.is_none()).map(instant).transpose()
}

/// A `timedelta` from its integer fields (days, seconds, microseconds): exact at any size.
fn duration(value: &Bound<'_, PyAny>) -> PyResult<Duration> {
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
struct Count(usize);

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

// ----- results out ------------------------------------------------------------------------

fn dt<'py>(py: Python<'py>, t: OffsetDateTime) -> PyResult<Bound<'py, PyAny>> {
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

fn opt_dt<'py>(py: Python<'py>, t: Option<OffsetDateTime>) -> PyResult<Bound<'py, PyAny>> {
    match t {
        Some(t) => dt(py, t),
        None => Ok(py.None().into_bound(py)),
    }
}

fn json<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
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

fn tuple<'py, T>(
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

fn list<'py, T>(
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

/// Builds `memberkit._types.<class>(**fields)`.
macro_rules! record {
    ($py:expr, $class:literal, { $($field:literal => $value:expr),* $(,)? }) => {{
        let py = $py;
        let kwargs = PyDict::new(py);
        $( kwargs.set_item($field, $value)?; )*
        module(py, &TYPES, "memberkit._types")?.getattr($class)?.call((), Some(&kwargs))
    }};
}

fn py_tenant<'py>(py: Python<'py>, t: &mk::TenantInfo) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "TenantInfo", {
        "id" => t.id.to_string(), "name" => &t.name,
        "invite_lifetime_seconds" => t.settings.invite_lifetime.whole_seconds(),
        "max_impersonation_seconds" => t.settings.max_impersonation.whole_seconds(),
        "created_at" => dt(py, t.created_at)?,
    })
}

fn py_member<'py>(py: Python<'py>, m: &mk::Member) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Member", {
        "id" => m.id.to_string(), "tenant_id" => m.tenant_id.to_string(), "email" => &m.email,
        "email_key" => &m.email_key, "name" => &m.name, "external_id" => &m.external_id,
        "status" => m.status.as_str(), "created_at" => dt(py, m.created_at)?,
        "updated_at" => dt(py, m.updated_at)?,
    })
}

fn py_product<'py>(py: Python<'py>, p: &mk::Product) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Product", {
        "id" => p.id.to_string(), "tenant_id" => p.tenant_id.to_string(), "name" => &p.name,
        "kind" => p.kind.as_str(), "paid" => p.paid, "archived" => p.archived,
        "created_at" => dt(py, p.created_at)?,
    })
}

fn py_grant<'py>(py: Python<'py>, g: &mk::Grant) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Grant", {
        "id" => g.id.to_string(), "member_id" => g.member_id.to_string(),
        "product_id" => g.product_id.to_string(), "source" => g.source.as_str(),
        "granted_by" => g.granted_by.to_string(), "granted_at" => dt(py, g.granted_at)?,
        "expires_at" => opt_dt(py, g.expires_at)?, "revoked_at" => opt_dt(py, g.revoked_at)?,
        "revoked_by" => g.revoked_by.map(|a| a.to_string()),
    })
}

fn py_invite<'py>(py: Python<'py>, i: &mk::Invite) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Invite", {
        "id" => i.id.to_string(), "tenant_id" => i.tenant_id.to_string(),
        "member_id" => i.member_id.to_string(), "email" => &i.email, "name" => &i.name,
        "role" => i.role.key(), "workspace" => i.workspace.map(|w| w.to_string()),
        "products" => tuple(py, &i.products, |py, p| p.to_string().into_bound_py_any(py))?,
        "created_by" => i.created_by.to_string(), "created_at" => dt(py, i.created_at)?,
        "expires_at" => dt(py, i.expires_at)?, "status" => i.status.as_str(),
        "accepted_at" => opt_dt(py, i.accepted_at)?, "revoked_at" => opt_dt(py, i.revoked_at)?,
    })
}

fn py_issued<'py>(py: Python<'py>, i: &mk::IssuedInvite) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "IssuedInvite", {
        "invite" => py_invite(py, &i.invite)?, "token" => i.token.expose(), "merged" => i.merged,
    })
}

fn py_accepted<'py>(py: Python<'py>, a: &mk::Accepted) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Accepted", {
        "invite" => py_invite(py, &a.invite)?, "member" => py_member(py, &a.member)?,
        "granted" => tuple(py, &a.granted, py_grant)?,
    })
}

fn py_workspace<'py>(py: Python<'py>, w: &mk::Workspace) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Workspace", {
        "id" => w.id.to_string(), "tenant_id" => w.tenant_id.to_string(), "name" => &w.name,
        "created_at" => dt(py, w.created_at)?,
    })
}

fn py_role<'py>(py: Python<'py>, r: &mk::CustomRole) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "CustomRole", {
        "id" => r.id.to_string(), "tenant_id" => r.tenant_id.to_string(), "name" => &r.name,
        "permissions" => tuple(py, &r.permissions, |py, p| p.as_str().into_bound_py_any(py))?,
        "created_at" => dt(py, r.created_at)?,
    })
}

fn py_assignment<'py>(py: Python<'py>, a: &mk::RoleAssignment) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "RoleAssignment", {
        "member_id" => a.member_id.to_string(), "role" => a.role.key(),
        "workspace" => a.workspace.map(|w| w.to_string()),
    })
}

fn py_session<'py>(py: Python<'py>, s: &mk::Impersonation) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Impersonation", {
        "id" => s.id.to_string(), "tenant_id" => s.tenant_id.to_string(),
        "actor_id" => s.actor_id.to_string(), "target_id" => s.target_id.to_string(),
        "reason" => &s.reason, "started_at" => dt(py, s.started_at)?,
        "ends_at" => dt(py, s.ends_at)?, "ended_at" => opt_dt(py, s.ended_at)?,
    })
}

fn py_event<'py>(py: Python<'py>, e: &mk::OutboxEvent) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "OutboxEvent", {
        "id" => e.id.to_string(), "tenant_id" => e.tenant_id.to_string(), "kind" => &e.kind,
        "channel" => e.channel.as_str(), "payload" => json(py, &e.payload)?, "created_at" => dt(py, e.created_at)?,
        "delivered_at" => opt_dt(py, e.delivered_at)?,
    })
}

fn py_audit<'py>(py: Python<'py>, e: &mk::AuditEntry) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "AuditEntry", {
        "id" => e.id.to_string(), "tenant_id" => e.tenant_id.to_string(),
        "at" => dt(py, e.at)?, "actor" => e.actor.to_string(), "action" => &e.action,
        "subject" => &e.subject, "details" => json(py, &e.details)?,
    })
}

fn py_page<'py>(py: Python<'py>, p: &mk::CustomerPage) -> PyResult<Bound<'py, PyAny>> {
    let rows = tuple(py, &p.rows, |py, r| {
        record!(py, "CustomerRow", {
            "member" => py_member(py, &r.member)?,
            "products" => tuple(py, &r.products, |py, p| record!(py, "ProductRef", {
                "id" => p.id.to_string(), "name" => &p.name,
            }))?,
        })
    })?;
    record!(py, "CustomerPage", { "rows" => rows, "next_cursor" => &p.next_cursor })
}

fn py_report<'py>(py: Python<'py>, r: &mk::ImportReport) -> PyResult<Bound<'py, PyAny>> {
    let rows = tuple(py, &r.rows, |py, row| {
        record!(py, "ImportRow", {
            "line" => row.line, "email" => &row.email, "name" => &row.name,
            "outcome" => row.outcome.as_str(), "reason" => &row.reason,
            "member_id" => row.member_id.map(|m| m.to_string()),
            "invite_token" => row.invite_token.as_ref().map(|t| t.expose().to_owned()),
            "temporary_password" => &row.temporary_password,
        })
    })?;
    record!(py, "ImportReport", {
        "rows" => rows, "applied" => r.applied, "dry_run" => r.dry_run,
        "temporary_passwords_csv" => r.temporary_passwords_csv(),
    })
}

// ----- classes ----------------------------------------------------------------------------

/// A clock that stands still until moved: pass it to `Hub.open` in tests to cross expiries.
#[pyclass(frozen, module = "memberkit._native")]
struct ManualClock {
    inner: Arc<mk::ManualClock>,
}

#[pymethods]
impl ManualClock {
    /// A clock showing `start` (an aware datetime).
    #[new]
    fn new(start: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            inner: Arc::new(mk::ManualClock::new(instant(start)?)),
        })
    }

    /// The time it shows.
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        use mk::Clock;
        dt(py, self.inner.now())
    }

    /// Moves the clock by a timedelta.
    fn advance(&self, by: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.advance(duration(by)?).map_err(Failure)?;
        Ok(())
    }

    /// Sets the clock to an aware datetime.
    fn set(&self, to: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set(instant(to)?);
        Ok(())
    }
}

/// A memberkit hub: one SQLite database holding any number of tenants. Thread-safe; share one.
#[pyclass(frozen, module = "memberkit._native")]
struct Hub {
    inner: mk::Hub,
}

#[pymethods]
impl Hub {
    /// Opens a hub by path or URL: a SQLite file (created if needed), `":memory:"` for an
    /// ephemeral one, or `"sqlite:…"`; another `scheme://` raises `InvalidInputError`.
    /// `clock` is for tests.
    #[staticmethod]
    #[pyo3(signature = (path, clock=None))]
    fn open(
        py: Python<'_>,
        path: std::path::PathBuf,
        clock: Option<&ManualClock>,
    ) -> PyResult<Self> {
        let clock = clock.map(|c| c.inner.clone() as Arc<dyn mk::Clock>);
        let inner = py.detach(|| match clock {
            Some(c) => mk::Hub::open_with_clock(&path, c),
            None => mk::Hub::open(&path),
        });
        Ok(Self {
            inner: inner.map_err(Failure)?,
        })
    }

    /// The current time as memberkit sees it.
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        dt(py, self.inner.now())
    }

    /// Creates a tenant. Lifetimes are timedeltas (defaults: invites 7 days, impersonation
    /// 1 hour).
    #[pyo3(signature = (name, *, invite_lifetime=None, max_impersonation=None))]
    fn create_tenant(
        &self,
        py: Python<'_>,
        name: String,
        invite_lifetime: Option<&Bound<'_, PyAny>>,
        max_impersonation: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Tenant> {
        let settings = settings(
            mk::TenantSettings::default(),
            invite_lifetime,
            max_impersonation,
        )?;
        let t = py
            .detach(|| self.inner.create_tenant_with(&name, settings))
            .map_err(Failure)?;
        Ok(Tenant { inner: t })
    }

    /// A handle on an existing tenant. Raises `NotFoundError`.
    fn tenant(&self, py: Python<'_>, id: String) -> PyResult<Tenant> {
        let id: mk::TenantId = parse(&id)?;
        let t = py.detach(|| self.inner.tenant(id)).map_err(Failure)?;
        Ok(Tenant { inner: t })
    }

    /// Call on sign-up: accepts the email's pending invites in every tenant.
    fn claim<'py>(&self, py: Python<'py>, email: String) -> PyResult<Bound<'py, PyAny>> {
        let r = py.detach(|| self.inner.claim(&email)).map_err(Failure)?;
        list(py, &r, py_accepted)
    }

    /// Undelivered events of every tenant, oldest first.
    #[pyo3(signature = (limit=Count(100)), text_signature = "($self, limit=100)")]
    fn outbox<'py>(&self, py: Python<'py>, limit: Count) -> PyResult<Bound<'py, PyAny>> {
        let limit = limit.0;
        let r = py.detach(|| self.inner.outbox(limit)).map_err(Failure)?;
        list(py, &r, py_event)
    }

    /// Marks events delivered; returns how many were pending.
    fn ack(&self, py: Python<'_>, ids: Vec<String>) -> PyResult<usize> {
        let ids: Vec<mk::EventId> = parse_all(ids)?;
        Ok(py.detach(|| self.inner.ack(&ids)).map_err(Failure)?)
    }
}

fn settings(
    mut s: mk::TenantSettings,
    invite_lifetime: Option<&Bound<'_, PyAny>>,
    max_impersonation: Option<&Bound<'_, PyAny>>,
) -> PyResult<mk::TenantSettings> {
    if let Some(d) = invite_lifetime {
        s.invite_lifetime = duration(d)?;
    }
    if let Some(d) = max_impersonation {
        s.max_impersonation = duration(d)?;
    }
    Ok(s)
}

/// A tenant-scoped handle: every call reads and writes only this tenant's rows.
#[pyclass(frozen, module = "memberkit._native")]
struct Tenant {
    inner: mk::Tenant,
}

macro_rules! call {
    ($py:expr, $body:expr) => {
        $py.detach(|| $body).map_err(Failure)?
    };
}

#[allow(clippy::too_many_arguments)]
fn customer_query(
    search: Option<String>,
    status: Option<String>,
    product: Option<String>,
    no_access: bool,
    workspace: Option<String>,
    sort: &str,
    cursor: Option<String>,
    limit: usize,
) -> Res<mk::CustomerQuery> {
    Ok(mk::CustomerQuery {
        search,
        status: opt(status)?,
        product: opt(product)?,
        no_access,
        workspace: opt(workspace)?,
        sort: parse(sort)?,
        cursor,
        limit,
    })
}

#[pymethods]
impl Tenant {
    /// The tenant's id.
    #[getter]
    fn id(&self) -> String {
        self.inner.id().to_string()
    }

    fn __repr__(&self) -> String {
        format!("Tenant('{}')", self.inner.id())
    }

    /// The tenant's name and settings.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_tenant(py, &call!(py, self.inner.info()))
    }

    /// Changes the settings (timedeltas). Needs `settings.manage`.
    #[pyo3(signature = (actor, *, invite_lifetime=None, max_impersonation=None))]
    fn update_settings<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        invite_lifetime: Option<&Bound<'_, PyAny>>,
        max_impersonation: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = self::actor(actor)?;
        let update = mk::SettingsUpdate {
            invite_lifetime: invite_lifetime.map(duration).transpose()?,
            max_impersonation: max_impersonation.map(duration).transpose()?,
        };
        py_tenant(
            py,
            &call!(py, self.inner.update_settings(a, update.clone())),
        )
    }

    // ----- products ---------------------------------------------------------------------

    /// Creates a product. Needs `products.manage`.
    #[pyo3(signature = (actor, name, kind, *, paid=true))]
    fn create_product<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        name: String,
        kind: &str,
        paid: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, kind) = (self::actor(actor)?, parse(kind)?);
        let new = mk::NewProduct { name, kind, paid };
        py_product(py, &call!(py, self.inner.create_product(a, new.clone())))
    }

    /// Archives a product: no new grants; existing grants keep working.
    fn archive_product<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        product: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, p) = (self::actor(actor)?, parse(product)?);
        py_product(py, &call!(py, self.inner.archive_product(a, p)))
    }

    /// Every product, archived ones included.
    fn products<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        list(py, &call!(py, self.inner.products()), py_product)
    }

    /// One product.
    fn product<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let id = parse(id)?;
        py_product(py, &call!(py, self.inner.product(id)))
    }

    // ----- customers and access -----------------------------------------------------------

    /// Adds a customer now (no invite) and grants `products` at once; reuses a member with the
    /// same email or external id.
    #[pyo3(signature = (actor, email, *, name=None, external_id=None, products=Vec::new(), expires_at=None, source="manual", role="customer", notify=true))]
    #[allow(clippy::too_many_arguments)]
    fn add_customer<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        email: String,
        name: Option<String>,
        external_id: Option<String>,
        products: Vec<String>,
        expires_at: Option<&Bound<'_, PyAny>>,
        source: &str,
        role: &str,
        notify: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = self::actor(actor)?;
        let new = mk::NewCustomer {
            notify,
            email,
            name,
            external_id,
            products: parse_all(products)?,
            expires_at: opt_instant(expires_at)?,
            source: parse(source)?,
            role: parse(role)?,
        };
        let added = call!(py, self.inner.add_customer(a, new.clone()));
        record!(py, "AddedCustomer", {
            "member" => py_member(py, &added.member)?, "outcome" => added.outcome.as_str(),
            "granted" => tuple(py, &added.granted, py_grant)?,
        })
    }

    /// Grants access to a paid product (or renews it with the new expiry).
    #[pyo3(signature = (actor, member, product, *, expires_at=None, source="manual"))]
    fn grant<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
        product: &str,
        expires_at: Option<&Bound<'_, PyAny>>,
        source: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m, p) = (self::actor(actor)?, parse(member)?, parse(product)?);
        let options = mk::GrantOptions {
            expires_at: opt_instant(expires_at)?,
            source: parse(source)?,
        };
        py_grant(py, &call!(py, self.inner.grant(a, m, p, options.clone())))
    }

    /// Revokes access at once. Returns the revoked grant, or None if there was none.
    fn revoke<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
        product: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m, p) = (self::actor(actor)?, parse(member)?, parse(product)?);
        match call!(py, self.inner.revoke(a, m, p)) {
            Some(g) => py_grant(py, &g),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Whether the member may use the product now.
    fn has_access(&self, py: Python<'_>, member: &str, product: &str) -> PyResult<bool> {
        let (m, p) = (parse(member)?, parse(product)?);
        Ok(call!(py, self.inner.has_access(m, p)))
    }

    /// Everything the member may use now.
    fn access<'py>(&self, py: Python<'py>, member: &str) -> PyResult<Bound<'py, PyAny>> {
        let m = parse(member)?;
        list(py, &call!(py, self.inner.access(m)), |py, a| {
            record!(py, "ProductAccess", {
                "product" => py_product(py, &a.product)?,
                "grant" => match &a.grant { Some(g) => py_grant(py, g)?, None => py.None().into_bound(py) },
            })
        })
    }

    /// One member.
    fn member<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let id = parse(id)?;
        py_member(py, &call!(py, self.inner.member(id)))
    }

    /// The member with this email (case-insensitive), or None.
    fn member_by_email<'py>(&self, py: Python<'py>, email: String) -> PyResult<Bound<'py, PyAny>> {
        match call!(py, self.inner.member_by_email(&email)) {
            Some(m) => py_member(py, &m),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// The member's tenant-wide role, or None.
    fn role(&self, py: Python<'_>, member: &str) -> PyResult<Option<String>> {
        let m = parse(member)?;
        Ok(call!(py, self.inner.role(m)).map(|r| r.key()))
    }

    // ----- invites --------------------------------------------------------------------------

    /// Invites an email; returns the invite and its link token (once).
    #[pyo3(signature = (actor, email, *, name=None, role="customer", products=Vec::new(), workspace=None, notify=true))]
    #[allow(clippy::too_many_arguments)]
    fn invite<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        email: String,
        name: Option<String>,
        role: &str,
        products: Vec<String>,
        workspace: Option<String>,
        notify: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = self::actor(actor)?;
        let new = mk::NewInvite {
            notify,
            email,
            name,
            role: parse(role)?,
            workspace: opt(workspace)?,
            products: parse_all(products)?,
        };
        py_issued(py, &call!(py, self.inner.invite(a, new.clone())))
    }

    /// Resends: a new token and a fresh lifetime.
    fn resend_invite<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        invite: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, i) = (self::actor(actor)?, parse(invite)?);
        py_issued(py, &call!(py, self.inner.resend_invite(a, i)))
    }

    /// Revokes a pending invite.
    fn revoke_invite<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        invite: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, i) = (self::actor(actor)?, parse(invite)?);
        py_invite(py, &call!(py, self.inner.revoke_invite(a, i)))
    }

    /// Accepts an invite by its link token; pass the signed-in email when there is one.
    #[pyo3(signature = (token, email=None))]
    fn accept<'py>(
        &self,
        py: Python<'py>,
        token: String,
        email: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        py_accepted(py, &call!(py, self.inner.accept(&token, email.as_deref())))
    }

    /// Call on sign-up: accepts this email's pending invite here, or returns None.
    fn claim<'py>(&self, py: Python<'py>, email: String) -> PyResult<Bound<'py, PyAny>> {
        match call!(py, self.inner.claim(&email)) {
            Some(a) => py_accepted(py, &a),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// One invite with its current status.
    fn get_invite<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let id = parse(id)?;
        py_invite(py, &call!(py, self.inner.get_invite(id)))
    }

    /// Invites, newest first, optionally filtered by status.
    #[pyo3(signature = (status=None))]
    fn invites<'py>(&self, py: Python<'py>, status: Option<String>) -> PyResult<Bound<'py, PyAny>> {
        let status = opt(status)?;
        list(py, &call!(py, self.inner.invites(status)), py_invite)
    }

    // ----- team ---------------------------------------------------------------------------------

    /// Creates a workspace. Needs `users.manage`.
    fn create_workspace<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        name: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = self::actor(actor)?;
        py_workspace(py, &call!(py, self.inner.create_workspace(a, &name)))
    }

    /// Every workspace.
    fn workspaces<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        list(py, &call!(py, self.inner.workspaces()), py_workspace)
    }

    /// One workspace.
    fn workspace<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let id = parse(id)?;
        py_workspace(py, &call!(py, self.inner.workspace(id)))
    }

    /// Members of a workspace with their roles there.
    fn workspace_members<'py>(
        &self,
        py: Python<'py>,
        workspace: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let w = parse(workspace)?;
        list(
            py,
            &call!(py, self.inner.workspace_members(w)),
            |py, m| record!(py, "WorkspaceMember", { "member" => py_member(py, &m.member)?, "role" => m.role.key() }),
        )
    }

    /// Adds an active member to another workspace, with no email.
    fn add_to_workspace<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
        workspace: &str,
        role: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m, w, r) = (
            self::actor(actor)?,
            parse(member)?,
            parse(workspace)?,
            parse(role)?,
        );
        py_assignment(py, &call!(py, self.inner.add_to_workspace(a, m, w, r)))
    }

    /// Takes a member out of a workspace; returns whether they were in it.
    fn remove_from_workspace(
        &self,
        py: Python<'_>,
        actor: &str,
        member: &str,
        workspace: &str,
    ) -> PyResult<bool> {
        let (a, m, w) = (self::actor(actor)?, parse(member)?, parse(workspace)?);
        Ok(call!(py, self.inner.remove_from_workspace(a, m, w)))
    }

    /// Creates a custom role with permissions.
    fn create_role<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        name: String,
        permissions: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = self::actor(actor)?;
        let perms: Vec<mk::Permission> = permissions
            .into_iter()
            .map(mk::Permission::custom)
            .collect();
        py_role(py, &call!(py, self.inner.create_role(a, &name, &perms)))
    }

    /// Renames a custom role and replaces its permissions.
    fn update_role<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        role: &str,
        name: String,
        permissions: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, id) = (self::actor(actor)?, parse(role)?);
        let perms: Vec<mk::Permission> = permissions
            .into_iter()
            .map(mk::Permission::custom)
            .collect();
        py_role(py, &call!(py, self.inner.update_role(a, id, &name, &perms)))
    }

    /// Deletes a custom role that nobody holds.
    fn delete_role(&self, py: Python<'_>, actor: &str, role: &str) -> PyResult<()> {
        let (a, id) = (self::actor(actor)?, parse(role)?);
        call!(py, self.inner.delete_role(a, id));
        Ok(())
    }

    /// The tenant's custom roles.
    fn roles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        list(py, &call!(py, self.inner.roles()), py_role)
    }

    /// Gives a member a role tenant-wide or in a workspace they belong to.
    #[pyo3(signature = (actor, member, role, workspace=None))]
    fn assign_role<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
        role: &str,
        workspace: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m, r, w) = (
            self::actor(actor)?,
            parse(member)?,
            parse(role)?,
            opt(workspace)?,
        );
        py_assignment(py, &call!(py, self.inner.assign_role(a, m, r, w)))
    }

    /// Every role the member holds.
    fn assignments<'py>(&self, py: Python<'py>, member: &str) -> PyResult<Bound<'py, PyAny>> {
        let m = parse(member)?;
        list(py, &call!(py, self.inner.assignments(m)), py_assignment)
    }

    /// Whether the member holds `permission` tenant-wide or in `workspace`.
    #[pyo3(signature = (member, permission, workspace=None))]
    fn can(
        &self,
        py: Python<'_>,
        member: &str,
        permission: String,
        workspace: Option<String>,
    ) -> PyResult<bool> {
        let (m, w) = (parse(member)?, opt(workspace)?);
        let p = mk::Permission::custom(permission);
        Ok(call!(py, self.inner.can(m, &p, w)))
    }

    /// Deactivates a member (reversible).
    fn deactivate<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m) = (self::actor(actor)?, parse(member)?);
        py_member(py, &call!(py, self.inner.deactivate(a, m)))
    }

    /// Reactivates a deactivated member.
    fn reactivate<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        member: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, m) = (self::actor(actor)?, parse(member)?);
        py_member(py, &call!(py, self.inner.reactivate(a, m)))
    }

    /// Removes a member (their access, roles, password and pending invites).
    fn remove_member(&self, py: Python<'_>, actor: &str, member: &str) -> PyResult<()> {
        let (a, m) = (self::actor(actor)?, parse(member)?);
        call!(py, self.inner.remove_member(a, m));
        Ok(())
    }

    /// Sets a password (argon2id; the GIL is released while hashing).
    #[pyo3(signature = (actor, member, password, *, must_change=false))]
    fn set_password(
        &self,
        py: Python<'_>,
        actor: &str,
        member: &str,
        password: String,
        must_change: bool,
    ) -> PyResult<()> {
        let (a, m) = (self::actor(actor)?, parse(member)?);
        call!(py, self.inner.set_password(a, m, &password, must_change));
        Ok(())
    }

    /// Checks a sign-in: a PasswordCheck, or None for a wrong password or unknown email.
    fn verify_password<'py>(
        &self,
        py: Python<'py>,
        email: String,
        password: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        match call!(py, self.inner.verify_password(&email, &password)) {
            Some(c) => {
                record!(py, "PasswordCheck", { "member" => py_member(py, &c.member)?, "must_change" => c.must_change })
            }
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Starts "log in as this user"; `duration` is a timedelta (default: the tenant maximum).
    #[pyo3(signature = (actor, target, reason, *, duration=None))]
    fn impersonate<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        target: &str,
        reason: String,
        duration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, t) = (self::actor(actor)?, parse(target)?);
        let d = duration.map(self::duration).transpose()?;
        let issued = call!(py, self.inner.impersonate(a, t, &reason, d));
        record!(py, "IssuedImpersonation", { "session" => py_session(py, &issued.session)?, "token" => issued.token.expose() })
    }

    /// Exchanges an impersonation token for its live session.
    fn verify_impersonation<'py>(
        &self,
        py: Python<'py>,
        token: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        py_session(py, &call!(py, self.inner.verify_impersonation(&token)))
    }

    /// Ends a session early.
    fn end_impersonation<'py>(
        &self,
        py: Python<'py>,
        token: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        py_session(py, &call!(py, self.inner.end_impersonation(&token)))
    }

    // ----- customer list, import, export --------------------------------------------------

    /// One page of customers with their active products.
    #[pyo3(
        signature = (*, search=None, status=None, product=None, no_access=false, workspace=None, sort="newest", cursor=None, limit=Count(50)),
        text_signature = "($self, *, search=None, status=None, product=None, no_access=False, workspace=None, sort='newest', cursor=None, limit=50)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn customers<'py>(
        &self,
        py: Python<'py>,
        search: Option<String>,
        status: Option<String>,
        product: Option<String>,
        no_access: bool,
        workspace: Option<String>,
        sort: &str,
        cursor: Option<String>,
        limit: Count,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = customer_query(
            search, status, product, no_access, workspace, sort, cursor, limit.0,
        )?;
        py_page(py, &call!(py, self.inner.customers(&q)))
    }

    /// How many customers match.
    #[pyo3(signature = (*, search=None, status=None, product=None, no_access=false, workspace=None))]
    fn count_customers(
        &self,
        py: Python<'_>,
        search: Option<String>,
        status: Option<String>,
        product: Option<String>,
        no_access: bool,
        workspace: Option<String>,
    ) -> PyResult<usize> {
        let q = customer_query(
            search, status, product, no_access, workspace, "newest", None, 50,
        )?;
        Ok(call!(py, self.inner.count_customers(&q)))
    }

    /// Every matching customer as CSV (RFC 4180, formula cells neutralised).
    #[pyo3(signature = (*, search=None, status=None, product=None, no_access=false, workspace=None, sort="newest"))]
    #[allow(clippy::too_many_arguments)]
    fn export_customers(
        &self,
        py: Python<'_>,
        search: Option<String>,
        status: Option<String>,
        product: Option<String>,
        no_access: bool,
        workspace: Option<String>,
        sort: &str,
    ) -> PyResult<String> {
        let q = customer_query(
            search, status, product, no_access, workspace, sort, None, 50,
        )?;
        Ok(call!(py, self.inner.export_customers(&q)))
    }

    /// Imports CSV or pasted text (`format` is "csv" or "pasted") from a str (the text itself),
    /// bytes (UTF-8), an os.PathLike (a file to read) or a file object. The GIL is released; the
    /// progress callback, if any, is called with (done, total).
    #[pyo3(signature = (actor, source, *, format="csv", products=Vec::new(), workspace=None, role="customer", mode="invite", notify=true, dry_run=false, skip_invalid=false, progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn import_customers<'py>(
        &self,
        py: Python<'py>,
        actor: &str,
        source: &Bound<'py, PyAny>,
        format: &str,
        products: Vec<String>,
        workspace: Option<String>,
        role: &str,
        mode: &str,
        notify: bool,
        dry_run: bool,
        skip_invalid: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = self::actor(actor)?;
        let text = source_text(py, source)?;
        if progress
            .as_ref()
            .is_some_and(|cb| !cb.bind(py).is_callable())
        {
            return Err(PyTypeError::new_err(
                "progress must be callable as progress(done, total)",
            ));
        }
        // An exception in the callback stops the import (rolled back) and is raised as is.
        let raised: Arc<std::sync::Mutex<Option<PyErr>>> = Arc::default();
        let progress: Option<mk::ProgressFn> = progress.map(|cb| {
            let raised = raised.clone();
            Arc::new(move |done: usize, total: usize| {
                Python::attach(|py| cb.call1(py, (done, total)).map(drop)).map_err(|e| {
                    *raised.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    mk::Error::Conflict("the progress callback raised: import rolled back".into())
                })
            }) as mk::ProgressFn
        });
        let options = mk::ImportOptions {
            products: parse_all(products)?,
            workspace: opt(workspace)?,
            role: parse(role)?,
            mode: parse(mode)?,
            notify: Some(notify),
            dry_run,
            skip_invalid,
            progress,
        };
        let source = match format {
            "csv" => mk::ImportSource::Csv(&text),
            "pasted" => mk::ImportSource::Pasted(&text),
            other => {
                return Err(Failure(mk::Error::InvalidInput {
                    field: "format",
                    reason: format!("`{other}` is not one of csv, pasted"),
                })
                .into())
            }
        };
        let result = py.detach(|| self.inner.import_customers(a, source, &options));
        if let Some(err) = raised.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(err);
        }
        py_report(py, &result.map_err(Failure)?)
    }

    /// Audit entries, newest first; page with `before=<last id>`.
    #[pyo3(
        signature = (*, actor=None, subject=None, since=None, until=None, before=None, limit=Count(100)),
        text_signature = "($self, *, actor=None, subject=None, since=None, until=None, before=None, limit=100)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn audit<'py>(
        &self,
        py: Python<'py>,
        actor: Option<&str>,
        subject: Option<String>,
        since: Option<&Bound<'_, PyAny>>,
        until: Option<&Bound<'_, PyAny>>,
        before: Option<String>,
        limit: Count,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = mk::AuditQuery {
            actor: actor.map(self::actor).transpose()?,
            subject,
            since: opt_instant(since)?,
            until: opt_instant(until)?,
            before: opt(before)?,
            limit: limit.0,
        };
        list(py, &call!(py, self.inner.audit(&q)), py_audit)
    }

    /// This tenant's undelivered events, oldest first.
    #[pyo3(signature = (limit=Count(100)), text_signature = "($self, limit=100)")]
    fn outbox<'py>(&self, py: Python<'py>, limit: Count) -> PyResult<Bound<'py, PyAny>> {
        let limit = limit.0;
        list(py, &call!(py, self.inner.outbox(limit)), py_event)
    }

    /// Marks this tenant's events delivered; returns how many were pending.
    fn ack(&self, py: Python<'_>, ids: Vec<String>) -> PyResult<usize> {
        let ids: Vec<mk::EventId> = parse_all(ids)?;
        Ok(call!(py, self.inner.ack(&ids)))
    }
}

/// The text of an import source: a str is the text; bytes are UTF-8; a path-like is read; a
/// file object is `read()` once and must give str or bytes.
fn source_text(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Some(text) = str_or_bytes(source)? {
        return Ok(text);
    }
    if source.hasattr("read")? {
        let data = source.call_method0("read")?;
        return str_or_bytes(&data)?.ok_or_else(|| {
            PyTypeError::new_err(format!(
                "source.read() must return str or bytes, not {}",
                data.get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string())
            ))
        });
    }
    if let Ok(path) = source.extract::<std::path::PathBuf>() {
        let bytes = py.detach(|| std::fs::read(&path)).map_err(|e| {
            pyo3::exceptions::PyOSError::new_err(format!("{}: {e}", path.display()))
        })?;
        return utf8(bytes);
    }
    Err(PyTypeError::new_err(
        "source must be str (the text), bytes, os.PathLike or a file object",
    ))
}

/// `Some(text)` for a str, or for bytes / bytearray holding UTF-8; `None` for anything else.
fn str_or_bytes(value: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if let Ok(s) = value.cast::<pyo3::types::PyString>() {
        return Ok(Some(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = value.cast::<pyo3::types::PyBytes>() {
        return utf8(b.as_bytes().to_vec()).map(Some);
    }
    if let Ok(b) = value.cast::<pyo3::types::PyByteArray>() {
        return utf8(b.to_vec()).map(Some);
    }
    Ok(None)
}

fn utf8(bytes: Vec<u8>) -> PyResult<String> {
    String::from_utf8(bytes).map_err(|e| {
        Failure(mk::Error::InvalidInput {
            field: "source",
            reason: format!("is not UTF-8: {e}"),
        })
        .into()
    })
}

/// The stable error codes, in the core's order.
fn error_codes() -> Vec<&'static str> {
    mk::ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Hub>()?;
    m.add_class::<Tenant>()?;
    m.add_class::<ManualClock>()?;
    m.add("ERROR_CODES", error_codes())?;
    m.add(
        "PERMISSIONS",
        mk::Permission::CATALOGUE
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect::<Vec<_>>(),
    )?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
