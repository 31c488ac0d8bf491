//! Bulk import from CSV or pasted lines: a report for every row, all or nothing.

use crate::customers::unneutralize;
use crate::error::{Error, Result};
use crate::hub::{invite_payload, Op, Tenant};
use crate::ids::*;
use crate::model::*;
use crate::normalize::{self, NormalizedEmail};
use crate::password;
use crate::permission::Permission;
use crate::store;
use crate::token::InviteToken;
use crate::{event_kind, Credential};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;

/// Where the rows come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource<'a> {
    /// CSV with a header row naming the columns `name`, `email` and optionally `external_id`
    /// (matched case-insensitively; `e-mail`, `email address`, `full name`, `external id`,
    /// `contact id` work too; other columns are ignored). A BOM, quotes and CRLF are fine.
    Csv(&'a str),
    /// Pasted text: one `name, email` or `email` per line (also `email, name`, and `name <email>`);
    /// blank lines are skipped.
    Pasted(&'a str),
}

/// What an import does with new people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ImportMode {
    /// Pending invites (the default): they get access when they accept.
    #[default]
    Invite,
    /// Active customers with access now, for platforms that handle sign-in themselves.
    Grant,
    /// Active customers with a generated temporary password, flagged must-change. The
    /// passwords are in the report, once; only their argon2id hashes are stored.
    TemporaryPassword,
}

impl ImportMode {
    /// `invite`, `grant` or `temporary_password`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Invite => "invite",
            ImportMode::Grant => "grant",
            ImportMode::TemporaryPassword => "temporary_password",
        }
    }
}

impl std::str::FromStr for ImportMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "invite" => Ok(ImportMode::Invite),
            "grant" => Ok(ImportMode::Grant),
            "temporary_password" => Ok(ImportMode::TemporaryPassword),
            other => Err(Error::invalid(
                "mode",
                format!("`{other}` is not one of invite, grant, temporary_password"),
            )),
        }
    }
}

/// Called with (rows done, rows in all) while an import runs, inside its write transaction.
/// An `Err` stops the import: everything is rolled back and the import returns that error.
/// Calling back into memberkit from it is refused with `conflict` (the transaction is still
/// open on this thread); do that after the import returns.
pub type ProgressFn = Arc<dyn Fn(usize, usize) -> Result<()> + Send + Sync>;

/// How to import.
#[derive(Clone, Default)]
pub struct ImportOptions {
    /// Paid products to grant (or to carry in the invites).
    pub products: Vec<ProductId>,
    /// Workspace to put everyone in, with `role` there.
    pub workspace: Option<WorkspaceId>,
    /// Role of new members (default `customer`): in `workspace` if set, else tenant-wide.
    pub role: Role,
    /// What to do with new people.
    pub mode: ImportMode,
    /// "Notify by email": write `email`-channel outbox events (invites to send, access
    /// granted). Default true; the audit entries are written either way.
    pub notify: Option<bool>,
    /// Report what would happen and change nothing.
    pub dry_run: bool,
    /// Import the valid rows even when some are invalid. By default any invalid row stops
    /// the whole run (the report says why, and nothing is written).
    pub skip_invalid: bool,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("products", &self.products)
            .field("workspace", &self.workspace)
            .field("role", &self.role)
            .field("mode", &self.mode)
            .field("notify", &self.notify)
            .field("dry_run", &self.dry_run)
            .field("skip_invalid", &self.skip_invalid)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// What happened to one input row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportOutcome {
    /// A new member (and invite, in invite mode).
    Created,
    /// Already a member; nothing about them changed (they may have got the new grants).
    Existing,
    /// Already a member; their name, external id or email was filled in or changed.
    Updated,
    /// Not imported: see `reason`.
    Invalid,
    /// The same email or external id appeared on an earlier line.
    DuplicateInFile,
}

impl ImportOutcome {
    /// `created`, `existing`, `updated`, `invalid` or `duplicate_in_file`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportOutcome::Created => "created",
            ImportOutcome::Existing => "existing",
            ImportOutcome::Updated => "updated",
            ImportOutcome::Invalid => "invalid",
            ImportOutcome::DuplicateInFile => "duplicate_in_file",
        }
    }
}

