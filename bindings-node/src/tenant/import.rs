//! Bulk import (mirrors the core's `import/`).

use super::Tenant;
use crate::convert::*;
use crate::strict::{check_keys, expect_plain_object, Keys};
use crate::strict::{keys, Strict};
use crate::task::{Job, Thrown};
use crate::types::*;
use memberkit as mk;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use std::sync::Arc;

/// Options of `importCustomers`.
#[napi(object)]
#[derive(Default)]
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
    /// Write every row in one transaction (all or nothing), holding the write lock for the
    /// whole run. By default rows are written in short chunks.
    pub atomic: Option<bool>,
}

/// A file to import: `{ path: 'customers.csv' }`.
#[napi(object)]
pub struct FileSource {
    pub path: String,
}

keys! {
    ImportOptions => [
        "format", "products", "workspace", "role", "mode", "notify", "dryRun", "skipInvalid",
        "progress", "atomic",
    ],
    FileSource as "source" => ["path"],
}

#[napi]
impl Tenant {
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
    ) -> Result<AsyncTask<Job<Hidden<ImportReport>>>> {
        // The options object also carries the progress function, which a plain options
        // struct cannot hold: check its keys, take the function, convert the rest.
        let (options, progress) = match options {
            None => (None, None),
            Some(obj) => {
                // SAFETY: the object is alive for this call.
                unsafe { expect_plain_object(obj.value().env, obj.raw(), ImportOptions::PARAM)? };
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
        // A throw is caught, never left uncaught: the import stops at its next report (an
        // atomic import rolls back; a chunked one keeps the chunks written before), and the
        // promise rejects with the thrown error.
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
                            "the progress callback threw: import stopped".into(),
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
        let input = match source {
            Either3::A(text) => mk::ImportInput::Text(text),
            Either3::B(bytes) => mk::ImportInput::Bytes(bytes.to_vec()),
            Either3::C(Strict(file)) => mk::ImportInput::File(file.path.into()),
        };
        let t = self.inner.clone();
        let work = move || {
            let text = input.into_text()?;
            let o = options.unwrap_or_default();
            let defaults = mk::ImportOptions::default();
            let options = mk::ImportOptions {
                products: ids(o.products)?,
                workspace: opt(o.workspace)?,
                role: opt(o.role)?.unwrap_or(defaults.role),
                mode: opt(o.mode)?.unwrap_or(defaults.mode),
                notify: o.notify.or(defaults.notify),
                dry_run: o.dry_run.unwrap_or(defaults.dry_run),
                skip_invalid: o.skip_invalid.unwrap_or(defaults.skip_invalid),
                progress,
                atomic: o.atomic,
            };
            let format: mk::ImportFormat = opt(o.format)?.unwrap_or_default();
            let source = mk::ImportSource::new(format, &text);
            let report = t.import_customers(self::actor(&actor)?, source, &options)?;
            Ok(Hidden(ImportReport {
                applied: report.applied,
                written: report.written as u32,
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
                        temporary_password: r.temporary_password.map(|p| p.expose().to_owned()),
                    })
                    .collect(),
            }))
        };
        Ok(AsyncTask::new(Job::new(work, Some(thrown))))
    }
}
