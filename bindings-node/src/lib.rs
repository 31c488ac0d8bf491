//! memberkit for Node: every call that touches the store returns a Promise and runs on the
//! libuv thread pool; hot reads also have a synchronous twin (`hasAccessSync`, `canSync`).
//! Errors are `Error` objects whose `code` is the core's stable code. This crate only
//! converts: arguments in, plain objects out.
#![allow(clippy::too_many_arguments)]

use chrono::{DateTime, Utc};
use memberkit as mk;
use memberkit::time::{Duration, OffsetDateTime};
use memberkit_open::OpenHub;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use std::sync::Arc;
use strict::{check_keys, keys, Count, Keys, Strict};

mod strict;

// ----- errors -----------------------------------------------------------------------------

/// The JS `err.code` for each core code. Exhaustive on purpose: a new code fails this build.
fn js_code(code: mk::ErrorCode) -> &'static str {
    use mk::ErrorCode::*;
    match code {
        NotFound => "not_found",
        PermissionDenied => "permission_denied",
        InvalidInput => "invalid_input",
        Conflict => "conflict",
        InviteExpired => "invite_expired",
        InviteRevoked => "invite_revoked",
        InviteUsed => "invite_used",
        InviteEmailMismatch => "invite_email_mismatch",
        MemberDeactivated => "member_deactivated",
        ImpersonationEnded => "impersonation_ended",
        Storage => "storage",
    }
}

/// Runs a synchronous call, turning a core error into a JS `Error` with `code`.
fn sync<T>(f: impl FnOnce() -> mk::Result<T>) -> std::result::Result<T, Error<String>> {
    f().map_err(|e| Error::new(js_code(e.code()).to_string(), e.to_string()))
}

/// A store call run on the libuv pool. The core's code rides along to `reject`, which puts it
/// on the JS error (`AsyncTask` errors otherwise carry only a napi status).
pub struct Job<T: Send + 'static> {
    work: Option<Box<dyn FnOnce() -> mk::Result<T> + Send>>,
    code: Option<&'static str>,
    /// What a JavaScript callback of this job threw (an import's progress): the promise
    /// rejects with that very error.
    thrown: Option<Thrown>,
}

/// The error a JavaScript callback threw, kept for the job's rejection.
type Thrown = Arc<std::sync::Mutex<Option<Error>>>;

fn job<T: ToNapiValue + TypeName + Send + 'static>(
    work: impl FnOnce() -> mk::Result<T> + Send + 'static,
) -> AsyncTask<Job<T>> {
    AsyncTask::new(Job {
        work: Some(Box::new(work)),
        code: None,
        thrown: None,
    })
}

impl<T: ToNapiValue + TypeName + Send + 'static> Task for Job<T> {
    type Output = T;
    type JsValue = T;

    fn compute(&mut self) -> Result<T> {
        let work = self
            .work
            .take()
            .ok_or_else(|| Error::from_reason("memberkit job ran twice"))?;
        work().map_err(|e| {
            self.code = Some(js_code(e.code()));
            Error::new(Status::GenericFailure, e.to_string())
        })
    }

    fn resolve(&mut self, _env: Env, output: T) -> Result<T> {
        Ok(output)
    }

    fn reject(&mut self, env: Env, err: Error) -> Result<T> {
        let thrown = self.thrown.as_ref().and_then(|t| t.lock().ok()?.take());
        if let Some(thrown) = thrown {
            return Err(thrown);
        }
        let Some(code) = self.code else {
            return Err(err);
        };
        let mut obj = env.create_error(err)?;
        obj.set_named_property("code", code)?;
        Err(Error::from(obj.to_unknown()))
    }
}

/// A Promise already resolved with `answer`, or rejected with an `Error` carrying its `code`:
/// what an async method returns when it could answer without leaving the event loop.
fn settled<'env, T: ToNapiValue>(
    env: &'env Env,
    answer: mk::Result<T>,
) -> Result<PromiseRaw<'env, T>> {
    let mut deferred = std::ptr::null_mut();
    let mut promise = std::ptr::null_mut();
    check_status!(unsafe { sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) })?;
    match answer {
        Ok(value) => {
            // SAFETY: `env` is the current environment; the value is converted on this thread.
            let value = unsafe { T::to_napi_value(env.raw(), value)? };
            check_status!(unsafe { sys::napi_resolve_deferred(env.raw(), deferred, value) })?;
        }
        Err(e) => {
            let mut error = env.create_error(Error::new(Status::GenericFailure, e.to_string()))?;
            error.set_named_property("code", js_code(e.code()))?;
            check_status!(unsafe { sys::napi_reject_deferred(env.raw(), deferred, error.raw()) })?;
        }
    }
    Ok(PromiseRaw::new(env.raw(), promise))
}

// ----- conversions --------------------------------------------------------------------------

fn date(t: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(mk::to_unix_micros(t)).unwrap_or_default()
}

fn opt_date(t: Option<OffsetDateTime>) -> Option<DateTime<Utc>> {
    t.map(date)
}

fn instant(d: DateTime<Utc>) -> mk::Result<OffsetDateTime> {
    mk::from_unix_micros(d.timestamp_micros()).ok_or_else(|| mk::Error::InvalidInput {
        field: "date",
        reason: "out of range".into(),
    })
}

fn actor(s: &str) -> mk::Result<mk::Actor> {
    s.parse()
}

fn ids<T: std::str::FromStr<Err = mk::Error>>(items: Option<Vec<String>>) -> mk::Result<Vec<T>> {
    items
        .unwrap_or_default()
        .iter()
        .map(|s| s.parse())
        .collect()
}

fn opt<T: std::str::FromStr<Err = mk::Error>>(s: Option<String>) -> mk::Result<Option<T>> {
    s.as_deref().map(str::parse).transpose()
}

/// A parsed option, or the core's default when it was left out.
fn or_default<T: std::str::FromStr<Err = mk::Error> + Default>(s: Option<String>) -> mk::Result<T> {
    Ok(opt(s)?.unwrap_or_default())
}

/// A duration in milliseconds, as JavaScript counts them (`setTimeout`, `Date`).
fn millis(ms: f64) -> mk::Result<Duration> {
    if !ms.is_finite() || ms.abs() > 1e15 {
        return Err(mk::Error::InvalidInput {
            field: "duration",
            reason: format!("{ms} is not a number of milliseconds memberkit can use"),
        });
    }
    Ok(Duration::microseconds((ms * 1e3).round() as i64))
}

// ----- result objects -------------------------------------------------------------------------
// `use_nullable`: an absent value is `null` in every result object, as it is in the values
// methods return and as `None` is in Python.

/// A tenant and its settings.
#[napi(object, use_nullable = true)]
pub struct TenantInfo {
    pub id: String,
    pub name: String,
    /// How long invite links live, in milliseconds.
    pub invite_lifetime_ms: f64,
    /// Longest impersonation, in milliseconds.
    pub max_impersonation_ms: f64,
    pub created_at: DateTime<Utc>,
}

impl From<mk::TenantInfo> for TenantInfo {
    fn from(t: mk::TenantInfo) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name,
            invite_lifetime_ms: t.settings.invite_lifetime.whole_milliseconds() as f64,
            max_impersonation_ms: t.settings.max_impersonation.whole_milliseconds() as f64,
            created_at: date(t.created_at),
        }
    }
}

