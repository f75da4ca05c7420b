//! A ValidationResponse written as JSON without serde, for every answer but a mutation:
//! with the modes, an accepted request carries audit annotations (PSA's `enforce-policy`)
//! and maybe a warning, and serde_json's writing of them (its string escaping above all)
//! would cost more than judging a pod in two more modes.

use std::cell::RefCell;
use std::collections::HashMap;

use kubewarden_policy_sdk::response::ValidationResponse;

use crate::json::{write_string, Escaped};
use crate::modes::AUDIT_VIOLATIONS_ANNOTATION;

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

/// Texts of a response already escaped for JSON, which the response itself does not hold
/// (see `answer.rs`): the modes write their messages straight into JSON.
#[derive(Debug, Default)]
pub struct Texts {
    /// The message.
    pub message: Option<Escaped>,
    /// The `audit-violations` audit annotation.
    pub audit_violations: Option<Escaped>,
    /// A warning that comes before the response's own.
    pub warning: Option<Escaped>,
}

impl Texts {
    pub fn is_empty(&self) -> bool {
        self.message.is_none() && self.audit_violations.is_none() && self.warning.is_none()
    }
}

/// An annotation's value: the response's own, or one of [`Texts`].
#[derive(Clone, Copy)]
enum Value<'a> {
    Plain(&'a str),
    Escaped(&'a [u8]),
}

/// The response as serde_json writes it (the same fields in the same order, the same
/// escaping), the audit annotations sorted by key, with `texts` in their places; `None`
/// for a mutation, whose object is left to serde.
pub fn write(response: &ValidationResponse, texts: &Texts) -> Option<Vec<u8>> {
    if response.mutated_object.is_some() {
        return None;
    }
    let annotations = response.audit_annotations.as_ref();
    let warnings = response.warnings.as_deref();
    let text = |s: &String| s.len() + s.len() / 8 + 4;
    let escaped = |e: &Option<Escaped>| e.as_ref().map_or(0, |e| e.len() + 32);
    let size = 112
        + response.message.as_ref().map_or(0, text)
        + annotations.map_or(0, |a| a.iter().map(|(k, v)| text(k) + text(v)).sum())
        + warnings.map_or(0, |w| w.iter().map(text).sum())
        + escaped(&texts.message)
        + escaped(&texts.audit_violations)
        + escaped(&texts.warning);
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(if response.accepted {
        br#"{"accepted":true,"message":"#
    } else {
        br#"{"accepted":false,"message":"#
    });
    match (&texts.message, &response.message) {
        (Some(message), _) => write_escaped(&mut out, message.as_bytes()),
        (None, Some(message)) => write_string(&mut out, message),
        (None, None) => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","code":"#);
    match response.code {
        Some(code) => out.extend_from_slice(code.to_string().as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","mutated_object":null,"audit_annotations":"#);
    let audit = texts.audit_violations.as_ref();
    if annotations.is_some() || audit.is_some() {
        // Sorted by hand, on the stack: a handful of entries, and the standard sorts
        // are kilobytes of module.
        let own = annotations.into_iter().flatten();
        let own = own.map(|(k, v)| (k.as_str(), Value::Plain(v.as_str())));
        let theirs = audit.map(|a| (AUDIT_VIOLATIONS_ANNOTATION, Value::Escaped(a.as_bytes())));
        let mut all = own.chain(theirs);
        let mut few = [("", Value::Plain("")); 8];
        let mut many = Vec::new();
        let count = annotations.map_or(0, |a| a.len()) + usize::from(audit.is_some());
        let entries: &mut [(&str, Value)] = if count <= few.len() {
            for (slot, entry) in few.iter_mut().zip(all) {
                *slot = entry;
            }
            &mut few[..count]
        } else {
            many.extend(&mut all);
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
            match value {
                Value::Plain(value) => write_string(&mut out, value),
                Value::Escaped(value) => write_escaped(&mut out, value),
            }
        }
        out.push(b'}');
    } else {
        out.extend_from_slice(b"null");
    }
    out.extend_from_slice(br#","warnings":"#);
    let first = texts.warning.as_ref();
    if warnings.is_some() || first.is_some() {
        out.push(b'[');
        if let Some(first) = first {
            write_escaped(&mut out, first.as_bytes());
        }
        for (i, warning) in warnings.into_iter().flatten().enumerate() {
            if i > 0 || first.is_some() {
                out.push(b',');
            }
            write_string(&mut out, warning);
        }
        out.push(b']');
    } else {
        out.extend_from_slice(b"null");
    }
    out.push(b'}');
    Some(out)
}

/// A string escaped already, in its quotes.
fn write_escaped(out: &mut Vec<u8>, escaped: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(escaped);
    out.push(b'"');
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
            let ours: serde_json::Value =
                serde_json::from_slice(&write(r, &Texts::default()).unwrap()).unwrap();
            assert_eq!(ours, serde_json::to_value(r).unwrap());
        }
        // One annotation or none: the very bytes serde writes.
        let mut r = response(true);
        r.audit_annotations = Some(HashMap::from([("exempt".to_owned(), "user".to_owned())]));
        r.warnings = Some(vec![awkward]);
        assert_eq!(
            write(&r, &Texts::default()).unwrap(),
            serde_json::to_vec(&r).unwrap()
        );
        r.mutated_object = Some(serde_json::json!({}));
        assert!(write(&r, &Texts::default()).is_none());
    }
}
