//! Strings: found 8 bytes at a time, unescaped only when they hold an escape, and written
//! back (for messages) exactly as serde_json writes them.

use super::{Error, Reader, Result, Str};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `word` that ends a run of plain string bytes: a quote, a
/// backslash or a control byte. Flags above the lowest may be false; the lowest is exact.
#[inline(always)]
pub(super) fn string_stops(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let zero_byte = |w: u64| w.wrapping_sub(ONES) & !w;
    (zero_byte(quote) | zero_byte(backslash) | (word.wrapping_sub(ONES * 0x20) & !word)) & HIGH
}

pub(super) fn is_stop(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// The index of the first quote, backslash or control byte of `bytes` at or after `i`:
/// where a string's plain run ends, read or written.
#[inline(always)]
pub(super) fn find_stop(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let stops = string_stops(u64::from_le_bytes(word));
        if stops != 0 {
            return i + (stops.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while bytes.get(i).is_some_and(|&b| !is_stop(b)) {
        i += 1;
    }
    i
}

/// Appends `text` to `out` as a JSON string, escaped as serde_json escapes it (so that a
/// response written here is byte for byte the one serde_json would write).
pub fn write_string(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    escape_into(out, text);
    out.push(b'"');
}

/// Appends `text` to `out` escaped as the inside of a JSON string, as [`write_string`]
/// writes it.
pub fn escape_into(out: &mut Vec<u8>, text: &str) {
    escape_marking(out, text, &mut []);
}

/// [`escape_into`], turning `marks` (places in `text`, ascending) into the places in `out`
/// where the same text begins: many pieces escaped in one pass, each found after.
pub fn escape_marking(out: &mut Vec<u8>, text: &str, marks: &mut [usize]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut marks = marks.iter_mut().peekable();
    loop {
        let stop = find_stop(bytes, i);
        // A plain run is copied as it is: a mark in it (or at its end) moves with it.
        let base = out.len();
        while let Some(mark) = marks.next_if(|m| **m <= stop) {
            *mark = base + mark.saturating_sub(i);
        }
        out.extend_from_slice(&bytes[i..stop]);
        let Some(&b) = bytes.get(stop) else { break };
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        i = stop + 1;
    }
}

impl<'a> Reader<'a> {
    /// A string, borrowed from the text unless it has escapes.
    #[inline]
    pub fn str(&mut self) -> Result<Str<'a>> {
        if self.peek() != Some(b'"') {
            return Err(self.invalid_type("a string"));
        }
        let (string, end) = self.string_at(self.pos)?;
        self.pos = end;
        Ok(string)
    }

    /// The string whose opening quote is at `quote`, and the index just past it.
    #[inline(always)]
    pub(super) fn string_at(&self, quote: usize) -> Result<(Str<'a>, usize)> {
        let start = quote + 1;
        let stop = self.find_stop(start);
        match self.text.as_bytes().get(stop) {
            Some(b'"') => Ok((Str::from(&self.text[start..stop]), stop + 1)),
            _ => self
                .unescape(start, stop)
                .map(|(string, end)| (Str::from(string), end)),
        }
    }

    /// The index of the first quote, backslash or control byte at or after `i`.
    #[inline(always)]
    pub(super) fn find_stop(&self, i: usize) -> usize {
        find_stop(self.text.as_bytes(), i)
    }

    /// The error for the byte at `stop` that ended a string's plain run: not a quote.
    #[cold]
    pub(super) fn string_error(&self, stop: usize) -> Error {
        match self.text.as_bytes().get(stop) {
            None => self.eof("a string"),
            _ => self.error_at(
                stop,
                "control character (\\u0000-\\u001F) found while parsing a string",
            ),
        }
    }

    /// Reads a string with escapes: `start` is its first byte, `stop` the first stop byte.
    #[inline(never)]
    pub(super) fn unescape(&self, start: usize, mut stop: usize) -> Result<(String, usize)> {
        let bytes = self.text.as_bytes();
        let mut out = String::with_capacity(stop - start + 16);
        out.push_str(&self.text[start..stop]);
        loop {
            match bytes.get(stop) {
                Some(b'"') => return Ok((out, stop + 1)),
                Some(b'\\') => {}
                _ => return Err(self.string_error(stop)),
            }
            let (ch, len) = self.escape(stop)?;
            out.push(ch);
            let next = stop + len;
            stop = self.find_stop(next);
            out.push_str(&self.text[next..stop]);
        }
    }

    /// The character of the escape at `at` (a backslash) and the escape's length.
    pub(super) fn escape(&self, at: usize) -> Result<(char, usize)> {
        let bytes = self.text.as_bytes();
        let simple = match bytes.get(at + 1) {
            None => return Err(self.eof("a string")),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let high = self.hex4(at + 2)?;
                if !(0xD800..0xE000).contains(&high) {
                    return Ok((char::from_u32(high).unwrap_or('\u{FFFD}'), 6));
                }
                // A surrogate must come as a leading half followed by a trailing one.
                let low = match (high < 0xDC00, bytes.get(at + 6..at + 8)) {
                    (true, Some(b"\\u")) => self.hex4(at + 8)?,
                    _ => return Err(self.error_at(at, "lone surrogate in hex escape")),
                };
                if !(0xDC00..0xE000).contains(&low) {
                    return Err(self.error_at(at, "lone surrogate in hex escape"));
                }
                let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return Ok((char::from_u32(code).unwrap_or('\u{FFFD}'), 12));
            }
            Some(_) => return Err(self.error_at(at + 1, "invalid escape")),
        };
        Ok((simple, 2))
    }

    /// The four hex digits at `at`.
    pub(super) fn hex4(&self, at: usize) -> Result<u32> {
        let Some(digits) = self.text.as_bytes().get(at..at + 4) else {
            return Err(self.eof("a string"));
        };
        let mut value = 0;
        for (i, &d) in digits.iter().enumerate() {
            let Some(v) = char::from(d).to_digit(16) else {
                return Err(self.error_at(at + i, "invalid escape"));
            };
            value = value * 16 + v;
        }
        Ok(value)
    }

    /// Skips a string (at its opening quote), checking its escapes.
    pub(super) fn skip_str(&mut self) -> Result<()> {
        self.pos = self.string_end(self.pos)?;
        Ok(())
    }

    /// The index just past the string whose opening quote is at `quote`.
    #[inline(always)]
    pub(super) fn string_end(&self, quote: usize) -> Result<usize> {
        let mut i = quote + 1;
        loop {
            i = self.find_stop(i);
            match self.text.as_bytes().get(i) {
                Some(b'"') => return Ok(i + 1),
                Some(b'\\') => {
                    // Skipped, an escape is only checked for form, as serde_json does: a
                    // lone surrogate is refused only in a string that is read.
                    i += match self.text.as_bytes().get(i + 1) {
                        Some(b'u') => self.hex4(i + 2).map(|_| 6)?,
                        _ => self.escape(i)?.1,
                    };
                }
                _ => return Err(self.string_error(i)),
            }
        }
    }
}