/// The outcome of one input row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Line in the input (1-based; the CSV header is line 1).
    pub line: usize,
    /// The email as given (trimmed), if the row had one.
    pub email: Option<String>,
    /// The name as given.
    pub name: Option<String>,
    /// What happened.
    pub outcome: ImportOutcome,
    /// Why, for `invalid` and `duplicate_in_file`.
    pub reason: Option<String>,
    /// The member, when the row was (or would be) imported. `None` in a dry run for new rows.
    pub member_id: Option<MemberId>,
    /// The invite link token of a new invite (invite mode, real run only). Shown once.
    pub invite_token: Option<InviteToken>,
    /// The temporary password (temporary-password mode, real run only). Shown once.
    pub temporary_password: Option<String>,
}

/// The result of an import: one row per input row, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Per-row outcomes.
    pub rows: Vec<ImportRow>,
    /// Whether the changes were written. False for a dry run, and for a run stopped by invalid
    /// rows (without `skip_invalid`).
    pub applied: bool,
    /// Whether this was a dry run.
    pub dry_run: bool,
}

impl ImportReport {
    /// How many rows had `outcome`.
    pub fn count(&self, outcome: ImportOutcome) -> usize {
        self.rows.iter().filter(|r| r.outcome == outcome).count()
    }

    /// The temporary passwords as CSV (`email,name,temporary_password`) for the owner to
    /// download once. Empty but for the header when there are none.
    pub fn temporary_passwords_csv(&self) -> String {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let _ = out.write_record(["email", "name", "temporary_password"]);
        for r in &self.rows {
            if let (Some(pw), Some(email)) = (&r.temporary_password, &r.email) {
                let name = r.name.as_deref().unwrap_or("");
                let cells = [email.as_str(), name, pw.as_str()];
                let _ = out.write_record(
                    cells
                        .iter()
                        .map(|c| crate::customers::neutralize(c).into_owned()),
                );
            }
        }
        String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// A temporary password and its argon2id hash, keyed by email key before the transaction.
type PlainAndHash = (String, String);

/// A parsed input row before any check.
#[derive(Debug)]
struct RawRow {
    line: usize,
    name: Option<String>,
    email: Option<String>,
    external_id: Option<String>,
}

/// A row that passed the checks and the in-file dedupe.
struct ValidRow {
    index: usize,
    email: NormalizedEmail,
    name: Option<String>,
    external_id: Option<String>,
}

impl Tenant {
    /// Imports customers from CSV or pasted text. See [`ImportOptions`] for modes.
    ///
    /// Every input row gets an outcome. The real run is one transaction: all rows or none.
    /// A dry run returns exactly the report the real run would produce (it runs the same code
    /// in a transaction that is rolled back). Re-running the same input changes nothing and
    /// reports every row `existing`. Needs `customers.manage` (and the permission to assign
    /// `role`). Errors: `invalid_input` for a CSV without an `email` column or an unreadable
    /// file (bad rows are reported, not errors), `not_found` for the workspace,
    /// `permission_denied`.
    pub fn import_customers(
        &self,
        actor: Actor,
        source: ImportSource<'_>,
        options: &ImportOptions,
    ) -> Result<ImportReport> {
        let raw = parse(source)?;
        let total = raw.len();
        let mut rows: Vec<ImportRow> = raw
            .iter()
            .map(|r| ImportRow {
                line: r.line,
                email: r.email.clone(),
                name: r.name.clone(),
                outcome: ImportOutcome::Invalid,
                reason: None,
                member_id: None,
                invite_token: None,
                temporary_password: None,
            })
            .collect();
        let valid = check_and_dedupe(&raw, &mut rows);
        let stop = rows.len()
            > valid.len()
                + rows
                    .iter()
                    .filter(|r| r.outcome == ImportOutcome::DuplicateInFile)
                    .count()
            && !options.skip_invalid;
        // Temporary passwords are hashed before the transaction, on every core: argon2id is
        // deliberately slow and must not hold the write lock.
        let passwords =
            if options.mode == ImportMode::TemporaryPassword && !options.dry_run && !stop {
                self.hash_new_passwords(&valid)?
            } else {
                HashMap::new()
            };
        let rehearse = options.dry_run || stop;
        let body = |tx: &dyn store::Tx| {
            let mut op = Op::new(tx, self.id(), actor, self.hub().now());
            op.notify = options.notify.unwrap_or(true);
            op.audit_each_grant = false;
            op.require(&Permission::CUSTOMERS_MANAGE)?;
            if let Some(ws) = options.workspace {
                op.workspace(ws)?;
            }
            op.require_assignable(options.role, options.workspace)?;
            let products = op.grantable_products(&options.products)?;
            let batch = Batch {
                options,
                products: &products,
                passwords: &passwords,
                rehearse,
                invite_expires_at: crate::clock::later(
                    op.now,
                    op.tenant_info()?.settings.invite_lifetime,
                    "expires_at",
                )?,
            };
            tx.begin_bulk()?;
            let mut rows = rows.clone();
            let mut changed = 0;
            for (done, v) in valid.iter().enumerate() {
                let row = &mut rows[v.index];
                if apply_row(&op, &batch, v, row)? {
                    changed += 1;
                }
                if let Some(progress) = &options.progress {
                    if (done + 1) % 1000 == 0 {
                        progress(done + 1, total)?;
                    }
                }
            }
            tx.end_bulk()?;
            // The last report runs inside the transaction too, so a callback that fails
            // there still undoes everything.
            if let Some(progress) = &options.progress {
                progress(total, total)?;
            }
            if changed > 0 {
                op.audit(
                    "import.completed",
                    self.id(),
                    json!({ "rows": total, "changed": changed, "mode": options.mode.as_str() }),
                )?;
            }
            Ok(rows)
        };
        let (mut rows, applied) = if rehearse {
            (store::rehearse(self.hub().store(), body)?, false)
        } else {
            // A row can also turn out invalid while applying (a conflict with a stored member):
            // without `skip_invalid` that must undo the whole run, so the body fails on purpose
            // and the rows come back through `stopped`.
            let stopped = std::cell::RefCell::new(None);
            let result = store::write(self.hub().store(), |tx| {
                let rows = body(tx)?;
                if !options.skip_invalid && rows.iter().any(|r| r.outcome == ImportOutcome::Invalid)
                {
                    *stopped.borrow_mut() = Some(rows);
                    return Err(Error::Conflict("import stopped by invalid rows".into()));
                }
                Ok(rows)
            });
            match (result, stopped.into_inner()) {
                (_, Some(rows)) => (rows, false),
                (result, None) => (result?, true),
            }
        };

        if !applied {
            for r in &mut rows {
                r.invite_token = None;
                r.temporary_password = None;
                if r.outcome == ImportOutcome::Created {
                    r.member_id = None;
                }
            }
        }
        Ok(ImportReport {
            rows,
            applied,
            dry_run: options.dry_run,
        })
    }

    /// Generates and hashes a temporary password for each row that is new right now, in
    /// parallel. A row that turns out to exist by the time the transaction runs just leaves
    /// its password unused; one that turns out new gets hashed inline.
    fn hash_new_passwords(&self, valid: &[ValidRow]) -> Result<HashMap<String, PlainAndHash>> {
        let new_keys: Vec<&str> = self.read(|tx, _| {
            let mut keys = Vec::new();
            for v in valid {
                if tx.member_by_email_key(self.id(), &v.email.key)?.is_none() {
                    keys.push(v.email.key.as_str());
                }
            }
            Ok(keys)
        })?;
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .max(1);
        let chunk = new_keys.len().div_ceil(threads).max(1);
        let results: Vec<Result<Vec<(String, PlainAndHash)>>> = std::thread::scope(|s| {
            let handles: Vec<_> = new_keys
                .chunks(chunk)
                .map(|keys| {
                    s.spawn(move || {
                        keys.iter()
                            .map(|k| {
                                let plain = password::temporary()?;
                                let hash = password::hash(&plain)?;
                                Ok((k.to_string(), (plain, hash)))
                            })
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Storage {
                            message: "password hashing thread panicked".into(),
                            source: None,
                        })
                    })
                })
                .collect()
        });
        let mut out = HashMap::with_capacity(new_keys.len());
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }
}

/// What stays the same for every row of one import.
struct Batch<'a> {
    options: &'a ImportOptions,
    products: &'a [Product],
    passwords: &'a HashMap<String, PlainAndHash>,
    rehearse: bool,
    invite_expires_at: OffsetDateTime,
}

