//! How a call runs: on the libuv pool as a Promise (`Job`), or now (`now`) for the `…Sync`
//! twins. A twin and its async version run the very same work closure, and both turn a core
//! error into an `Error` with the core's `code` (see `error.rs`).

use crate::error::{rejection, thrown};
use memberkit as mk;
use napi::bindgen_prelude::*;
use std::sync::Arc;

/// Runs a call's work on this thread: what a `…Sync` twin does.
pub(crate) fn now<T>(
    work: impl FnOnce() -> mk::Result<T>,
) -> std::result::Result<T, Error<String>> {
    work().map_err(thrown)
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
pub(crate) type Thrown = Arc<std::sync::Mutex<Option<Error>>>;

impl<T: Send + 'static> Job<T> {
    /// A job running `work`; `thrown` is where a JavaScript callback's error is kept.
    pub(crate) fn new(
        work: impl FnOnce() -> mk::Result<T> + Send + 'static,
        thrown: Option<Thrown>,
    ) -> Self {
        Job {
            work: Some(Box::new(work)),
            code: None,
            thrown,
        }
    }
}

/// A Promise of `work`'s result, computed on the libuv pool.
pub(crate) fn job<T: ToNapiValue + TypeName + Send + 'static>(
    work: impl FnOnce() -> mk::Result<T> + Send + 'static,
) -> AsyncTask<Job<T>> {
    AsyncTask::new(Job::new(work, None))
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
            self.code = Some(e.code().as_str());
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
        let obj = rejection(&env, code, err.reason.clone())?;
        Err(Error::from(obj.to_unknown()))
    }
}

/// A Promise already resolved with `answer`, or rejected with an `Error` carrying its `code`:
/// what an async method returns when it could answer without leaving the event loop.
pub(crate) fn settled<'env, T: ToNapiValue>(
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
            let error = rejection(env, e.code().as_str(), e.to_string())?;
            check_status!(unsafe { sys::napi_reject_deferred(env.raw(), deferred, error.raw()) })?;
        }
    }
    Ok(PromiseRaw::new(env.raw(), promise))
}
