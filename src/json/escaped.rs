//! Text already escaped as the inside of a JSON string: the modes write their messages
//! straight into this form, each violation escaped once, and the response writer copies it.

use super::{escape_into, escape_marking, Reader};

/// The inside of a JSON string (no quotes), escaped as [`super::write_string`] escapes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Escaped(Vec<u8>);

impl Escaped {
    /// Appends `text`, escaping it.
    pub fn push_str(&mut self, text: &str) {
        escape_into(&mut self.0, text);
    }

    /// Appends `text`, escaping it, and turns `marks` (ascending places in `text`) into
    /// where the same text begins in this one.
    pub fn push_marking(&mut self, text: &str, marks: &mut [usize]) {
        escape_marking(&mut self.0, text, marks);
    }

    /// Appends bytes that are escaped already (another `Escaped`'s, in whole characters).
    pub fn push_escaped(&mut self, escaped: &[u8]) {
        self.0.extend_from_slice(escaped);
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }

    pub fn with_capacity(capacity: usize) -> Escaped {
        Escaped(Vec::with_capacity(capacity))
    }

    /// The text it stands for, for callers that need the plain string (the native API,
    /// the mutation path), read back by the crate's own reader. The bytes only ever come
    /// from escaping whole characters, so they read back.
    pub fn plain(&self) -> String {
        let mut quoted = String::with_capacity(self.0.len() + 2);
        quoted.push('"');
        quoted.push_str(&String::from_utf8_lossy(&self.0));
        quoted.push('"');
        match Reader::read_all(&quoted, |r| r.str()) {
            Ok(text) => text.to_string(),
            Err(_) => String::from_utf8_lossy(&self.0).into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_reads_back_as_written() {
        let cases = [
            ("plain", "would violate PodSecurity"),
            ("quotes", r#"container "app" must not"#),
            ("backslash and controls", "a\\b\n\t\u{1}c"),
            ("not ASCII", "conteneur «app» ü"),
            ("empty", ""),
        ];
        for (name, text) in cases {
            let mut e = Escaped::default();
            e.push_str(text);
            assert_eq!(e.plain(), text, "{name}");
            let json = serde_json::to_string(text).unwrap();
            assert_eq!(e.as_bytes(), &json.as_bytes()[1..json.len() - 1], "{name}");
        }
    }

    #[test]
    fn marks_follow_the_text_they_mark() {
        // Each piece, escaped alone, is found where its mark says.
        let pieces = [
            "a \"b\"",
            "",
            "c\\d\n",
            "plain words, no escapes here",
            "\"",
            "ü \u{1}",
        ];
        let mut text = String::new();
        let mut marks = Vec::new();
        for p in pieces {
            marks.push(text.len());
            text.push_str(p);
            marks.push(text.len());
        }
        let mut e = Escaped::default();
        e.push_str("before ");
        e.push_marking(&text, &mut marks);
        for (k, p) in pieces.iter().enumerate() {
            let mut alone = Escaped::default();
            alone.push_str(p);
            assert_eq!(
                &e.as_bytes()[marks[2 * k]..marks[2 * k + 1]],
                alone.as_bytes(),
                "{p:?}"
            );
        }
    }
}
