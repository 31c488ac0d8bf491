//! JavaScript values to JSON, refusing what JSON cannot carry instead of converting it lossily
//! (napi-rs's own conversion turns a `Set`, `Map` or `Date` into `{}` and a BigInt into a
//! number or a string). The same values Python refuses are refused here, each a `TypeError`
//! naming its path (`metadata.plan.start`).

use crate::strict::type_error;
use napi::bindgen_prelude::*;
use napi::sys::ValueType as Ty;

/// How deep a value may nest before conversion stops: far past the core's own limit (which
/// answers `invalid_input`), only so that a pathological value cannot exhaust the stack.
const MOST_DEPTH: usize = 64;

/// `value` as JSON, or a `TypeError` naming the first path (from `root`) JSON cannot carry.
pub(crate) unsafe fn from_js(
    env: sys::napi_env,
    value: sys::napi_value,
    root: &str,
) -> Result<serde_json::Value> {
    let mut ancestors = Vec::new();
    convert(env, value, &mut root.to_owned(), &mut ancestors)
}

unsafe fn convert(
    env: sys::napi_env,
    value: sys::napi_value,
    path: &mut String,
    ancestors: &mut Vec<sys::napi_value>,
) -> Result<serde_json::Value> {
    let refuse = |what: String| {
        Err(type_error(format!(
            "{path} is {what}, which JSON cannot carry"
        )))
    };
    Ok(match type_of(env, value)? {
        Ty::napi_null => serde_json::Value::Null,
        Ty::napi_boolean => serde_json::Value::Bool(bool::from_napi_value(env, value)?),
        Ty::napi_string => serde_json::Value::String(String::from_napi_value(env, value)?),
        Ty::napi_number => {
            let n = f64::from_napi_value(env, value)?;
            if n.is_nan() {
                return refuse("NaN".into());
            }
            if n.is_infinite() {
                return refuse(if n > 0.0 { "Infinity" } else { "-Infinity" }.into());
            }
            // Integers stay integers (as `JSON.stringify` writes them) where they are exact.
            if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
                serde_json::Value::from(n as i64)
            } else {
                serde_json::Value::from(n)
            }
        }
        Ty::napi_undefined => return refuse("undefined".into()),
        Ty::napi_object if is_array(env, value)? => {
            enter(env, value, path, ancestors)?;
            let mut length = 0;
            check_status!(sys::napi_get_array_length(env, value, &mut length))?;
            let mut items = Vec::with_capacity(length as usize);
            for i in 0..length {
                let mut item = std::ptr::null_mut();
                check_status!(sys::napi_get_element(env, value, i, &mut item))?;
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                items.push(convert(env, item, path, ancestors)?);
                path.truncate(len);
            }
            ancestors.pop();
            serde_json::Value::Array(items)
        }
        Ty::napi_object if is_plain_object(env, value)? => {
            enter(env, value, path, ancestors)?;
            let object = Object::from_raw(env, value);
            let mut map = serde_json::Map::new();
            for key in Object::keys(&object)? {
                let item: Unknown = object.get_named_property_unchecked(&key)?;
                let len = path.len();
                path.push('.');
                path.push_str(&key);
                map.insert(key, convert(env, item.raw(), path, ancestors)?);
                path.truncate(len);
            }
            ancestors.pop();
            serde_json::Value::Object(map)
        }
        _ => return refuse(describe(env, value)?),
    })
}

/// Pushes `value` on the way down, refusing a cycle and a nesting past [`MOST_DEPTH`].
unsafe fn enter(
    env: sys::napi_env,
    value: sys::napi_value,
    path: &str,
    ancestors: &mut Vec<sys::napi_value>,
) -> Result<()> {
    for ancestor in ancestors.iter() {
        let mut same = false;
        check_status!(sys::napi_strict_equals(env, *ancestor, value, &mut same))?;
        if same {
            return Err(type_error(format!(
                "{path} contains itself (a cycle), which JSON cannot carry"
            )));
        }
    }
    if ancestors.len() >= MOST_DEPTH {
        return Err(type_error(format!(
            "{path} nests more than {MOST_DEPTH} levels deep"
        )));
    }
    ancestors.push(value);
    Ok(())
}

unsafe fn type_of(env: sys::napi_env, value: sys::napi_value) -> Result<sys::napi_valuetype> {
    let mut ty = 0;
    check_status!(sys::napi_typeof(env, value, &mut ty))?;
    Ok(ty)
}

unsafe fn is_array(env: sys::napi_env, value: sys::napi_value) -> Result<bool> {
    let mut array = false;
    check_status!(sys::napi_is_array(env, value, &mut array))?;
    Ok(array)
}

/// Whether `value` is an object literal or `Object.create(null)`: an object whose prototype is
/// `Object.prototype` or `null` (not an array, a `Date`, a `Map`, a class instance…).
pub(crate) unsafe fn is_plain_object(env: sys::napi_env, value: sys::napi_value) -> Result<bool> {
    if type_of(env, value)? != Ty::napi_object || is_array(env, value)? {
        return Ok(false);
    }
    let mut prototype = std::ptr::null_mut();
    check_status!(sys::napi_get_prototype(env, value, &mut prototype))?;
    if type_of(env, prototype)? == Ty::napi_null {
        return Ok(true);
    }
    let mut global = std::ptr::null_mut();
    check_status!(sys::napi_get_global(env, &mut global))?;
    let object: Object = Object::from_raw(env, global).get_named_property_unchecked("Object")?;
    let object_prototype: Unknown = object.get_named_property_unchecked("prototype")?;
    let mut same = false;
    check_status!(sys::napi_strict_equals(
        env,
        prototype,
        object_prototype.raw(),
        &mut same
    ))?;
    Ok(same)
}

/// A value as Node's own `ERR_INVALID_ARG_TYPE` messages describe it: `type boolean (false)`,
/// `an instance of Map`, `function f`, `type bigint (10n)`.
pub(crate) unsafe fn describe(env: sys::napi_env, value: sys::napi_value) -> Result<String> {
    let shown = |env, value| -> Result<String> {
        let mut text = std::ptr::null_mut();
        check_status!(sys::napi_coerce_to_string(env, value, &mut text))?;
        String::from_napi_value(env, text)
    };
    Ok(match type_of(env, value)? {
        Ty::napi_undefined => "undefined".into(),
        Ty::napi_null => "null".into(),
        Ty::napi_boolean => format!("type boolean ({})", shown(env, value)?),
        Ty::napi_number => format!("type number ({})", shown(env, value)?),
        Ty::napi_bigint => format!("type bigint ({}n)", shown(env, value)?),
        Ty::napi_string => format!("type string ({:?})", String::from_napi_value(env, value)?),
        Ty::napi_symbol => "type symbol".into(),
        Ty::napi_function => {
            let name: String = Object::from_raw(env, value)
                .get_named_property_unchecked::<Unknown>("name")
                .and_then(|n| shown(env, n.raw()))
                .unwrap_or_default();
            format!("function {name}")
        }
        _ => {
            let object = Object::from_raw(env, value);
            let name = object
                .get_named_property_unchecked::<Unknown>("constructor")
                .ok()
                .filter(|c| type_of(env, c.raw()).ok() == Some(Ty::napi_function))
                .and_then(|c| {
                    Object::from_raw(env, c.raw())
                        .get_named_property_unchecked::<Unknown>("name")
                        .ok()
                })
                .and_then(|n| shown(env, n.raw()).ok())
                .filter(|n| !n.is_empty());
            match name {
                Some(name) => format!("an instance of {name}"),
                None => "an object without a constructor".into(),
            }
        }
    })
}