fn apply_row(op: &Op, batch: &Batch, v: &ValidRow, row: &mut ImportRow) -> Result<bool> {
    let Batch {
        options,
        products,
        passwords,
        rehearse,
        ..
    } = *batch;
    let tenant = op.tenant;
    let by_email = op.tx.member_by_email_key(tenant, &v.email.key)?;
    let by_external = match &v.external_id {
        Some(x) => op.tx.member_by_external_id(tenant, x)?,
        None => None,
    };
    let invalid = |row: &mut ImportRow, why: String| {
        row.outcome = ImportOutcome::Invalid;
        row.reason = Some(why);
    };
    let existing = match (by_email, by_external) {
        (Some(a), Some(b)) if a.id != b.id => {
            invalid(
                row,
                format!(
                    "the email belongs to {} and the external id to {}",
                    a.email, b.email
                ),
            );
            return Ok(false);
        }
        (Some(m), _) | (None, Some(m)) => Some(m),
        (None, None) => None,
    };
    let member = match existing {
        Some(mut m) => {
            if m.status == MemberStatus::Deactivated {
                invalid(row, format!("{} is deactivated", m.email));
                return Ok(false);
            }
            let mut changed = Vec::new();
            if let Some(x) = &v.external_id {
                match &m.external_id {
                    Some(old) if old != x => {
                        invalid(row, format!("{} already has external id {old}", m.email));
                        return Ok(false);
                    }
                    Some(_) => {}
                    None => {
                        m.external_id = Some(x.clone());
                        changed.push("external_id");
                    }
                }
            }
            if m.email_key != v.email.key {
                m.email = v.email.display.clone();
                m.email_key = v.email.key.clone();
                changed.push("email");
            }
            if v.name.is_some() && m.name != v.name {
                m.name = v.name.clone();
                changed.push("name");
            }
            if changed.is_empty() {
                row.outcome = ImportOutcome::Existing;
            } else {
                m.updated_at = op.now;
                op.tx.update_member(&m)?;
                row.outcome = ImportOutcome::Updated;
            }
            m
        }
        None => {
            let status = match options.mode {
                ImportMode::Invite => MemberStatus::Invited,
                ImportMode::Grant | ImportMode::TemporaryPassword => MemberStatus::Active,
            };
            let m = op.insert_member(&v.email, v.name.clone(), v.external_id.clone(), status)?;
            row.outcome = ImportOutcome::Created;
            match options.mode {
                ImportMode::Invite => {
                    let invite = invite_new(op, batch, &m, row)?;
                    row.member_id = Some(m.id);
                    audit_row(op, options, &m, ImportOutcome::Created, &[], Some(invite))?;
                    return Ok(true);
                }
                ImportMode::Grant => {}
                ImportMode::TemporaryPassword => {
                    let (plain, hash) = match passwords.get(&v.email.key) {
                        Some(p) => p.clone(),
                        None if rehearse => (String::new(), String::new()),
                        None => {
                            let plain = password::temporary()?;
                            let hash = password::hash(&plain)?;
                            (plain, hash)
                        }
                    };
                    let cred = Credential {
                        password_hash: hash,
                        must_change: true,
                        updated_at: op.now,
                    };
                    op.tx.set_credential(tenant, m.id, &cred)?;
                    row.temporary_password = Some(plain);
                }
            }
            m
        }
    };
    row.member_id = Some(member.id);
    let mut changed = matches!(row.outcome, ImportOutcome::Created | ImportOutcome::Updated);
    if member.status == MemberStatus::Invited && options.mode == ImportMode::Invite {
        // Still invited: the new products ride on their pending invite (same link, no email).
        return Ok(add_to_pending_invite(op, &member, products)? || changed);
    }
    let fresh = row.outcome == ImportOutcome::Created;
    changed |= place(op, options, &member, fresh)?;
    let mut granted = Vec::new();
    for p in products {
        if op
            .grant(&member, p, GrantSource::Import, None, op.actor, fresh)?
            .is_some()
        {
            granted.push(p.id);
        }
    }
    changed |= !granted.is_empty();
    if changed {
        audit_row(op, options, &member, row.outcome, &granted, None)?;
    }
    Ok(changed)
}

