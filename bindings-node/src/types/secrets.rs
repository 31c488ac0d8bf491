//! Results that carry a secret (an invite link's token, a temporary password, an impersonation
//! token) keep it out of what a host logs: the property is there to read (`issued.token`) but
//! not enumerable, so `console.log`, `util.inspect`, `JSON.stringify` and object spread leave
//! it out, as Python's reprs mask it.

use super::*;
use napi::bindgen_prelude::*;

/// A result type's secret properties, as JavaScript names them.
pub trait Secrets: ToNapiValue {
    /// Its own properties that hold a secret.
    const SECRETS: &'static [&'static str];
    /// An array property whose elements hold secrets of their own, and their names.
    const NESTED: Option<(&'static str, &'static [&'static str])> = None;
}

impl Secrets for IssuedInvite {
    const SECRETS: &'static [&'static str] = &["token"];
}

impl Secrets for IssuedImpersonation {
    const SECRETS: &'static [&'static str] = &["token"];
}

impl Secrets for AddedCustomer {
    const SECRETS: &'static [&'static str] = &["temporaryPassword"];
}

impl Secrets for ImportReport {
    const SECRETS: &'static [&'static str] = &["temporaryPasswordsCsv"];
    const NESTED: Option<(&'static str, &'static [&'static str])> =
        Some(("rows", &["inviteToken", "temporaryPassword"]));
}

/// A result whose secret properties are made non-enumerable when it is handed to JavaScript.
pub struct Hidden<T>(pub T);

impl<T: Secrets> ToNapiValue for Hidden<T> {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        let object = T::to_napi_value(env, value.0)?;
        hide(env, object, T::SECRETS)?;
        if let Some((field, keys)) = T::NESTED {
            let list = Object::from_raw(env, object);
            let items: Vec<Object> = list.get_named_property_unchecked(field)?;
            for item in items {
                hide(env, item.raw(), keys)?;
            }
        }
        Ok(object)
    }
}

impl<T: TypeName> TypeName for Hidden<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }
    fn value_type() -> ValueType {
        T::value_type()
    }
}

/// Redefines each of `keys` on `object` with its value, writable and configurable but not
/// enumerable.
unsafe fn hide(env: sys::napi_env, object: sys::napi_value, keys: &[&str]) -> Result<()> {
    for key in keys {
        let name = std::ffi::CString::new(*key)?;
        let mut value = std::ptr::null_mut();
        check_status!(sys::napi_get_named_property(
            env,
            object,
            name.as_ptr(),
            &mut value
        ))?;
        let property = sys::napi_property_descriptor {
            utf8name: name.as_ptr(),
            name: std::ptr::null_mut(),
            method: None,
            getter: None,
            setter: None,
            value,
            attributes: sys::PropertyAttributes::writable | sys::PropertyAttributes::configurable,
            data: std::ptr::null_mut(),
        };
        check_status!(sys::napi_define_properties(env, object, 1, &property))?;
    }
    Ok(())
}
