//! Metadata: a small JSON object the host owns on members, invites and products. memberkit
//! stores it, returns it, exports it and copies an invite's to the member who accepts; it never
//! reads it.

use crate::error::{Error, Result};
use serde_json::Value;

/// A JSON object owned by the host: at most [`MAX_METADATA_BYTES`] as compact JSON, nested at
/// most [`MAX_METADATA_DEPTH`] deep.
pub type Metadata = serde_json::Map<String, Value>;

/// The most bytes one metadata object may take as compact JSON (Clerk's limit too).
pub const MAX_METADATA_BYTES: usize = 8 * 1024;

/// The deepest nesting of objects and arrays one metadata object may hold.
pub const MAX_METADATA_DEPTH: usize = 10;

/// `invalid_input` (field `metadata`) unless it fits the limits.
pub(crate) fn check(metadata: &Metadata) -> Result<()> {
    let size = serde_json::to_vec(metadata).map_or(usize::MAX, |b| b.len());
    if size > MAX_METADATA_BYTES {
        return Err(Error::invalid(
            "metadata",
            format!("is {size} bytes as JSON; at most {MAX_METADATA_BYTES}"),
        ));
    }
    let depth = metadata.values().map(depth_of).max().unwrap_or(0) + 1;
    if depth > MAX_METADATA_DEPTH {
        return Err(Error::invalid(
            "metadata",
            format!("nests {depth} levels deep; at most {MAX_METADATA_DEPTH}"),
        ));
    }
    Ok(())
}

fn depth_of(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth_of).max().unwrap_or(0),
        _ => 0,
    }
}

/// Applies `patch` to `metadata` key by key, as Clerk's and Stripe's metadata updates do: a
/// key takes the patch's value, and a `null` removes it. Returns the keys that changed.
pub(crate) fn merge(metadata: &mut Metadata, patch: &Metadata) -> Vec<String> {
    let mut changed = Vec::new();
    for (key, value) in patch {
        let before = metadata.get(key);
        if value.is_null() {
            if before.is_some() {
                metadata.remove(key);
                changed.push(key.clone());
            }
        } else if before != Some(value) {
            metadata.insert(key.clone(), value.clone());
            changed.push(key.clone());
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Metadata {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn limits_are_on_size_and_depth() {
        assert!(check(&object(json!({"plan": "gold", "seats": 3}))).is_ok());
        let big = object(json!({ "notes": "x".repeat(MAX_METADATA_BYTES) }));
        assert_eq!(check(&big).unwrap_err().code().as_str(), "invalid_input");
        let mut deep = json!(1);
        for _ in 0..MAX_METADATA_DEPTH {
            deep = json!([deep]);
        }
        let too_deep = object(json!({ "a": deep }));
        assert!(check(&too_deep).is_err());
        let mut ok = json!(1);
        for _ in 0..MAX_METADATA_DEPTH - 1 {
            ok = json!([ok]);
        }
        assert!(check(&object(json!({ "a": ok }))).is_ok());
    }

    #[test]
    fn a_patch_sets_replaces_and_removes_keys() {
        let mut m = object(json!({"plan": "gold", "crm": {"id": 7}}));
        let changed = merge(
            &mut m,
            &object(json!({"plan": "silver", "crm": null, "new": true})),
        );
        assert_eq!(m, object(json!({"plan": "silver", "new": true})));
        assert_eq!(changed, ["crm", "new", "plan"]);
        assert!(merge(&mut m, &object(json!({"plan": "silver", "gone": null}))).is_empty());
    }
}
