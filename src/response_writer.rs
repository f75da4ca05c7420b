//! A ValidationResponse written as JSON without serde, for every answer but a mutation:
//! with the modes, an accepted request carries audit annotations (PSA's `enforce-policy`)
//! and maybe a warning, and serde_json's writing of them (its string escaping above all)
//! would cost more than judging a pod in two more modes.

use std::cell::RefCell;
use std::collections::HashMap;

use kubewarden_policy_sdk::response::ValidationResponse;

use crate::json::write_string;

thread_local! {
    /// The audit annotations of the last response, once written: their table and strings
    /// serve the next response (in the module, building a fresh map with its strings cost
    /// several thousand instructions per request, a tenth of judging a small pod).
    static SPARE: RefCell<Option<HashMap<String, String>>> = const { RefCell::new(None) };
}

/// A map for a response's audit annotations: the spare one, with what it held (set or
/// remove each of its keys), or a new one.
pub fn annotations() -> HashMap<String, String> {
    SPARE
        .with_borrow_mut(Option::take)
        .unwrap_or_else(|| HashMap::with_capacity(3))
}

/// Sets `key` to `value` in `map`, reusing the string already there.
pub fn set(map: &mut HashMap<String, String>, key: &str, value: &str) {
    match map.get_mut(key) {
        Some(old) => {
            old.clear();
            old.push_str(value);
        }
        None => {
            map.insert(key.to_owned(), value.to_owned());
        }
    }
}

/// Sets `key` to `value` in `map`, moving `value` in (a message is not copied again).
pub fn put(map: &mut HashMap<String, String>, key: &str, value: String) {
    match map.get_mut(key) {
        Some(old) => *old = value,
        None => {
            map.insert(key.to_owned(), value);
        }
    }
}

/// Takes a response once written: its audit annotations serve the next one (whoever takes
/// the map sets or removes each of its keys).
pub fn recycle(response: ValidationResponse) {
    if let Some(map) = response.audit_annotations {
        SPARE.set(Some(map));
    }
}

/// The response as serde_json writes it (the same fields in the same order, the same
/// escaping), the audit annotations sorted by key; `None` for a mutation, whose object is
/// left to serde.
pub fn write(response: &ValidationResponse) -> Option<Vec<u8>> {
    if response.mutated_object.is_some() {
        return None;
    }
    let annotations = response.audit_annotations.as_ref();
    let warnings = response.warnings.as_deref();
    let text = |s: &String| s.len() + s.len() / 8 + 4;
    let size = 112
        + response.message.as_ref().map_or(0, text)
        + annotations.map_or(0, |a| a.iter().map(|(k, v)| text(k) + text(v)).sum())
        + warnings.map_or(0, |w| w.iter().map(text).sum());
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(if response.accepted {
        br#"{"accepted":true,"message":"#
    } else {
        br#"{"accepted":false,"message":"#
    });
    match &response.message {
        Some(message) => write_string(&mut out, message),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","code":"#);
    match response.code {
        Some(code) => out.extend_from_slice(code.to_string().as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","mutated_object":null,"audit_annotations":"#);
    match annotations {
        Some(annotations) => {
            // Sorted by hand, on the stack: a handful of entries, and the standard sorts
            // are kilobytes of module.
            let mut few = [("", ""); 8];
            let mut many = Vec::new();
            let entries: &mut [(&str, &str)] = if annotations.len() <= few.len() {
                for (slot, (k, v)) in few.iter_mut().zip(annotations) {
                    *slot = (k.as_str(), v.as_str());
                }
                &mut few[..annotations.len()]
            } else {
                many.extend(annotations.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                &mut many
            };
            for i in 1..entries.len() {
                let mut j = i;
                while j > 0 && entries[j - 1].0 > entries[j].0 {
                    entries.swap(j - 1, j);
                    j -= 1;
                }
            }
            out.push(b'{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(&mut out, key);
                out.push(b':');
                write_string(&mut out, value);
            }
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","warnings":"#);
    match warnings {
        Some(warnings) => {
            out.push(b'[');
            for (i, warning) in warnings.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(&mut out, warning);
            }
            out.push(b']');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn response(accepted: bool) -> ValidationResponse {
        ValidationResponse {
            accepted,
            message: None,
            code: None,
            mutated_object: None,
            audit_annotations: None,
            warnings: None,
        }
    }

    #[test]
    fn writes_what_serde_writes() {
        let awkward = "quote \" back\\slash \n\t\u{1} ünï 日本 😀".to_owned();
        let mut cases = vec![response(true), response(false)];
        let mut r = response(false);
        r.message = Some(awkward.clone());
        r.code = Some(422);
        cases.push(r);
        let mut r = response(true);
        r.audit_annotations = Some(HashMap::from([
            ("enforce-policy".to_owned(), "restricted:latest".to_owned()),
            ("audit-violations".to_owned(), awkward.clone()),
            (awkward.clone(), String::new()),
        ]));
        r.warnings = Some(vec![awkward.clone(), String::new(), "w".to_owned()]);
        cases.push(r);
        let mut r = response(true);
        r.audit_annotations = Some(HashMap::new());
        r.warnings = Some(Vec::new());
        cases.push(r);
        for r in &cases {
            let ours: serde_json::Value = serde_json::from_slice(&write(r).unwrap()).unwrap();
            assert_eq!(ours, serde_json::to_value(r).unwrap());
        }
        // One annotation or none: the very bytes serde writes.
        let mut r = response(true);
        r.audit_annotations = Some(HashMap::from([("exempt".to_owned(), "user".to_owned())]));
        r.warnings = Some(vec![awkward]);
        assert_eq!(write(&r).unwrap(), serde_json::to_vec(&r).unwrap());
        r.mutated_object = Some(serde_json::json!({}));
        assert!(write(&r).is_none());
    }
}
