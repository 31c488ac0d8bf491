//! Bulk import from CSV or pasted lines: a report for every row, all or nothing.

mod parse;
mod passwords;
mod plan;

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::op::Op;
use crate::password;
use crate::permission::Permission;
use crate::store;
use crate::tenant::Tenant;
use crate::token::InviteToken;
use parse::{check_and_dedupe, parse};
use plan::{Batch, Plan};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

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

impl<'a> ImportSource<'a> {
    /// `text` read as `format`.
    pub fn new(format: ImportFormat, text: &'a str) -> Self {
        match format {
            ImportFormat::Csv => ImportSource::Csv(text),
            ImportFormat::Pasted => ImportSource::Pasted(text),
        }
    }
}

/// How the text of an import is laid out; see [`ImportSource`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ImportFormat {
    /// CSV with a header row (the default).
    #[default]
    Csv,
    /// `name, email` lines.
    Pasted,
}

impl ImportFormat {
    /// `csv` or `pasted`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Csv => "csv",
            ImportFormat::Pasted => "pasted",
        }
    }
}

impl std::str::FromStr for ImportFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "csv" => Ok(ImportFormat::Csv),
            "pasted" => Ok(ImportFormat::Pasted),
            other => Err(Error::invalid(
                "format",
                format!("`{other}` is not one of csv, pasted"),
            )),
        }
    }
}

/// The text of an import as a caller holds it: decided here once, so every language reads a
/// source the same way and fails with the same `invalid_input`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportInput {
    /// The text itself.
    Text(String),
    /// Bytes that must be UTF-8 (a BOM is fine).
    Bytes(Vec<u8>),
    /// A file to read, UTF-8.
    File(std::path::PathBuf),
}

impl ImportInput {
    /// The text; `invalid_input` (field `source`) for bytes that are not UTF-8 or a file that
    /// cannot be read.
    pub fn into_text(self) -> Result<String> {
        let bytes = match self {
            ImportInput::Text(text) => return Ok(text),
            ImportInput::Bytes(bytes) => bytes,
            ImportInput::File(path) => std::fs::read(&path)
                .map_err(|e| Error::invalid("source", format!("{}: {e}", path.display())))?,
        };
        String::from_utf8(bytes).map_err(|e| Error::invalid("source", format!("is not UTF-8: {e}")))
    }
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
/// When a store retries the transaction (a networked store after a serialization failure),
/// the reports start again from the beginning.
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
    /// Not imported: it would fill a seat past the tenant's or the workspace's cap (see
    /// `reason`). Without `skip_invalid` such a row makes the real run fail with
    /// `seat_limit`.
    SeatLimit,
}

impl ImportOutcome {
    /// `created`, `existing`, `updated`, `invalid`, `duplicate_in_file` or `seat_limit`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportOutcome::Created => "created",
            ImportOutcome::Existing => "existing",
            ImportOutcome::Updated => "updated",
            ImportOutcome::Invalid => "invalid",
            ImportOutcome::DuplicateInFile => "duplicate_in_file",
            ImportOutcome::SeatLimit => "seat_limit",
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
    /// Why, for `invalid`, `duplicate_in_file` and `seat_limit`.
    pub reason: Option<String>,
    /// The member, when the row was (or would be) imported. `None` in a dry run for new rows.
    pub member_id: Option<MemberId>,
    /// The invite link token of a new invite (invite mode, real run only). Shown once.
    pub invite_token: Option<InviteToken>,
    /// The temporary password (temporary-password mode, real run only). Shown once.
    pub temporary_password: Option<password::Password>,
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
                let cells = [email.as_str(), name, pw.expose()];
                let _ = out.write_record(
                    cells
                        .iter()
                        .map(|c| crate::tenant::customers::neutralize(c).into_owned()),
                );
            }
        }
        String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// A temporary password and its argon2id hash, keyed by email key before the transaction.
type PlainAndHash = (String, String);

impl Tenant {
    /// Imports customers from CSV or pasted text. See [`ImportOptions`] for modes.
    ///
    /// Every input row gets an outcome. The real run is one transaction: all rows or none.
    /// A dry run returns exactly the report the real run would produce (it runs the same code
    /// in a transaction that is rolled back). Re-running the same input changes nothing and
    /// reports every row `existing`. Needs `customers.manage` (and the permission to assign
    /// `role`). Errors: `invalid_input` for a CSV without an `email` column or an unreadable
    /// file (bad rows are reported, not errors), `not_found` for the workspace,
    /// `permission_denied`, `seat_limit` when rows would fill seats past a cap (without
    /// `skip_invalid`; a dry run reports those rows as `seat_limit` instead).
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
            let keys: Vec<&str> = valid.iter().map(|v| v.email.key.as_str()).collect();
            let external_ids: Vec<&str> = valid
                .iter()
                .filter_map(|v| v.external_id.as_deref())
                .collect();
            let caps = op.seat_caps(options.workspace)?;
            let facts = tx.import_facts(op.tenant, &keys, &external_ids)?;
            let mut plan = Plan::new(&op, &batch, facts, caps);
            let mut rows = rows.clone();
            let mut changed = 0;
            for (done, v) in valid.iter().enumerate() {
                if plan.row(v, &mut rows[v.index])? {
                    changed += 1;
                }
                if let Some(progress) = &options.progress {
                    if (done + 1) % 1000 == 0 {
                        progress(done + 1, total)?;
                    }
                }
            }
            if changed > 0 {
                plan.audit(
                    "import.completed",
                    self.id(),
                    json!({ "rows": total, "changed": changed, "mode": options.mode.as_str() }),
                );
            }
            let full = plan.full();
            tx.apply(&plan.finish())?;
            // The last report runs inside the transaction too, so a callback that fails
            // there still undoes everything.
            if let Some(progress) = &options.progress {
                progress(total, total)?;
            }
            Ok((rows, full))
        };
        let (mut rows, applied) = if rehearse {
            (store::rehearse(self.hub().store(), body)?.0, false)
        } else {
            // A row can also turn out invalid while applying (a conflict with a stored member):
            // without `skip_invalid` that must undo the whole run, so the body fails on purpose
            // and the rows come back through `stopped`.
            let stopped = std::cell::RefCell::new(None);
            let result = store::write(self.hub().store(), |tx| {
                let (rows, full) = body(tx)?;
                if let Some(cap) = full.filter(|_| !options.skip_invalid) {
                    return Err(cap.error());
                }
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn every_kind_of_source_gives_text_or_the_same_typed_error() {
        let text = ImportInput::Bytes(b"email\na@x.com\n".to_vec()).into_text();
        assert_eq!(text.unwrap(), "email\na@x.com\n");
        let bad = ImportInput::Bytes(vec![0xff, 0xfe])
            .into_text()
            .unwrap_err();
        assert_eq!(bad.code(), ErrorCode::InvalidInput);
        let missing = ImportInput::File("/no/such/file.csv".into()).into_text();
        let missing = missing.unwrap_err();
        assert_eq!(missing.code(), ErrorCode::InvalidInput);
        assert!(
            missing.to_string().contains("/no/such/file.csv"),
            "{missing}"
        );
        assert_eq!(
            "pasted".parse::<ImportFormat>().unwrap(),
            ImportFormat::Pasted
        );
        let format = "xml".parse::<ImportFormat>().unwrap_err();
        assert_eq!(format.code(), ErrorCode::InvalidInput);
    }
}
