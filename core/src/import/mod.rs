//! Bulk import from CSV or pasted lines: a report for every row; written in short chunks (the
//! default) or in one transaction (`atomic`).

mod parse;
mod passwords;
mod plan;
mod run;

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::password;
use crate::store;
use crate::tenant::Tenant;
use crate::token::InviteToken;
use parse::{check_and_dedupe, parse};
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

/// Called with (rows of the file done, rows in all) while an import runs.
///
/// In a chunked import (the default) it runs after each chunk commits, with no transaction
/// open: it may call memberkit, and an `Err` stops the import there (the chunks before stay
/// written; running the same file again finishes it) and is returned.
/// In an `atomic` import and in a dry run it runs every 1,000 rows inside the one transaction:
/// an `Err` rolls everything back and is returned, a store that retries the transaction starts
/// the reports again, and calling back into memberkit from it is refused with `conflict` (the
/// transaction is still open on this thread).
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
    /// Write every row in one transaction (all or nothing), holding the write lock for the
    /// whole run: on SQLite every other writer waits that long (about 4 s per 100k rows).
    /// `None`, the default, writes chunks that each hold the lock for about 0.2 s, so other
    /// calls keep going while a large file is imported; a temporary-password import is always
    /// one transaction (`Some(false)` with it is `invalid_input`), so a crash can never leave
    /// members whose one-time password was lost with the process.
    pub atomic: Option<bool>,
}

impl ImportOptions {
    /// Whether this import runs in one transaction; see [`ImportOptions::atomic`].
    fn runs_atomically(&self) -> Result<bool> {
        match (self.atomic, self.mode) {
            (Some(false), ImportMode::TemporaryPassword) => Err(Error::invalid(
                "atomic",
                "a temporary_password import is always one transaction: its one-time passwords \
                 exist only in the report, so no member may be written before it is returned",
            )),
            (Some(atomic), _) => Ok(atomic),
            (None, mode) => Ok(mode == ImportMode::TemporaryPassword),
        }
    }
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
            .field("atomic", &self.atomic)
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
    /// Whether every change was written. False for a dry run, and for a run stopped by invalid
    /// or unseatable rows (without `skip_invalid`).
    pub applied: bool,
    /// How many rows, from the top of the file, are written: all of them when `applied`; 0
    /// for a dry run and for a run stopped before it wrote anything; in between when a chunked
    /// run stopped at a row that turned invalid while it ran (another call changed that
    /// member meanwhile). Rows from here on have no member id, token or password.
    pub written: usize,
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
    /// Every input row gets an outcome. By default the rows are written in chunks, each one
    /// transaction of its rows with their audit entries and events, holding the write lock for
    /// about 0.2 s, with other writers let in between; without `skip_invalid` every row is
    /// first checked against one snapshot, so an invalid or unseatable row stops the run before
    /// anything is written. A run that stops part way (a crash, a failing progress callback, a
    /// storage error) leaves whole chunks; running the same file again finishes it (rows
    /// already in come back `existing`). With `atomic` the run is one transaction: all rows
    /// or none. A dry run plans exactly what the real run would, in one read snapshot, and
    /// writes nothing. Re-running the same input changes nothing and reports every row
    /// `existing`. Needs `customers.manage` (and the permission to assign
    /// `role`). Errors: `invalid_input` for a CSV without an `email` column or an unreadable
    /// file (bad rows are reported, not errors), `not_found` for the workspace,
    /// `permission_denied`, `seat_limit` when rows would fill seats past a cap (without
    /// `skip_invalid`; a dry run reports those rows as `seat_limit` instead), `invalid_input`
    /// for `atomic: Some(false)` with temporary passwords.
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
        let atomic = options.runs_atomically()?;
        // Temporary passwords are hashed before the transaction, on every core: argon2id is
        // deliberately slow and must not hold the write lock.
        let passwords =
            if options.mode == ImportMode::TemporaryPassword && !options.dry_run && !stop {
                self.hash_new_passwords(&valid)?
            } else {
                HashMap::new()
            };
        let run = run::Run {
            tenant: self,
            actor,
            options,
            passwords: &passwords,
            total,
        };
        // A dry run, and the check before a chunked run, plan every row in one read snapshot:
        // no write lock, nothing written. A dry run reports progress from inside it.
        let check = |progress_inside: bool| {
            store::read_refusing_reentry(self.hub().store(), |tx| {
                run.plan(tx, &valid, &rows, true, Some(0), progress_inside)
            })
        };
        let (written, applied) = if options.dry_run || stop {
            let checked = check(true)?;
            run::merge(&mut rows, &valid, checked.rows);
            (0, false)
        } else if atomic {
            let applied = run.in_one_transaction(&valid, &mut rows)?;
            (if applied { rows.len() } else { 0 }, applied)
        } else {
            // Without `skip_invalid`, an invalid or unseatable row stops the run before its
            // first chunk is written, as it would stop a one-transaction run.
            let checked = match options.skip_invalid {
                true => None,
                false => Some(check(false)?),
            };
            match checked {
                Some(checked) if run.stops(&checked)? => {
                    run::merge(&mut rows, &valid, checked.rows);
                    (0, false)
                }
                _ => {
                    let written = run.in_chunks(&valid, &mut rows)?;
                    (written, written == rows.len())
                }
            }
        };
        // What was not written has no member yet, and no secret to show.
        for r in &mut rows[written..] {
            r.invite_token = None;
            r.temporary_password = None;
            if r.outcome == ImportOutcome::Created {
                r.member_id = None;
            }
        }
        Ok(ImportReport {
            applied,
            written,
            rows,
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
