//! A namespace's `pod-security.kubernetes.io/*` labels, and reading them (and any
//! object's metadata) from JSON.

use crate::json::{self, same_text, Reader};

pub(crate) const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";
pub const ENFORCE_LEVEL_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
pub const AUDIT_LEVEL_LABEL: &str = "pod-security.kubernetes.io/audit";
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
pub const WARN_LEVEL_LABEL: &str = "pod-security.kubernetes.io/warn";
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// A namespace's labels: a handful, each looked up by key. A list rather than a sorted map:
/// PSA's keys share a 27-byte prefix, and in the module the map's comparisons went through
/// it byte by byte, 10k instructions to look up a namespace's levels; here a key of another
/// length is passed over at once, and the others are compared 8 bytes at a time.
#[derive(Debug, Clone, Default)]
pub struct Labels(Vec<(String, String)>);

impl Labels {
    pub fn new() -> Labels {
        Labels::default()
    }

    pub fn get(&self, key: &str) -> Option<&String> {
        self.0
            .iter()
            .find(|(k, _)| same_text(k, key))
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`; a later value for the same key replaces the earlier one.
    pub fn insert(&mut self, key: String, value: String) {
        match self.0.iter_mut().find(|(k, _)| same_text(k, &key)) {
            Some((_, old)) => *old = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The same labels, in any order.
impl PartialEq for Labels {
    fn eq(&self, other: &Labels) -> bool {
        self.0.len() == other.0.len() && self.0.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl FromIterator<(String, String)> for Labels {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Labels {
        let mut labels = Labels::new();
        for (k, v) in pairs {
            labels.insert(k, v);
        }
        labels
    }
}

impl IntoIterator for Labels {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// A Namespace's name and labels, read from its JSON (`null` is an empty namespace).
pub fn read_namespace(json: &str) -> json::Result<(Option<String>, Labels)> {
    Reader::read_all(json, |r| {
        let (mut name, mut labels) = (None, Labels::new());
        if !r.null()? {
            read_metadata(r, "a Namespace", |r, key| match key {
                "name" => {
                    // (`String::from`: `to_string` would go through `Display`, piece by piece.)
                    name = r.opt_str()?.map(|n| String::from(&*n));
                    Ok(())
                }
                "labels" => r.or_default(|r| {
                    r.object("labels", |r, key| {
                        let value = r.str()?;
                        labels.insert(String::from(&*key), String::from(&*value));
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
    fn labels_are_found_by_their_exact_key() {
        let labels: Labels = [
            (ENFORCE_LEVEL_LABEL, "baseline"),
            (ENFORCE_VERSION_LABEL, "v1.30"),
            ("kubernetes.io/metadata.name", "team-a"),
            (WARN_LEVEL_LABEL, "restricted"),
            (WARN_LEVEL_LABEL, "baseline"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let cases = [
            ("a key", ENFORCE_LEVEL_LABEL, Some("baseline")),
            (
                "a longer key with it as a prefix",
                ENFORCE_VERSION_LABEL,
                Some("v1.30"),
            ),
            (
                "the same length, another key",
                "pod-security.kubernetes.io/enforcE",
                None,
            ),
            ("a prefix of a key", LABEL_PREFIX, None),
            ("absent", AUDIT_LEVEL_LABEL, None),
            (
                "the later value of a key set twice",
                WARN_LEVEL_LABEL,
                Some("baseline"),
            ),
        ];
        for (name, key, value) in cases {
            assert_eq!(labels.get(key).map(String::as_str), value, "{name}");
            assert_eq!(labels.contains_key(key), value.is_some(), "{name}");
        }
        assert_eq!(labels.len(), 4);
        let reversed: Labels = labels.clone().into_iter().rev().collect();
        assert_eq!(reversed, labels, "the same labels in another order");
        let mut other = labels.clone();
        other.insert(WARN_LEVEL_LABEL.to_owned(), "restricted".to_owned());
        assert_ne!(other, labels, "another value");
    }

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