/// One audit entry per imported row: what happened to the member and what they were granted
/// (grants made by an import are not audited one by one).
fn audit_row(
    op: &Op,
    options: &ImportOptions,
    member: &Member,
    outcome: ImportOutcome,
    granted: &[ProductId],
    invite: Option<InviteId>,
) -> Result<()> {
    let action = match outcome {
        ImportOutcome::Created => "member.created",
        ImportOutcome::Updated => "member.updated",
        _ => event_kind::ACCESS_GRANTED,
    };
    op.audit(
        action,
        member.id,
        json!({
            "email": member.email, "via": "import", "mode": options.mode.as_str(),
            "granted": granted, "invite_id": invite,
        }),
    )
}

/// Gives a member the import's role (tenant-wide, or in the workspace) unless they hold one.
/// Returns whether anything was assigned.
fn place(op: &Op, options: &ImportOptions, member: &Member, fresh: bool) -> Result<bool> {
    let tenant = op.tenant;
    // A member this import just created holds nothing yet: skip the lookup on the hot path.
    let assignments = if fresh {
        Vec::new()
    } else {
        op.tx.assignments(tenant, member.id)?
    };
    let mut changed = false;
    if let Some(ws) = options.workspace {
        if !assignments.iter().any(|a| a.workspace == Some(ws)) {
            op.tx.set_role(tenant, member.id, Some(ws), options.role)?;
            changed = true;
        }
    }
    if !assignments.iter().any(|a| a.workspace.is_none()) {
        let role = if options.workspace.is_some() {
            Role::Customer
        } else {
            options.role
        };
        op.tx.set_role(tenant, member.id, None, role)?;
        changed = true;
    }
    Ok(changed)
}