/// A person in a tenant.
#[napi(object, use_nullable = true)]
pub struct Member {
    pub id: String,
    pub tenant_id: String,
    /// The email as given.
    pub email: String,
    /// The case-folded email used for every comparison.
    pub email_key: String,
    pub name: Option<String>,
    /// The host's own contact id.
    pub external_id: Option<String>,
    #[napi(ts_type = "'invited' | 'active' | 'deactivated'")]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<mk::Member> for Member {
    fn from(m: mk::Member) -> Self {
        Self {
            id: m.id.to_string(),
            tenant_id: m.tenant_id.to_string(),
            email: m.email,
            email_key: m.email_key,
            name: m.name,
            external_id: m.external_id,
            status: m.status.as_str().into(),
            created_at: date(m.created_at),
            updated_at: date(m.updated_at),
        }
    }
}

/// A product customers can be given access to.
#[napi(object, use_nullable = true)]
pub struct Product {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    /// `membership`, `course`, `digital_product`, `community`, or the host's own kind.
    pub kind: String,
    pub paid: bool,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
}

impl From<mk::Product> for Product {
    fn from(p: mk::Product) -> Self {
        Self {
            id: p.id.to_string(),
            tenant_id: p.tenant_id.to_string(),
            name: p.name,
            kind: p.kind.as_str().into(),
            paid: p.paid,
            archived: p.archived,
            created_at: date(p.created_at),
        }
    }
}

/// A member's access to a paid product.
#[napi(object, use_nullable = true)]
pub struct Grant {
    pub id: String,
    pub member_id: String,
    pub product_id: String,
    #[napi(ts_type = "'manual' | 'invite' | 'import' | 'purchase' | 'api'")]
    pub source: String,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
}

impl From<mk::Grant> for Grant {
    fn from(g: mk::Grant) -> Self {
        Self {
            id: g.id.to_string(),
            member_id: g.member_id.to_string(),
            product_id: g.product_id.to_string(),
            source: g.source.as_str().into(),
            granted_by: g.granted_by.to_string(),
            granted_at: date(g.granted_at),
            expires_at: opt_date(g.expires_at),
            revoked_at: opt_date(g.revoked_at),
            revoked_by: g.revoked_by.map(|a| a.to_string()),
        }
    }
}

