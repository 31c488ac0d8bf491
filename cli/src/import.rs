//! `memberkit import`: the core's import with a progress bar (rows per second and the time
//! left) on a terminal, plain progress lines otherwise, a report of each row's outcome, and
//! temporary passwords only into a new file only its owner can read.

use crate::output::Output;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use memberkit::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Args)]
pub(crate) struct ImportArgs {
    /// The file: CSV with a header row (name, email, external_id), or pasted lines.
    file: PathBuf,
    /// The tenant's id.
    #[arg(long)]
    tenant: String,
    /// A paid product to grant, or for invites to carry (repeatable).
    #[arg(long = "product")]
    products: Vec<String>,
    /// csv or pasted.
    #[arg(long)]
    format: Option<String>,
    /// invite (the default), grant or temporary_password.
    #[arg(long)]
    mode: Option<String>,
    /// Report what would happen and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import the valid rows even when some are invalid.
    #[arg(long)]
    skip_invalid: bool,
    /// Write every row in one transaction (all or nothing).
    #[arg(long)]
    atomic: bool,
    /// Write no email events (invites to send, access granted).
    #[arg(long)]
    no_email: bool,
    /// Write each row's outcome to this CSV file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// With --mode temporary_password: the new file (mode 0600) the passwords go to.
    #[arg(long)]
    passwords: Option<PathBuf>,
}

pub(crate) fn run(hub: &Hub, args: &ImportArgs, out: &Output) -> Result<()> {
    let tenant = hub.tenant(args.tenant.parse()?)?;
    let format: ImportFormat = args
        .format
        .as_deref()
        .map(str::parse)
        .transpose()?
        .unwrap_or_default();
    let mode: ImportMode = args
        .mode
        .as_deref()
        .map(str::parse)
        .transpose()?
        .unwrap_or_default();
    // Passwords exist once, in the report: refuse before importing when they would be lost,
    // and create their file first, so a file that exists stops the run before any write.
    let passwords = match (mode, &args.passwords, args.dry_run) {
        (ImportMode::TemporaryPassword, None, false) => {
            return Err(Error::invalid(
                "passwords",
                "a temporary_password import needs --passwords FILE: the passwords are shown \
                 once and never on the screen",
            ))
        }
        (ImportMode::TemporaryPassword, Some(path), false) => Some(private_file(path)?),
        _ => None,
    };
    let text = ImportInput::File(args.file.clone()).into_text()?;
    let progress = Progress::new(out.json);
    let options = ImportOptions {
        products: args
            .products
            .iter()
            .map(|p| p.parse())
            .collect::<Result<_>>()?,
        mode,
        notify: args.no_email.then_some(false),
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
        atomic: args.atomic.then_some(true),
        progress: Some(progress.callback()),
        ..Default::default()
    };
    let started = Instant::now();
    let report = tenant.import_customers(Actor::System, ImportSource::new(format, &text), &options);
    progress.finish();
    // A run that wrote no one leaves no passwords file, so the same command can run again.
    let written = report.as_ref().is_ok_and(|r| r.applied || r.written > 0);
    if let (false, Some((path, _))) = (written, &passwords) {
        let _ = std::fs::remove_file(path);
    }
    let report = report?;
    if let Some((path, mut file)) = passwords.filter(|_| written) {
        file.write_all(report.temporary_passwords_csv().as_bytes())
            .map_err(|e| Error::invalid("passwords", format!("{}: {e}", path.display())))?;
    }
    if let Some(path) = &args.report {
        write_report(path, &report)?;
    }
    if !report.applied && !report.dry_run {
        // The report (written above) says which rows; the exit status says it stopped.
        let stopped = report.rows.len()
            - report.count(ImportOutcome::Created)
            - report.count(ImportOutcome::Existing)
            - report.count(ImportOutcome::Updated)
            - report.count(ImportOutcome::DuplicateInFile);
        return Err(Error::invalid(
            "file",
            format!(
                "{stopped} rows are invalid or over the seat limit, so the import stopped with \
                 {} of {} rows written (see --report; --skip-invalid imports the others)",
                report.written,
                report.rows.len()
            ),
        ));
    }
    let seconds = started.elapsed().as_secs_f64();
    let counts: Vec<(&str, usize)> = OUTCOMES
        .iter()
        .map(|o| (o.as_str(), report.count(*o)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let summary: Vec<String> = counts.iter().map(|(o, n)| format!("{n} {o}")).collect();
    out.done(
        &format!(
            "{} {} rows in {seconds:.1} s ({:.0} rows/s): {}",
            if report.dry_run { "checked" } else { "imported" },
            report.rows.len(),
            report.rows.len() as f64 / seconds.max(1e-9),
            summary.join(", ")
        ),
        serde_json::json!({
            "rows": report.rows.len(),
            "dry_run": report.dry_run,
            "applied": report.applied,
            "written": report.written,
            "outcomes": counts.iter().map(|(o, n)| (o.to_string(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>(),
        }),
    )
}

const OUTCOMES: [ImportOutcome; 6] = [
    ImportOutcome::Created,
    ImportOutcome::Existing,
    ImportOutcome::Updated,
    ImportOutcome::Invalid,
    ImportOutcome::DuplicateInFile,
    ImportOutcome::SeatLimit,
];

/// A new file only its owner may read; `invalid_input` when it exists.
fn private_file(path: &Path) -> Result<(PathBuf, std::fs::File)> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let file = open
        .open(path)
        .map_err(|e| Error::invalid("passwords", format!("{}: {e}", path.display())))?;
    Ok((path.to_owned(), file))
}

/// Each row's outcome (never a token or password).
fn write_report(path: &Path, report: &ImportReport) -> Result<()> {
    let failed = |e: csv::Error| Error::invalid("report", format!("{}: {e}", path.display()));
    let mut csv = csv::Writer::from_path(path).map_err(failed)?;
    csv.write_record(["line", "email", "name", "outcome", "reason", "member_id"])
        .map_err(failed)?;
    for row in &report.rows {
        csv.write_record([
            row.line.to_string(),
            row.email.clone().unwrap_or_default(),
            row.name.clone().unwrap_or_default(),
            row.outcome.as_str().to_string(),
            row.reason.clone().unwrap_or_default(),
            row.member_id.map(|m| m.to_string()).unwrap_or_default(),
        ])
        .map_err(failed)?;
    }
    csv.flush()
        .map_err(|e| Error::invalid("report", format!("{}: {e}", path.display())))
}

/// A bar with rows per second and the time left on a terminal; plain lines at most every
/// two seconds otherwise (a log file, CI); nothing with `--json`.
struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    last_line: Arc<Mutex<Option<Instant>>>,
    started: Instant,
}

impl Progress {
    fn new(json: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !json).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {per_sec}  {eta} left")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            plain: !terminal && !json,
            last_line: Arc::new(Mutex::new(None)),
            started: Instant::now(),
        }
    }

    fn callback(&self) -> ProgressFn {
        let bar = self.bar.clone();
        let plain = self.plain;
        let last = self.last_line.clone();
        let started = self.started;
        Arc::new(move |done, total| {
            if let Some(bar) = &bar {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            } else if plain {
                let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
                let due = last.is_none_or(|t| t.elapsed() >= Duration::from_secs(2));
                if due || done == total {
                    *last = Some(Instant::now());
                    let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
                    let left = (total - done) as f64 / rate.max(1e-9);
                    eprintln!("{done}/{total} rows, {rate:.0} rows/s, {left:.0} s left");
                }
            }
            Ok(())
        })
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
