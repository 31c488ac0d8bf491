//! Reading rows from CSV or pasted text, checking and de-duplicating them: pure, before
//! any transaction.

use super::{ImportOutcome, ImportRow, ImportSource};
use crate::error::{Error, Result};
use crate::normalize::{self, NormalizedEmail};
use crate::tenant::customers::unneutralize;
use std::collections::HashMap;

/// A parsed input row before any check.
#[derive(Debug)]
pub(super) struct RawRow {
    pub(super) line: usize,
    pub(super) name: Option<String>,
    pub(super) email: Option<String>,
    pub(super) external_id: Option<String>,
}

/// A row that passed the checks and the in-file dedupe.
pub(super) struct ValidRow {
    pub(super) index: usize,
    pub(super) email: NormalizedEmail,
    pub(super) name: Option<String>,
    pub(super) external_id: Option<String>,
}

/// Checks every row and marks repeats; returns the rows to apply, in order.
pub(super) fn check_and_dedupe(raw: &[RawRow], rows: &mut [ImportRow]) -> Vec<ValidRow> {
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

pub(super) fn parse(source: ImportSource<'_>) -> Result<Vec<RawRow>> {
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