fn add_to_pending_invite(op: &Op, member: &Member, products: &[Product]) -> Result<bool> {
    let Some(mut invite) = op.tx.pending_invite(op.tenant, &member.email_key)? else {
        return Ok(false);
    };
    let before = invite.products.len();
    for p in products {
        if !invite.products.contains(&p.id) {
            invite.products.push(p.id);
        }
    }
    if invite.products.len() == before {
        return Ok(false);
    }
    op.tx.update_invite(&invite, None)?;
    op.audit("invite.updated", invite.id, invite_payload(&invite))?;
    Ok(true)
}

fn invite_new(op: &Op, batch: &Batch, member: &Member, row: &mut ImportRow) -> Result<InviteId> {
    // A dry run needs no secret, only a distinct digest for the unique index.
    let token = InviteToken::generate()?;
    let invite = op.insert_new_invite(
        member,
        member.name.clone(),
        batch.options.role,
        batch.options.workspace,
        batch.products.iter().map(|p| p.id).collect(),
        &token,
        batch.invite_expires_at,
    )?;
    // The row's one audit entry (member.created) names the invite; no second entry per row.
    op.emit(event_kind::INVITE_CREATED, invite_payload(&invite))?;
    if !batch.rehearse {
        row.invite_token = Some(token);
    }
    Ok(invite.id)
}

/// Checks every row and marks repeats; returns the rows to apply, in order.
fn check_and_dedupe(raw: &[RawRow], rows: &mut [ImportRow]) -> Vec<ValidRow> {
    let checked = check_all(raw);
    let mut seen_email: HashMap<String, usize> = HashMap::new();
    let mut seen_external: HashMap<String, usize> = HashMap::new();
    let mut valid = Vec::new();
    for (i, checked) in checked.into_iter().enumerate() {
        let row = &mut rows[i];
        let v = match checked {
            Ok(v) => v,
            Err(e) => {
                row.outcome = ImportOutcome::Invalid;
                row.reason = Some(match e {
                    Error::InvalidInput { field, reason } => format!("{field} {reason}"),
                    other => other.to_string(),
                });
                continue;
            }
        };
        let repeat = seen_email.get(&v.email.key).copied().or_else(|| {
            v.external_id
                .as_ref()
                .and_then(|x| seen_external.get(x).copied())
        });
        if let Some(first) = repeat {
            row.outcome = ImportOutcome::DuplicateInFile;
            row.reason = Some(format!("same person as line {}", raw[first].line));
            continue;
        }
        seen_email.insert(v.email.key.clone(), i);
        if let Some(x) = &v.external_id {
            seen_external.insert(x.clone(), i);
        }
        valid.push(v);
    }
    valid
}

