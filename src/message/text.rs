//! What a message is written into: plain text (`String`), or JSON ([`Escaped`]), so that
//! one composition of PSA's sentences serves both.

use std::ops::Range;

use crate::json::Escaped;

/// What a message is written into: plain text, or JSON ([`Escaped`]).
pub trait Text: Default {
    /// Appends PSA's words (escaped, in JSON).
    fn words(&mut self, words: &str);
    /// Appends words with nothing to escape (no quote, backslash or control byte).
    fn safe(&mut self, words: &str);
    /// Appends a quote (escaped, in JSON).
    fn quote(&mut self);
    /// Appends `range` of `other`, a text of the same form.
    fn copy(&mut self, other: &Self, range: Range<usize>);
    /// Where the next words go: the length so far.
    fn end(&self) -> usize;
    fn truncate(&mut self, len: usize);
    fn with_capacity(capacity: usize) -> Self;
}

impl Text for String {
    fn words(&mut self, words: &str) {
        self.push_str(words);
    }
    fn safe(&mut self, words: &str) {
        self.push_str(words);
    }
    fn quote(&mut self) {
        self.push('"');
    }
    fn copy(&mut self, other: &Self, range: Range<usize>) {
        self.push_str(other.get(range).unwrap_or_default());
    }
    fn end(&self) -> usize {
        self.len()
    }
    fn truncate(&mut self, len: usize) {
        String::truncate(self, len);
    }
    fn with_capacity(capacity: usize) -> Self {
        String::with_capacity(capacity)
    }
}

impl Text for Escaped {
    fn words(&mut self, words: &str) {
        self.push_str(words);
    }
    fn safe(&mut self, words: &str) {
        debug_assert!(!words.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'));
        self.push_escaped(words.as_bytes());
    }
    fn quote(&mut self) {
        self.push_escaped(b"\\\"");
    }
    fn copy(&mut self, other: &Self, range: Range<usize>) {
        self.push_escaped(other.as_bytes().get(range).unwrap_or_default());
    }
    fn end(&self) -> usize {
        self.len()
    }
    fn truncate(&mut self, len: usize) {
        Escaped::truncate(self, len);
    }
    fn with_capacity(capacity: usize) -> Self {
        Escaped::with_capacity(capacity)
    }
}
