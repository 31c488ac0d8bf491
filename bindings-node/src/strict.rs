//! Arguments are checked the way Node's own APIs check them: anything but a plain object,
//! `null` or `undefined` where an options object belongs (`false`, `[]`, `1`, a `Date`), an
//! options object with a key this call does not know (a snake_case slip such as `no_access`, or
//! `externalID`), a number that is not a non-negative integer where a count is expected, and
//! metadata that JSON cannot carry (a `Set`, `Map`, `Date`, BigInt, typed array, class instance,
//! `undefined`, a cycle) are `TypeError`s (`ERR_INVALID_ARG_TYPE`) naming the parameter or the
//! path, instead of being ignored, converted lossily, truncated or wrapped around.

use napi::bindgen_prelude::*;

/// The keys an options object may carry, as JavaScript spells them (camelCase).
pub trait Keys {
    /// Every accepted key.
    const KEYS: &'static [&'static str];
    /// The parameter's name in the call's signature, for error messages.
    const PARAM: &'static str = "options";
}

/// Declares the accepted keys of options types (and the parameter's name, when it is not
/// `options`).
macro_rules! keys {
    ($($ty:ty $(as $param:literal)? => [$($key:literal),* $(,)?]),* $(,)?) => {
        $(impl $crate::strict::Keys for $ty {
            const KEYS: &'static [&'static str] = &[$($key),*];
            $(const PARAM: &'static str = $param;)?
        })*
    };
}
pub(crate) use keys;

/// Fails unless `value` is a plain object (its prototype `Object.prototype` or `null`): what
/// an options parameter named `param` must be when given.
pub(crate) unsafe fn expect_plain_object(
    env: sys::napi_env,
    value: sys::napi_value,
    param: &str,
) -> Result<()> {
    if crate::json::is_plain_object(env, value)? {
        return Ok(());
    }
    Err(type_error(format!(
        "The \"{param}\" argument must be a plain object. Received {}",
        crate::json::describe(env, value)?
    )))
}

pub(crate) fn type_error(message: String) -> Error {
    // lib.js turns InvalidArg into a TypeError with code ERR_INVALID_ARG_TYPE.
    Error::new(Status::InvalidArg, message)
}

/// Fails on the first key of `obj` that is not in `allowed`.
pub fn check_keys(obj: &Object, allowed: &[&str]) -> Result<()> {
    for key in Object::keys(obj)? {
        if !allowed.contains(&key.as_str()) {
            let camel = camel_case(&key);
            let hint = allowed
                .iter()
                .find(|k| k.eq_ignore_ascii_case(&camel))
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return Err(type_error(format!(
                "unknown option `{key}`{hint}; this call takes {}",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// An options object checked against `T::KEYS` before it is converted.
pub struct Strict<T>(pub T);

impl<T: FromNapiValue + Keys> FromNapiValue for Strict<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        expect_plain_object(env, value, T::PARAM)?;
        let obj = Object::from_napi_value(env, value)?;
        check_keys(&obj, T::KEYS)?;
        Ok(Strict(T::from_napi_value(env, value)?))
    }
}

impl<T> TypeName for Strict<T> {
    fn type_name() -> &'static str {
        "Object"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl<T> ValidateNapiValue for Strict<T> {}

/// A count (a limit, a page size): a non-negative integer. Values beyond what the core allows
/// reach the core, which answers `invalid_input` with the allowed range.
#[derive(Clone, Copy)]
pub struct Count(pub usize);

impl FromNapiValue for Count {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let n = f64::from_napi_value(env, value)?;
        if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0) {
            return Err(type_error(format!(
                "expected a non-negative integer, got {n}"
            )));
        }
        // `as` saturates: a huge integer becomes usize::MAX and the core refuses it.
        Ok(Count(n as usize))
    }
}

impl TypeName for Count {
    fn type_name() -> &'static str {
        "number"
    }
    fn value_type() -> ValueType {
        ValueType::Number
    }
}

impl ValidateNapiValue for Count {}

impl ToNapiValue for Count {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        f64::to_napi_value(env, value.0 as f64)
    }
}

/// A metadata argument: a plain object of JSON values (see `json.rs`).
pub struct Metadata(pub memberkit::Metadata);

impl FromNapiValue for Metadata {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        expect_plain_object(env, value, "metadata")?;
        match crate::json::from_js(env, value, "metadata")? {
            serde_json::Value::Object(map) => Ok(Metadata(map)),
            _ => Err(type_error("metadata must be a plain object".into())),
        }
    }
}

impl TypeName for Metadata {
    fn type_name() -> &'static str {
        "Record<string, unknown>"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for Metadata {}

impl ToNapiValue for Metadata {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        serde_json::Map::to_napi_value(env, value.0)
    }
}
