//! Core errors as JavaScript `Error`s whose `code` is the core's own code string
//! (`e.code().as_str()`): no table of codes is written here.

use memberkit as mk;
use napi::bindgen_prelude::*;

/// The `Error` a synchronous call throws for a core error: napi puts the status string on
/// `err.code`.
pub(crate) fn thrown(e: mk::Error) -> Error<String> {
    Error::new(e.code().as_str().to_owned(), e.to_string())
}

/// The `Error` object a promise rejects with for a core error, `code` set on it.
pub(crate) fn rejection<'env>(env: &'env Env, code: &str, message: String) -> Result<Object<'env>> {
    let mut error = env.create_error(Error::new(Status::GenericFailure, message))?;
    error.set_named_property("code", code)?;
    Ok(error)
}