/// An invitation.
#[napi(object, use_nullable = true)]
pub struct Invite {
    pub id: String,
    pub tenant_id: String,
    pub member_id: String,
    pub email: String,
    pub name: Option<String>,
    /// `admin`, `member`, `customer` or a custom role id.
    pub role: String,
    pub workspace: Option<String>,
    pub products: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[napi(ts_type = "'pending' | 'accepted' | 'revoked' | 'expired'")]
    pub status: String,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<mk::Invite> for Invite {
    fn from(i: mk::Invite) -> Self {
        Self {
            id: i.id.to_string(),
            tenant_id: i.tenant_id.to_string(),
            member_id: i.member_id.to_string(),
            email: i.email,
            name: i.name,
            role: i.role.key(),
            workspace: i.workspace.map(|w| w.to_string()),
            products: i.products.iter().map(|p| p.to_string()).collect(),
            created_by: i.created_by.to_string(),
            created_at: date(i.created_at),
            expires_at: date(i.expires_at),
            status: i.status.as_str().into(),
            accepted_at: opt_date(i.accepted_at),
            revoked_at: opt_date(i.revoked_at),
        }
    }
}

/// An invite and the secret token for its link (returned once).
#[napi(object, use_nullable = true)]
pub struct IssuedInvite {
    pub invite: Invite,
    pub token: String,
    /// True when it merged into a pending invite (whose old link stopped working).
    pub merged: bool,
}

impl From<mk::IssuedInvite> for IssuedInvite {
    fn from(i: mk::IssuedInvite) -> Self {
        Self {
            token: i.token.expose().to_owned(),
            merged: i.merged,
            invite: i.invite.into(),
        }
    }
}

/// What accepting or claiming an invite applied.
#[napi(object, use_nullable = true)]
pub struct Accepted {
    pub invite: Invite,
    pub member: Member,
    pub granted: Vec<Grant>,
}

impl From<mk::Accepted> for Accepted {
    fn from(a: mk::Accepted) -> Self {
        Self {
            invite: a.invite.into(),
            member: a.member.into(),
            granted: a.granted.into_iter().map(Into::into).collect(),
        }
    }
}

/// Result of `addCustomer`.
#[napi(object, use_nullable = true)]
pub struct AddedCustomer {
    pub member: Member,
    #[napi(ts_type = "'created' | 'existing' | 'updated'")]
    pub outcome: String,
    pub granted: Vec<Grant>,
}

/// A product a member can use now, and the grant behind it (absent for free products).
#[napi(object, use_nullable = true)]
pub struct ProductAccess {
    pub product: Product,
    pub grant: Option<Grant>,
}

/// A workspace inside a tenant.
#[napi(object, use_nullable = true)]
pub struct Workspace {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<mk::Workspace> for Workspace {
    fn from(w: mk::Workspace) -> Self {
        Self {
            id: w.id.to_string(),
            tenant_id: w.tenant_id.to_string(),
            name: w.name,
            created_at: date(w.created_at),
        }
    }
}

/// A role defined by the tenant.
#[napi(object, use_nullable = true)]
pub struct CustomRole {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<mk::CustomRole> for CustomRole {
    fn from(r: mk::CustomRole) -> Self {
        Self {
            id: r.id.to_string(),
            tenant_id: r.tenant_id.to_string(),
            name: r.name,
            permissions: r
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            created_at: date(r.created_at),
        }
    }
}

/// A member's role tenant-wide (no `workspace`) or in a workspace.
#[napi(object, use_nullable = true)]
pub struct RoleAssignment {
    pub member_id: String,
    pub role: String,
    pub workspace: Option<String>,
}

impl From<mk::RoleAssignment> for RoleAssignment {
    fn from(a: mk::RoleAssignment) -> Self {
        Self {
            member_id: a.member_id.to_string(),
            role: a.role.key(),
            workspace: a.workspace.map(|w| w.to_string()),
        }
    }
}

/// A member of a workspace and their role there.
#[napi(object, use_nullable = true)]
pub struct WorkspaceMember {
    pub member: Member,
    pub role: String,
}

/// A successful sign-in check.
#[napi(object, use_nullable = true)]
pub struct PasswordCheck {
    pub member: Member,
    pub must_change: bool,
}

/// A "log in as this user" session.
#[napi(object, use_nullable = true)]
pub struct Impersonation {
    pub id: String,
    pub tenant_id: String,
    pub actor_id: String,
    pub target_id: String,
    pub reason: String,
    pub started_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<mk::Impersonation> for Impersonation {
    fn from(s: mk::Impersonation) -> Self {
        Self {
            id: s.id.to_string(),
            tenant_id: s.tenant_id.to_string(),
            actor_id: s.actor_id.to_string(),
            target_id: s.target_id.to_string(),
            reason: s.reason,
            started_at: date(s.started_at),
            ends_at: date(s.ends_at),
            ended_at: opt_date(s.ended_at),
        }
    }
}

/// A started session and its secret token (returned once).
#[napi(object, use_nullable = true)]
pub struct IssuedImpersonation {
    pub session: Impersonation,
    pub token: String,
}

/// A product on a customer-list row.
#[napi(object, use_nullable = true)]
pub struct ProductRef {
    pub id: String,
    pub name: String,
}

/// A customer-list row: the member and the paid products they can use now.
#[napi(object, use_nullable = true)]
pub struct CustomerRow {
    pub member: Member,
    pub products: Vec<ProductRef>,
}

/// A page of customers; pass `nextCursor` for the next one (absent on the last page).
#[napi(object, use_nullable = true)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRow>,
    pub next_cursor: Option<String>,
}

/// One input row's outcome.
#[napi(object, use_nullable = true)]
pub struct ImportRow {
    pub line: u32,
    pub email: Option<String>,
    pub name: Option<String>,
    #[napi(ts_type = "'created' | 'existing' | 'updated' | 'invalid' | 'duplicate_in_file'")]
    pub outcome: String,
    pub reason: Option<String>,
    pub member_id: Option<String>,
    /// Link token of a new invite (invite mode, real run). Shown once.
    pub invite_token: Option<String>,
    /// Temporary password (temporary_password mode, real run). Shown once.
    pub temporary_password: Option<String>,
}

/// The result of an import.
#[napi(object, use_nullable = true)]
pub struct ImportReport {
    pub rows: Vec<ImportRow>,
    /// False for dry runs and for runs stopped by invalid rows.
    pub applied: bool,
    pub dry_run: bool,
    /// `email,name,temporary_password` for the owner to download once.
    pub temporary_passwords_csv: String,
}

/// One audit log line.
#[napi(object, use_nullable = true)]
pub struct AuditEntry {
    pub id: String,
    pub tenant_id: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    #[napi(ts_type = "Record<string, string | number | boolean | null | string[]>")]
    pub details: serde_json::Value,
}

/// An event for the host to act on; acknowledge it with `ack`.
#[napi(object, use_nullable = true)]
pub struct OutboxEvent {
    pub id: String,
    pub tenant_id: String,
    pub kind: String,
    /// Whether a host would email someone for it, show it in the app, or only act on it.
    #[napi(ts_type = "'email' | 'in_app' | 'system'")]
    pub channel: String,
    #[napi(ts_type = "Record<string, string | number | boolean | null | string[]>")]
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<mk::OutboxEvent> for OutboxEvent {
    fn from(e: mk::OutboxEvent) -> Self {
        Self {
            id: e.id.to_string(),
            tenant_id: e.tenant_id.to_string(),
            channel: e.channel.as_str().into(),
            kind: e.kind,
            payload: e.payload,
            created_at: date(e.created_at),
            delivered_at: opt_date(e.delivered_at),
        }
    }
}

fn events(list: Vec<mk::OutboxEvent>) -> Vec<OutboxEvent> {
    list.into_iter().map(Into::into).collect()
}

// ----- option objects -------------------------------------------------------------------------

/// Options of `Hub.createTenant`.
#[napi(object)]
pub struct TenantOptions {
    /// How long invite links live, in milliseconds (default 7 days).
    pub invite_lifetime_ms: Option<f64>,
    /// Longest impersonation, in milliseconds (default and maximum one hour).
    pub max_impersonation_ms: Option<f64>,
}

/// Options of `addCustomer`.
#[napi(object)]
pub struct AddCustomerOptions {
    pub name: Option<String>,
    pub external_id: Option<String>,
    /// Paid product ids to grant now.
    pub products: Option<Vec<String>>,
    pub expires_at: Option<DateTime<Utc>>,
    #[napi(ts_type = "'manual' | 'invite' | 'import' | 'purchase' | 'api'")]
    pub source: Option<String>,
    /// Role of a new member (default `customer`).
    pub role: Option<String>,
    /// "Notify by email" (default true): false writes no `email`-channel outbox event.
    pub notify: Option<bool>,
}

/// Options of `grant`.
#[napi(object)]
pub struct GrantOptions {
    pub expires_at: Option<DateTime<Utc>>,
    #[napi(ts_type = "'manual' | 'invite' | 'import' | 'purchase' | 'api'")]
    pub source: Option<String>,
}

/// Options of `invite`.
#[napi(object)]
pub struct InviteOptions {
    pub name: Option<String>,
    /// Role on acceptance (default `customer`).
    pub role: Option<String>,
    /// Paid product ids granted on acceptance.
    pub products: Option<Vec<String>>,
    /// Workspace joined on acceptance.
    pub workspace: Option<String>,
    /// "Notify by email" (default true): false writes no `invite.created` event.
    pub notify: Option<bool>,
}

/// Filters of `customers`, `countCustomers` and `exportCustomers`.
#[napi(object)]
pub struct CustomerQuery {
    /// Case-insensitive substring of the name or email.
    pub search: Option<String>,
    #[napi(ts_type = "'invited' | 'active' | 'deactivated'")]
    pub status: Option<String>,
    /// Only members who can use this product now.
    pub product: Option<String>,
    /// Only members with no active grant to any paid product.
    pub no_access: Option<bool>,
    pub workspace: Option<String>,
    #[napi(ts_type = "'newest' | 'name' | 'email'")]
    pub sort: Option<String>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[napi(ts_type = "number")]
    pub limit: Option<Count>,
}

fn customer_query(q: Option<Strict<CustomerQuery>>) -> mk::Result<mk::CustomerQuery> {
    let defaults = mk::CustomerQuery::default();
    let Some(Strict(q)) = q else {
        return Ok(defaults);
    };
    Ok(mk::CustomerQuery {
        search: q.search,
        status: opt(q.status)?,
        product: opt(q.product)?,
        no_access: q.no_access.unwrap_or(false),
        workspace: opt(q.workspace)?,
        sort: or_default(q.sort)?,
        cursor: q.cursor,
        limit: q.limit.map_or(defaults.limit, |l| l.0),
    })
}

/// Options of `importCustomers`.
#[napi(object)]
pub struct ImportOptions {
    /// `csv` (default) or `pasted` ("name, email" lines).
    #[napi(ts_type = "'csv' | 'pasted'")]
    pub format: Option<String>,
    pub products: Option<Vec<String>>,
    pub workspace: Option<String>,
    pub role: Option<String>,
    #[napi(ts_type = "'invite' | 'grant' | 'temporary_password'")]
    pub mode: Option<String>,
    /// Write outbox events (default true).
    pub notify: Option<bool>,
    pub dry_run: Option<bool>,
    /// Import the valid rows even when some are invalid.
    pub skip_invalid: Option<bool>,
}

/// Options of `createProduct`.
#[napi(object)]
pub struct ProductOptions {
    /// Paid products need a grant; free ones are open to every active member (default true).
    pub paid: Option<bool>,
}

/// Options of `setPassword`.
#[napi(object)]
pub struct PasswordOptions {
    /// The member must choose a new password at next sign-in (always true when staff set it).
    pub must_change: Option<bool>,
}

/// Options of `impersonate`.
#[napi(object)]
pub struct ImpersonateOptions {
    /// How long the session lasts, in milliseconds (default and maximum: the tenant's).
    pub duration_ms: Option<f64>,
}

keys! {
    TenantOptions => ["inviteLifetimeMs", "maxImpersonationMs"],
    ProductOptions => ["paid"],
    AddCustomerOptions => ["name", "externalId", "products", "expiresAt", "source", "role", "notify"],
    GrantOptions => ["expiresAt", "source"],
    InviteOptions => ["name", "role", "products", "workspace", "notify"],
    PasswordOptions => ["mustChange"],
    ImpersonateOptions => ["durationMs"],
    CustomerQuery => ["search", "status", "product", "noAccess", "workspace", "sort", "cursor", "limit"],
    ImportOptions => [
        "format", "products", "workspace", "role", "mode", "notify", "dryRun", "skipInvalid",
        "progress",
    ],
    FileSource => ["path"],
    AuditQuery => ["actor", "subject", "since", "until", "before", "limit"],
}

/// The accepted keys of every options type, for the test that checks them against
/// `index.d.ts`.
#[napi(js_name = "__optionKeys")]
pub fn option_keys() -> std::collections::HashMap<String, Vec<&'static str>> {
    [
        ("TenantOptions", TenantOptions::KEYS),
        ("ProductOptions", ProductOptions::KEYS),
        ("AddCustomerOptions", AddCustomerOptions::KEYS),
        ("GrantOptions", GrantOptions::KEYS),
        ("InviteOptions", InviteOptions::KEYS),
        ("PasswordOptions", PasswordOptions::KEYS),
        ("ImpersonateOptions", ImpersonateOptions::KEYS),
        ("CustomerQuery", CustomerQuery::KEYS),
        ("ImportOptions", ImportOptions::KEYS),
        ("FileSource", FileSource::KEYS),
        ("AuditQuery", AuditQuery::KEYS),
    ]
    .into_iter()
    .map(|(name, keys)| (name.to_owned(), keys.to_vec()))
    .collect()
}

/// A file to import: `{ path: 'customers.csv' }`.
#[napi(object)]
pub struct FileSource {
    pub path: String,
}

/// Filters of `audit`.
#[napi(object)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Cursor: the last id of the previous page.
    pub before: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[napi(ts_type = "number")]
    pub limit: Option<Count>,
}

// ----- classes --------------------------------------------------------------------------------

/// A clock that stands still until moved: pass it to `Hub.open` in tests to cross expiries.
#[napi]
pub struct ManualClock {
    inner: Arc<mk::ManualClock>,
}

#[napi]
impl ManualClock {
    /// A clock showing `start`.
    #[napi(constructor)]
    pub fn new(start: DateTime<Utc>) -> std::result::Result<Self, Error<String>> {
        let start = sync(|| instant(start))?;
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
        sync(|| self.inner.advance(millis(ms)?))
    }

