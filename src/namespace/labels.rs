//! A namespace's `pod-security.kubernetes.io/*` labels, and reading them (and any
//! object's metadata) from JSON.

use std::collections::BTreeMap;

use crate::json::{self, Reader};

pub(crate) const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";
pub const ENFORCE_LEVEL_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
pub const AUDIT_LEVEL_LABEL: &str = "pod-security.kubernetes.io/audit";
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
pub const WARN_LEVEL_LABEL: &str = "pod-security.kubernetes.io/warn";
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// A namespace's labels.
pub type Labels = BTreeMap<String, String>;

/// A Namespace's name and labels, read from its JSON (`null` is an empty namespace).
pub fn read_namespace(json: &str) -> json::Result<(Option<String>, Labels)> {
    Reader::read_all(json, |r| {
        let (mut name, mut labels) = (None, Labels::new());
        if !r.null()? {
            read_metadata(r, "a Namespace", |r, key| match key {
                "name" => {
                    name = r.opt_str()?.map(|n| n.to_string());
                    Ok(())
                }
                "labels" => r.or_default(|r| {
                    r.object("labels", |r, key| {
                        let value = r.str()?;
                        labels.insert(key.to_string(), value.to_string());
                        Ok(())
                    })
                }),
                _ => r.skip(),
            })?;
        }
        Ok((name, labels))
    })
}

/// Reads an object (`what`) for its `metadata`, handing each of the metadata's keys to
/// `field`; the object's other keys are skipped, a `null` metadata is empty.
pub(crate) fn read_metadata<'a>(
    r: &mut Reader<'a>,
    what: &str,
    mut field: impl FnMut(&mut Reader<'a>, &str) -> json::Result<()>,
) -> json::Result<()> {
    r.object(what, |r, key| match &*key {
        "metadata" => r.or_default(|r| r.object("an object's metadata", |r, key| field(r, &key))),
        _ => r.skip(),
    })
}

/// Whether any label is one of PSA's (for the namespaces PSA would warn about).
pub fn has_psa_labels(labels: &Labels) -> bool {
    labels.keys().any(|k| k.starts_with(LABEL_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_read_strictly() {
        let (name, labels) = read_namespace(
            r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a","labels":{"x":"1","y":"2"},"annotations":{"z":"3"}},"spec":{}}"#,
        )
        .unwrap();
        assert_eq!(name.as_deref(), Some("a"));
        assert_eq!(labels.len(), 2);
        assert_eq!(read_namespace("null").unwrap(), (None, Labels::new()));
        assert_eq!(
            read_namespace(r#"{"metadata":{"labels":null}}"#).unwrap(),
            (None, Labels::new())
        );
        assert!(read_namespace(r#"{"metadata":{"labels":{"x":1}}}"#).is_err());
        assert!(read_namespace(r#"{"metadata":[]}"#).is_err());
    }
}
