//! How much of the request's own text a message may repeat: the caps that keep a hostile
//! pod's rejection short, and the cut that marks what was left out.

use std::borrow::Cow;

/// Items of one list shown before the rest are only counted.
pub const MAX_LIST_ITEMS: usize = 10;
/// Bytes of one list's shown items past which further items are only counted (the first
/// item is always shown).
pub const MAX_LIST_BYTES: usize = 1024;
/// Bytes of one value (a name, a type, a host, an annotation) shown before it is cut.
pub const MAX_VALUE_BYTES: usize = 256;

/// `s` cut to at most `max` bytes at a character boundary, and how many bytes were cut.
pub fn clip(s: &str, max: usize) -> (&str, usize) {
    if s.len() <= max {
        return (s, 0);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    (&s[..end], s.len() - end)
}

/// `s` whole when it is short, else its first `max` bytes and `...(N more bytes)`.
pub fn clip_text(s: &str, max: usize) -> Cow<'_, str> {
    match clip(s, max) {
        (shown, 0) => Cow::Borrowed(shown),
        (shown, cut) => Cow::Owned(format!("{shown}...({cut} more bytes)")),
    }
}