    /// Sets the clock.
    #[napi]
    pub fn set(&self, to: DateTime<Utc>) -> std::result::Result<(), Error<String>> {
        let to = sync(|| instant(to))?;
        self.inner.set(to);
        Ok(())
    }
}

/// A memberkit hub: one database (a SQLite file by default) holding any number of tenants.
/// Share one per process.
#[napi]
pub struct Hub {
    inner: mk::Hub,
}

fn open(path: String, clock: Option<Arc<mk::ManualClock>>) -> mk::Result<mk::Hub> {
    match clock {
        Some(c) => mk::Hub::open_with_clock(&path, c),
        None => mk::Hub::open(&path),
    }
}

#[napi]
impl Hub {
    /// Opens a hub by path or URL: a SQLite file (created if needed), `":memory:"` for an
    /// ephemeral one, or `"sqlite:…"`; another `scheme://` rejects with `invalid_input`.
    /// `clock` is for tests.
    #[napi(ts_return_type = "Promise<Hub>")]
    pub fn open(path: String, clock: Option<&ManualClock>) -> AsyncTask<Job<Hub>> {
        let clock = clock.map(|c| c.inner.clone());
        job(move || open(path, clock).map(|inner| Hub { inner }))
    }

    /// `open`, synchronously (for start-up code).
    #[napi]
    pub fn open_sync(
        path: String,
        clock: Option<&ManualClock>,
    ) -> std::result::Result<Hub, Error<String>> {
        let clock = clock.map(|c| c.inner.clone());
        sync(|| open(path, clock).map(|inner| Hub { inner }))
    }

    /// The current time as memberkit sees it.
    #[napi]
    pub fn now(&self) -> DateTime<Utc> {
        date(self.inner.now())
    }

    /// Creates a tenant.
    #[napi(ts_return_type = "Promise<Tenant>")]
    pub fn create_tenant(
        &self,
        name: String,
        #[napi(ts_arg_type = "TenantOptions")] options: Option<Strict<TenantOptions>>,
    ) -> AsyncTask<Job<Tenant>> {
        let hub = self.inner.clone();
        job(move || {
            let mut settings = mk::TenantSettings::default();
            if let Some(Strict(o)) = options {
                if let Some(ms) = o.invite_lifetime_ms {
                    settings.invite_lifetime = millis(ms)?;
                }
                if let Some(ms) = o.max_impersonation_ms {
                    settings.max_impersonation = millis(ms)?;
                }
            }
            hub.create_tenant_with(&name, settings)
                .map(|inner| Tenant { inner })
        })
    }

    /// A handle on an existing tenant (`not_found` if there is none).
    #[napi(ts_return_type = "Promise<Tenant>")]
    pub fn tenant(&self, id: String) -> AsyncTask<Job<Tenant>> {
        let hub = self.inner.clone();
        job(move || hub.tenant(id.parse()?).map(|inner| Tenant { inner }))
    }

    /// `tenant`, synchronously (cheap: one primary-key read).
    #[napi]
    pub fn tenant_sync(&self, id: String) -> std::result::Result<Tenant, Error<String>> {
        sync(|| self.inner.tenant(id.parse()?).map(|inner| Tenant { inner }))
    }

    /// Call on sign-up: accepts the email's pending invites in every tenant.
    #[napi(ts_return_type = "Promise<Array<Accepted>>")]
    pub fn claim(&self, email: String) -> AsyncTask<Job<Vec<Accepted>>> {
        let hub = self.inner.clone();
        job(move || Ok(hub.claim(&email)?.into_iter().map(Into::into).collect()))
    }

    /// Undelivered events of every tenant, oldest first (default 100).
    #[napi(ts_return_type = "Promise<Array<OutboxEvent>>")]
    pub fn outbox(
        &self,
        #[napi(ts_arg_type = "number")] limit: Option<Count>,
    ) -> AsyncTask<Job<Vec<OutboxEvent>>> {
        let hub = self.inner.clone();
        job(move || hub.outbox(limit.map_or(100, |l| l.0)).map(events))
    }

    /// Marks events delivered; resolves to how many were pending.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn ack(&self, ids: Vec<String>) -> AsyncTask<Job<u32>> {
        let hub = self.inner.clone();
        job(move || {
            let ids: Vec<mk::EventId> = self::ids(Some(ids))?;
            hub.ack(&ids).map(|n| n as u32)
        })
    }
}

/// A tenant-scoped handle: every call reads and writes only this tenant's rows.
#[napi]
pub struct Tenant {
    inner: mk::Tenant,
}

macro_rules! tenant_job {
    ($self:ident, |$t:ident| $body:expr) => {{
        let $t = $self.inner.clone();
        job(move || $body)
    }};
}

#[napi]
impl Tenant {
    /// The tenant's id.
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_string()
    }