/// Checks and normalises every row, on all cores for a large file (Unicode normalisation and
/// case folding are most of an import's work outside the database).
fn check_all(raw: &[RawRow]) -> Vec<Result<ValidRow>> {
    const PER_THREAD: usize = 4096;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || raw.len() < 2 * PER_THREAD {
        return raw
            .iter()
            .enumerate()
            .map(|(i, r)| check_row(i, r))
            .collect();
    }
    let chunk = raw.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = raw
            .chunks(chunk)
            .enumerate()
            .map(|(c, rows)| {
                s.spawn(move || {
                    rows.iter()
                        .enumerate()
                        .map(|(i, r)| check_row(c * chunk + i, r))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

fn check_row(index: usize, r: &RawRow) -> Result<ValidRow> {
    let email = normalize::email(r.email.as_deref().unwrap_or(""))?;
    let name = normalize::optional_name(r.name.as_deref())?;
    let external_id = match r.external_id.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(x) => normalize::external_id(Some(x))?,
    };
    Ok(ValidRow {
        index,
        email,
        name,
        external_id,
    })
}

fn parse(source: ImportSource<'_>) -> Result<Vec<RawRow>> {
    match source {
        ImportSource::Csv(text) => parse_csv(text),
        ImportSource::Pasted(text) => Ok(parse_pasted(text)),
    }
}

fn parse_csv(text: &str) -> Result<Vec<RawRow>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::invalid("source", format!("unreadable CSV header: {e}")))?
        .clone();
    let find = |names: &[&str]| {
        headers.iter().position(|h| {
            let h = h.trim().to_lowercase().replace(['-', '_'], " ");
            names.contains(&h.as_str())
        })
    };
    let email_col = find(&["email", "e mail", "email address", "mail"])
        .ok_or_else(|| Error::invalid("source", "the CSV header has no `email` column"))?;
    let name_col = find(&["name", "full name", "fullname"]);
    let external_col = find(&["external id", "externalid", "contact id", "external"]);
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // Line numbers come from byte offsets: the csv crate's own line count is off after CRLF.
    let mut lines = LineCounter::new(text);
    loop {
        let line = lines.line_at(reader.position().byte() as usize);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().all(|c| c.is_empty()) {
                    continue;
                }
                let cell = |col: Option<usize>| {
                    col.and_then(|c| record.get(c))
                        .map(|v| unneutralize(v).to_owned())
                        .filter(|v| !v.is_empty())
                };
                rows.push(RawRow {
                    line: record
                        .position()
                        .map_or(line, |p| lines.line_at(p.byte() as usize)),
                    name: cell(name_col),
                    email: cell(Some(email_col)),
                    external_id: cell(external_col),
                });
            }
            Err(e) => {
                // A broken record (e.g. invalid UTF-8) is reported as an invalid row.
                let at = e
                    .position()
                    .map_or(line, |p| lines.line_at(p.byte() as usize));
                rows.push(RawRow {
                    line: at,
                    name: None,
                    email: None,
                    external_id: None,
                });
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    return Err(Error::invalid("source", format!("unreadable CSV: {e}")));
                }
            }
        }
    }
    Ok(rows)
}

/// Turns increasing byte offsets into 1-based line numbers in one pass over the text.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: usize) -> usize {
        // After a CRLF the reader's offset can sit on the `\n` that ends the previous line.
        let offset = offset.min(self.text.len());
        let offset = if self.text.get(offset) == Some(&b'\n') {
            offset + 1
        } else {
            offset
        };
        if offset > self.offset {
            self.line += self.text[self.offset..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.offset = offset;
        }
        self.line
    }
}

fn parse_pasted(text: &str) -> Vec<RawRow> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let l = l.trim();
            let (name, email) = if let (Some(open), true) = (l.rfind('<'), l.ends_with('>')) {
                (
                    Some(l[..open].trim().trim_matches('"')),
                    Some(&l[open + 1..l.len() - 1]),
                )
            } else if let Some((a, b)) = l.split_once([',', ';', '\t']) {
                let (a, b) = (a.trim(), b.trim());
                if a.contains('@') && !b.contains('@') {
                    (Some(b), Some(a))
                } else {
                    (Some(a), Some(b))
                }
            } else {
                (None, Some(l))
            };
            RawRow {
                line: i + 1,
                name: name.filter(|n| !n.is_empty()).map(str::to_owned),
                email: email.map(|e| e.trim().to_owned()),
                external_id: None,
            }
        })
        .collect()
}