    /// The tenant's name and settings.
    #[napi(ts_return_type = "Promise<TenantInfo>")]
    pub fn info(&self) -> AsyncTask<Job<TenantInfo>> {
        tenant_job!(self, |t| t.info().map(Into::into))
    }

    /// Changes the settings. Needs `settings.manage`.
    #[napi(ts_return_type = "Promise<TenantInfo>")]
    pub fn update_settings(
        &self,
        actor: String,
        #[napi(ts_arg_type = "TenantOptions")] options: Strict<TenantOptions>,
    ) -> AsyncTask<Job<TenantInfo>> {
        let Strict(options) = options;
        tenant_job!(self, |t| {
            let update = mk::SettingsUpdate {
                invite_lifetime: options.invite_lifetime_ms.map(millis).transpose()?,
                max_impersonation: options.max_impersonation_ms.map(millis).transpose()?,
            };
            t.update_settings(self::actor(&actor)?, update)
                .map(Into::into)
        })
    }

    /// Creates a product (paid unless `{ paid: false }`). Needs `products.manage`.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn create_product(
        &self,
        actor: String,
        name: String,
        kind: String,
        #[napi(ts_arg_type = "ProductOptions")] options: Option<Strict<ProductOptions>>,
    ) -> AsyncTask<Job<Product>> {
        let paid = options.and_then(|Strict(o)| o.paid);
        tenant_job!(self, |t| {
            let defaults = mk::NewProduct::paid(name, kind.parse()?);
            let new = mk::NewProduct {
                paid: paid.unwrap_or(defaults.paid),
                ..defaults
            };
            t.create_product(self::actor(&actor)?, new).map(Into::into)
        })
    }

    /// Archives a product: no new grants; existing grants keep working.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn archive_product(&self, actor: String, product: String) -> AsyncTask<Job<Product>> {
        tenant_job!(self, |t| t
            .archive_product(self::actor(&actor)?, product.parse()?)
            .map(Into::into))
    }

    /// Every product, archived ones included.
    #[napi(ts_return_type = "Promise<Array<Product>>")]
    pub fn products(&self) -> AsyncTask<Job<Vec<Product>>> {
        tenant_job!(self, |t| Ok(t
            .products()?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// One product.
    #[napi(ts_return_type = "Promise<Product>")]
    pub fn product(&self, id: String) -> AsyncTask<Job<Product>> {
        tenant_job!(self, |t| t.product(id.parse()?).map(Into::into))
    }

    /// Adds a customer now (no invite) and grants products at once; reuses a member with the
    /// same email or external id.
    #[napi(ts_return_type = "Promise<AddedCustomer>")]
    pub fn add_customer(
        &self,
        actor: String,
        email: String,
        #[napi(ts_arg_type = "AddCustomerOptions")] options: Option<Strict<AddCustomerOptions>>,
    ) -> AsyncTask<Job<AddedCustomer>> {
        tenant_job!(self, |t| {
            let o = options.map(|Strict(o)| o).unwrap_or(AddCustomerOptions {
                name: None,
                external_id: None,
                products: None,
                expires_at: None,
                source: None,
                role: None,
                notify: None,
            });
            let new = mk::NewCustomer {
                email,
                name: o.name,
                external_id: o.external_id,
                products: ids(o.products)?,
                expires_at: o.expires_at.map(instant).transpose()?,
                source: or_default(o.source)?,
                role: or_default(o.role)?,
                notify: o.notify.unwrap_or(true),
            };
            let added = t.add_customer(self::actor(&actor)?, new)?;
            Ok(AddedCustomer {
                member: added.member.into(),
                outcome: added.outcome.as_str().into(),
                granted: added.granted.into_iter().map(Into::into).collect(),
            })
        })
    }

    /// Grants access to a paid product (or renews it with the new expiry).
    #[napi(ts_return_type = "Promise<Grant>")]
    pub fn grant(
        &self,
        actor: String,
        member: String,
        product: String,
        #[napi(ts_arg_type = "GrantOptions")] options: Option<Strict<GrantOptions>>,
    ) -> AsyncTask<Job<Grant>> {
        tenant_job!(self, |t| {
            let (expires_at, source) =
                options.map_or((None, None), |Strict(o)| (o.expires_at, o.source));
            let options = mk::GrantOptions {
                expires_at: expires_at.map(instant).transpose()?,
                source: or_default(source)?,
            };
            t.grant(
                self::actor(&actor)?,
                member.parse()?,
                product.parse()?,
                options,
            )
            .map(Into::into)
        })
    }

    /// Revokes access at once; resolves to the revoked grant, or null if there was none.
    #[napi(ts_return_type = "Promise<Grant | null>")]
    pub fn revoke(
        &self,
        actor: String,
        member: String,
        product: String,
    ) -> AsyncTask<Job<Option<Grant>>> {
        tenant_job!(self, |t| Ok(t
            .revoke(self::actor(&actor)?, member.parse()?, product.parse()?)?
            .map(Into::into)))
    }

    /// Whether the member may use the product now. Answered inline, as an already settled
    /// Promise, when the store can read without waiting (a file hub always can); on the libuv
    /// pool otherwise, so the event loop never waits for a write.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn has_access<'env>(
        &self,
        env: &'env Env,
        member: String,
        product: String,
    ) -> Result<PromiseRaw<'env, bool>> {
        if let (Ok(m), Ok(p)) = (member.parse(), product.parse()) {
            if let Some(answer) = self.inner.try_has_access(m, p) {
                return settled(env, answer);
            }
        }
        let t = self.inner.clone();
        let task = Job {
            work: Some(Box::new(move || {
                t.has_access(member.parse()?, product.parse()?)
            })),
            code: None,
            thrown: None,
        };
        Ok(env.spawn(task)?.promise_object())
    }

    /// `hasAccess`, synchronously: for per-request middleware (one indexed read).
    #[napi]
    pub fn has_access_sync(
        &self,
        member: String,
        product: String,
    ) -> std::result::Result<bool, Error<String>> {
        sync(|| self.inner.has_access(member.parse()?, product.parse()?))
    }

    /// Everything the member may use now.
    #[napi(ts_return_type = "Promise<Array<ProductAccess>>")]
    pub fn access(&self, member: String) -> AsyncTask<Job<Vec<ProductAccess>>> {
        tenant_job!(self, |t| Ok(t
            .access(member.parse()?)?
            .into_iter()
            .map(|a| ProductAccess {
                product: a.product.into(),
                grant: a.grant.map(Into::into)
            })
            .collect()))
    }

    /// One member.
    #[napi(ts_return_type = "Promise<Member>")]
    pub fn member(&self, id: String) -> AsyncTask<Job<Member>> {
        tenant_job!(self, |t| t.member(id.parse()?).map(Into::into))
    }

    /// The member with this email (case-insensitive), or null.
    #[napi(ts_return_type = "Promise<Member | null>")]
    pub fn member_by_email(&self, email: String) -> AsyncTask<Job<Option<Member>>> {
        tenant_job!(self, |t| Ok(t.member_by_email(&email)?.map(Into::into)))
    }

    /// The member's tenant-wide role, or null.
    #[napi(ts_return_type = "Promise<string | null>")]
    pub fn role(&self, member: String) -> AsyncTask<Job<Option<String>>> {
        tenant_job!(self, |t| Ok(t.role(member.parse()?)?.map(|r| r.key())))
    }

    /// Invites an email; resolves to the invite and its link token (once).
    #[napi(ts_return_type = "Promise<IssuedInvite>")]
    pub fn invite(
        &self,
        actor: String,
        email: String,
        #[napi(ts_arg_type = "InviteOptions")] options: Option<Strict<InviteOptions>>,
    ) -> AsyncTask<Job<IssuedInvite>> {
        tenant_job!(self, |t| {
            let o = options.map(|Strict(o)| o).unwrap_or(InviteOptions {
                name: None,
                role: None,
                products: None,
                workspace: None,
                notify: None,
            });
            let new = mk::NewInvite {
                email,
                name: o.name,
                role: or_default(o.role)?,
                workspace: opt(o.workspace)?,
                products: ids(o.products)?,
                notify: o.notify.unwrap_or(true),
            };
            t.invite(self::actor(&actor)?, new).map(Into::into)
        })
    }

    /// Resends: a new token and a fresh lifetime.
    #[napi(ts_return_type = "Promise<IssuedInvite>")]
    pub fn resend_invite(&self, actor: String, invite: String) -> AsyncTask<Job<IssuedInvite>> {
        tenant_job!(self, |t| t
            .resend_invite(self::actor(&actor)?, invite.parse()?)
            .map(Into::into))
    }

    /// Revokes a pending invite.
    #[napi(ts_return_type = "Promise<Invite>")]
    pub fn revoke_invite(&self, actor: String, invite: String) -> AsyncTask<Job<Invite>> {
        tenant_job!(self, |t| t
            .revoke_invite(self::actor(&actor)?, invite.parse()?)
            .map(Into::into))
    }

    /// Accepts an invite by its link token; pass the signed-in email when there is one.
    #[napi(ts_return_type = "Promise<Accepted>")]
    pub fn accept(&self, token: String, email: Option<String>) -> AsyncTask<Job<Accepted>> {
        tenant_job!(self, |t| t.accept(&token, email.as_deref()).map(Into::into))
    }

    /// Call on sign-up: accepts this email's pending invite here, or resolves to null.
    #[napi(ts_return_type = "Promise<Accepted | null>")]
    pub fn claim(&self, email: String) -> AsyncTask<Job<Option<Accepted>>> {
        tenant_job!(self, |t| Ok(t.claim(&email)?.map(Into::into)))
    }

    /// One invite with its current status.
    #[napi(ts_return_type = "Promise<Invite>")]
    pub fn get_invite(&self, id: String) -> AsyncTask<Job<Invite>> {
        tenant_job!(self, |t| t.get_invite(id.parse()?).map(Into::into))
    }

    /// Invites, newest first, optionally with one status.
    #[napi(ts_return_type = "Promise<Array<Invite>>")]
    pub fn invites(
        &self,
        #[napi(ts_arg_type = "'pending' | 'accepted' | 'revoked' | 'expired'")] status: Option<
            String,
        >,
    ) -> AsyncTask<Job<Vec<Invite>>> {
        tenant_job!(self, |t| Ok(t
            .invites(opt(status)?)?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// Creates a workspace. Needs `users.manage`.
    #[napi(ts_return_type = "Promise<Workspace>")]
    pub fn create_workspace(&self, actor: String, name: String) -> AsyncTask<Job<Workspace>> {
        tenant_job!(self, |t| t
            .create_workspace(self::actor(&actor)?, &name)
            .map(Into::into))
    }

    /// Every workspace.
    #[napi(ts_return_type = "Promise<Array<Workspace>>")]
    pub fn workspaces(&self) -> AsyncTask<Job<Vec<Workspace>>> {
        tenant_job!(self, |t| Ok(t
            .workspaces()?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// One workspace (`not_found` for an unknown id or another tenant's).
    #[napi(ts_return_type = "Promise<Workspace>")]
    pub fn workspace(&self, id: String) -> AsyncTask<Job<Workspace>> {
        tenant_job!(self, |t| t.workspace(id.parse()?).map(Into::into))
    }

    /// Members of a workspace with their roles there.
    #[napi(ts_return_type = "Promise<Array<WorkspaceMember>>")]
    pub fn workspace_members(&self, workspace: String) -> AsyncTask<Job<Vec<WorkspaceMember>>> {
        tenant_job!(self, |t| Ok(t
            .workspace_members(workspace.parse()?)?
            .into_iter()
            .map(|m| WorkspaceMember {
                member: m.member.into(),
                role: m.role.key()
            })
            .collect()))
    }

    /// Adds an active member to another workspace, with no email.
    #[napi(ts_return_type = "Promise<RoleAssignment>")]
    pub fn add_to_workspace(
        &self,
        actor: String,
        member: String,
        workspace: String,
        role: String,
    ) -> AsyncTask<Job<RoleAssignment>> {
        tenant_job!(self, |t| t
            .add_to_workspace(
                self::actor(&actor)?,
                member.parse()?,
                workspace.parse()?,
                role.parse()?
            )
            .map(Into::into))
    }

    /// Takes a member out of a workspace; resolves to whether they were in it.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn remove_from_workspace(
        &self,
        actor: String,
        member: String,
        workspace: String,
    ) -> AsyncTask<Job<bool>> {
        tenant_job!(self, |t| t.remove_from_workspace(
            self::actor(&actor)?,
            member.parse()?,
            workspace.parse()?
        ))
    }

    /// Creates a custom role with permissions.
    #[napi(ts_return_type = "Promise<CustomRole>")]
    pub fn create_role(
        &self,
        actor: String,
        name: String,
        permissions: Vec<String>,
    ) -> AsyncTask<Job<CustomRole>> {
        tenant_job!(self, |t| {
            let perms: Vec<mk::Permission> = permissions
                .into_iter()
                .map(mk::Permission::custom)
                .collect();
            t.create_role(self::actor(&actor)?, &name, &perms)
                .map(Into::into)
        })
    }

    /// Renames a custom role and replaces its permissions.
    #[napi(ts_return_type = "Promise<CustomRole>")]
    pub fn update_role(
        &self,
        actor: String,
        role: String,
        name: String,
        permissions: Vec<String>,
    ) -> AsyncTask<Job<CustomRole>> {
        tenant_job!(self, |t| {
            let perms: Vec<mk::Permission> = permissions
                .into_iter()
                .map(mk::Permission::custom)
                .collect();
            t.update_role(self::actor(&actor)?, role.parse()?, &name, &perms)
                .map(Into::into)
        })
    }

    /// Deletes a custom role nobody holds.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_role(&self, actor: String, role: String) -> AsyncTask<Job<()>> {
        tenant_job!(self, |t| t.delete_role(self::actor(&actor)?, role.parse()?))
    }

    /// The tenant's custom roles.
    #[napi(ts_return_type = "Promise<Array<CustomRole>>")]
    pub fn roles(&self) -> AsyncTask<Job<Vec<CustomRole>>> {
        tenant_job!(self, |t| Ok(t
            .roles()?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// Gives a member a role tenant-wide, or in a workspace they belong to.
    #[napi(ts_return_type = "Promise<RoleAssignment>")]
    pub fn assign_role(
        &self,
        actor: String,
        member: String,
        role: String,
        workspace: Option<String>,
    ) -> AsyncTask<Job<RoleAssignment>> {
        tenant_job!(self, |t| t
            .assign_role(
                self::actor(&actor)?,
                member.parse()?,
                role.parse()?,
                opt(workspace)?
            )
            .map(Into::into))
    }

    /// Every role the member holds.
    #[napi(ts_return_type = "Promise<Array<RoleAssignment>>")]
    pub fn assignments(&self, member: String) -> AsyncTask<Job<Vec<RoleAssignment>>> {
        tenant_job!(self, |t| Ok(t
            .assignments(member.parse()?)?
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// Whether the member holds `permission` tenant-wide, or in `workspace`.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn can(
        &self,
        member: String,
        permission: String,
        workspace: Option<String>,
    ) -> AsyncTask<Job<bool>> {
        tenant_job!(self, |t| t.can(
            member.parse()?,
            &mk::Permission::custom(permission),
            opt(workspace)?
        ))
    }

    /// `can`, synchronously: for per-request authorisation.
    #[napi]
    pub fn can_sync(
        &self,
        member: String,
        permission: String,
        workspace: Option<String>,
    ) -> std::result::Result<bool, Error<String>> {
        sync(|| {
            self.inner.can(
                member.parse()?,
                &mk::Permission::custom(permission),
                opt(workspace)?,
            )
        })
    }

    /// Deactivates a member (reversible).
    #[napi(ts_return_type = "Promise<Member>")]
    pub fn deactivate(&self, actor: String, member: String) -> AsyncTask<Job<Member>> {
        tenant_job!(self, |t| t
            .deactivate(self::actor(&actor)?, member.parse()?)
            .map(Into::into))
    }

    /// Reactivates a deactivated member.
    #[napi(ts_return_type = "Promise<Member>")]
    pub fn reactivate(&self, actor: String, member: String) -> AsyncTask<Job<Member>> {
        tenant_job!(self, |t| t
            .reactivate(self::actor(&actor)?, member.parse()?)
            .map(Into::into))
    }

    /// Removes a member: access, roles, password and pending invites.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn remove_member(&self, actor: String, member: String) -> AsyncTask<Job<()>> {
        tenant_job!(self, |t| t
            .remove_member(self::actor(&actor)?, member.parse()?))
    }

    /// Sets a password (argon2id, hashed off the event loop).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn set_password(
        &self,
        actor: String,
        member: String,
        password: String,
        #[napi(ts_arg_type = "PasswordOptions")] options: Option<Strict<PasswordOptions>>,
    ) -> AsyncTask<Job<()>> {
        let must_change = options.and_then(|Strict(o)| o.must_change);
        tenant_job!(self, |t| t.set_password(
            self::actor(&actor)?,
            member.parse()?,
            &password,
            must_change.unwrap_or(false)
        ))
    }

    /// Checks a sign-in: resolves to a PasswordCheck, or null for a wrong password or an unknown
    /// email.
    #[napi(ts_return_type = "Promise<PasswordCheck | null>")]
    pub fn verify_password(
        &self,
        email: String,
        password: String,
    ) -> AsyncTask<Job<Option<PasswordCheck>>> {
        tenant_job!(self, |t| Ok(t.verify_password(&email, &password)?.map(
            |c| PasswordCheck {
                member: c.member.into(),
                must_change: c.must_change
            }
        )))
    }

    /// Starts "log in as this user" for `{ durationMs }` (default: the tenant maximum).
    #[napi(ts_return_type = "Promise<IssuedImpersonation>")]
    pub fn impersonate(
        &self,
        actor: String,
        target: String,
        reason: String,
        #[napi(ts_arg_type = "ImpersonateOptions")] options: Option<Strict<ImpersonateOptions>>,
    ) -> AsyncTask<Job<IssuedImpersonation>> {
        let duration_ms = options.and_then(|Strict(o)| o.duration_ms);
        tenant_job!(self, |t| {
            let issued = t.impersonate(
                self::actor(&actor)?,
                target.parse()?,
                &reason,
                duration_ms.map(millis).transpose()?,
            )?;
            Ok(IssuedImpersonation {
                session: issued.session.into(),
                token: issued.token.expose().to_owned(),
            })
        })
    }

    /// Exchanges an impersonation token for its live session.
    #[napi(ts_return_type = "Promise<Impersonation>")]
    pub fn verify_impersonation(&self, token: String) -> AsyncTask<Job<Impersonation>> {
        tenant_job!(self, |t| t.verify_impersonation(&token).map(Into::into))
    }

    /// Ends a session early.
    #[napi(ts_return_type = "Promise<Impersonation>")]
    pub fn end_impersonation(&self, token: String) -> AsyncTask<Job<Impersonation>> {
        tenant_job!(self, |t| t.end_impersonation(&token).map(Into::into))
    }

    /// One page of customers, each with the paid products they can use now.
    #[napi(ts_return_type = "Promise<CustomerPage>")]
    pub fn customers(
        &self,
        #[napi(ts_arg_type = "CustomerQuery")] query: Option<Strict<CustomerQuery>>,
    ) -> AsyncTask<Job<CustomerPage>> {
        tenant_job!(self, |t| {
            let page = t.customers(&customer_query(query)?)?;
            Ok(CustomerPage {
                next_cursor: page.next_cursor,
                rows: page
                    .rows
                    .into_iter()
                    .map(|r| CustomerRow {
                        member: r.member.into(),
                        products: r
                            .products
                            .into_iter()
                            .map(|p| ProductRef {
                                id: p.id.to_string(),
                                name: p.name,
                            })
                            .collect(),
                    })
                    .collect(),
            })
        })
    }

    /// How many customers match (cursor and limit ignored).
    #[napi(ts_return_type = "Promise<number>")]
    pub fn count_customers(
        &self,
        #[napi(ts_arg_type = "CustomerQuery")] query: Option<Strict<CustomerQuery>>,
    ) -> AsyncTask<Job<u32>> {
        tenant_job!(self, |t| t
            .count_customers(&customer_query(query)?)
            .map(|n| n as u32))
    }

    /// Every matching customer as CSV (RFC 4180, formula cells neutralised).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn export_customers(
        &self,
        #[napi(ts_arg_type = "CustomerQuery")] query: Option<Strict<CustomerQuery>>,
    ) -> AsyncTask<Job<String>> {
        tenant_job!(self, |t| t.export_customers(&customer_query(query)?))
    }

    /// Imports customers from a string (the text), a Buffer (UTF-8) or `{ path }` (a file to
    /// read), off the event loop. `options.progress(done, total)` is called on the event loop.
    #[napi(ts_return_type = "Promise<ImportReport>")]
    pub fn import_customers(
        &self,
        actor: String,
        #[napi(ts_arg_type = "string | Buffer | FileSource")] source: Either3<
            String,
            Buffer,
            Strict<FileSource>,
        >,
        #[napi(ts_arg_type = "ImportOptions")] options: Option<Object>,
    ) -> Result<AsyncTask<Job<ImportReport>>> {
        // The options object also carries the progress function, which a plain options
        // struct cannot hold: check its keys, take the function, convert the rest.
        let (options, progress) = match options {
            None => (None, None),
            Some(obj) => {
                check_keys(&obj, ImportOptions::KEYS)?;
                let progress: Option<Function<'_, FnArgs<(u32, u32)>, ()>> = obj.get("progress")?;
                // SAFETY: the object is alive for this call; the conversion copies its fields.
                let options =
                    unsafe { ImportOptions::from_napi_value(obj.value().env, obj.raw())? };
                (Some(options), progress)
            }
        };
        // Reports are queued to the event loop without waiting (waiting could deadlock a
        // synchronous read of a `:memory:` hub made while the import holds its connection).
        // A throw is caught, never left uncaught: the import stops at its next report and
        // rolls back, and the promise rejects with the thrown error.
        let thrown: Thrown = Arc::default();
        let progress: Option<mk::ProgressFn> = match progress {
            None => None,
            Some(f) => {
                let tsfn = f
                    .build_threadsafe_function::<FnArgs<(u32, u32)>>()
                    .callee_handled::<false>()
                    .build()?;
                let thrown = thrown.clone();
                Some(Arc::new(move |done: usize, total: usize| {
                    if thrown.lock().is_ok_and(|t| t.is_some()) {
                        return Err(mk::Error::Conflict(
                            "the progress callback threw: import rolled back".into(),
                        ));
                    }
                    let args = FnArgs {
                        data: (done as u32, total as u32),
                    };
                    let slot = thrown.clone();
                    tsfn.call_with_return_value(
                        args,
                        ThreadsafeFunctionCallMode::NonBlocking,
                        move |result: Result<()>, _env| {
                            if let (Err(e), Ok(mut slot)) = (result, slot.lock()) {
                                slot.get_or_insert(e);
                            }
                            Ok(())
                        },
                    );
                    Ok(())
                }))
            }
        };
        enum Text {
            Inline(String),
            Bytes(Vec<u8>),
            File(String),
        }
        let text = match source {
            Either3::A(s) => Text::Inline(s),
            Either3::B(b) => Text::Bytes(b.to_vec()),
            Either3::C(Strict(f)) => Text::File(f.path),
        };
        let t = self.inner.clone();
        let work = move || {
            let text = match text {
                Text::Inline(s) => s,
                Text::Bytes(b) => String::from_utf8(b).map_err(|e| mk::Error::InvalidInput {
                    field: "source",
                    reason: format!("is not UTF-8: {e}"),
                })?,
                Text::File(path) => {
                    std::fs::read_to_string(&path).map_err(|e| mk::Error::InvalidInput {
                        field: "source",
                        reason: format!("{path}: {e}"),
                    })?
                }
            };
            let o = options.unwrap_or(ImportOptions {
                format: None,
                products: None,
                workspace: None,
                role: None,
                mode: None,
                notify: None,
                dry_run: None,
                skip_invalid: None,
            });
            let options = mk::ImportOptions {
                products: ids(o.products)?,
                workspace: opt(o.workspace)?,
                role: or_default(o.role)?,
                mode: or_default(o.mode)?,
                notify: o.notify,
                dry_run: o.dry_run.unwrap_or(false),
                skip_invalid: o.skip_invalid.unwrap_or(false),
                progress,
            };
            let source = match o.format.as_deref().unwrap_or("csv") {
                "csv" => mk::ImportSource::Csv(&text),
                "pasted" => mk::ImportSource::Pasted(&text),
                other => {
                    return Err(mk::Error::InvalidInput {
                        field: "format",
                        reason: format!("`{other}` is not csv or pasted"),
                    })
                }
            };
            let report = t.import_customers(self::actor(&actor)?, source, &options)?;
            Ok(ImportReport {
                applied: report.applied,
                dry_run: report.dry_run,
                temporary_passwords_csv: report.temporary_passwords_csv(),
                rows: report
                    .rows
                    .into_iter()
                    .map(|r| ImportRow {
                        line: r.line as u32,
                        email: r.email,
                        name: r.name,
                        outcome: r.outcome.as_str().into(),
                        reason: r.reason,
                        member_id: r.member_id.map(|m| m.to_string()),
                        invite_token: r.invite_token.map(|t| t.expose().to_owned()),
                        temporary_password: r.temporary_password,
                    })
                    .collect(),
            })
        };
        Ok(AsyncTask::new(Job {
            work: Some(Box::new(work)),
            code: None,
            thrown: Some(thrown),
        }))
    }

    /// Audit entries, newest first; page with `before: <last id>`.
    #[napi(ts_return_type = "Promise<Array<AuditEntry>>")]
    pub fn audit(
        &self,
        #[napi(ts_arg_type = "AuditQuery")] query: Option<Strict<AuditQuery>>,
    ) -> AsyncTask<Job<Vec<AuditEntry>>> {
        tenant_job!(self, |t| {
            let q = match query {
                None => mk::AuditQuery::default(),
                Some(Strict(q)) => mk::AuditQuery {
                    actor: q.actor.as_deref().map(self::actor).transpose()?,
                    subject: q.subject,
                    since: q.since.map(instant).transpose()?,
                    until: q.until.map(instant).transpose()?,
                    before: opt(q.before)?,
                    limit: q.limit.map_or(mk::AuditQuery::default().limit, |l| l.0),
                },
            };
            Ok(t.audit(&q)?
                .into_iter()
                .map(|e| AuditEntry {
                    id: e.id.to_string(),
                    tenant_id: e.tenant_id.to_string(),
                    at: date(e.at),
                    actor: e.actor.to_string(),
                    action: e.action,
                    subject: e.subject,
                    details: e.details,
                })
                .collect())
        })
    }

    /// This tenant's undelivered events, oldest first (default 100).
    #[napi(ts_return_type = "Promise<Array<OutboxEvent>>")]
    pub fn outbox(
        &self,
        #[napi(ts_arg_type = "number")] limit: Option<Count>,
    ) -> AsyncTask<Job<Vec<OutboxEvent>>> {
        tenant_job!(self, |t| t.outbox(limit.map_or(100, |l| l.0)).map(events))
    }

    /// Marks this tenant's events delivered; resolves to how many were pending.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn ack(&self, ids: Vec<String>) -> AsyncTask<Job<u32>> {
        tenant_job!(self, |t| {
            let ids: Vec<mk::EventId> = self::ids(Some(ids))?;
            t.ack(&ids).map(|n| n as u32)
        })
    }
}

/// The stable error codes, in the core's order.
#[napi]
pub fn error_codes() -> Vec<String> {
    mk::ErrorCode::ALL
        .iter()
        .map(|c| js_code(*c).to_owned())
        .collect()
}

/// The built-in permission catalogue.
#[napi]
pub fn permissions() -> Vec<String> {
    mk::Permission::CATALOGUE
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect()
}

/// The actor for calls the host platform makes on its own authority.
#[napi]
pub const SYSTEM: &str = "system";
