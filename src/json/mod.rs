//! A strict JSON reader for the parts of a request this policy reads.
//!
//! The request is read in one pass: the fields a control needs are read as they come, and
//! everything else is checked for well-formedness and skipped. The reader accepts the JSON
//! that serde_json accepts (RFC 8259: no comments, no trailing commas, no control bytes in
//! strings, no leading zeros), and refuses a value of the wrong type, never defaulting it.
//!
//! Why not serde's derive: with serde_json, reading a 2 KB pod cost twice the scan of its
//! bytes, most of it in per-field glue and in a string scan of 4 bytes per step (`usize` is
//! 32 bits on wasm32). Here strings are scanned 8 bytes at a time, and a field is one
//! comparison of its key.
//!
//! The reader is in parts: this file (errors, the cursor, values), [`string`] (strings,
//! scanned 8 bytes at a time), [`number`], [`structure`] (objects, arrays, skipping), [`str`](mod@str)
//! (the text a string reads as) and [`path`] (where in a text an error is). The writing
//! side is small: [`write_string`] and [`Escaped`], text escaped once and copied after.

use std::fmt;

use structure::after_whitespace;

mod escaped;
mod number;
pub mod path;
mod str;
mod string;
mod structure;

pub use self::escaped::Escaped;
pub use self::str::Str;
pub use string::{escape_into, escape_marking, write_string};
pub use structure::{same_text, Elements, Fields};

/// Why a JSON text could not be read, and where. Boxed: every read returns a `Result`, and
/// a one-word error keeps those results small on the path where nothing fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorAt>);

impl std::ops::Deref for Error {
    type Target = ErrorAt;
    fn deref(&self) -> &ErrorAt {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAt {
    /// The byte at which reading stopped: the start of the offending value, or the byte
    /// that broke the syntax.
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A cursor over a JSON text.
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader { text, pos: 0 }
    }

    /// Reads a whole text with `read`: nothing but whitespace may follow the value.
    pub fn read_all<T>(text: &'a str, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let mut reader = Reader::new(text);
        let value = read(&mut reader)?;
        match reader.peek() {
            None => Ok(value),
            Some(_) => Err(reader.error("trailing characters")),
        }
    }

    /// Skips whitespace and returns the next byte, if any.
    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        self.pos = after_whitespace(bytes, self.pos);
        bytes.get(self.pos).copied()
    }

    #[cold]
    #[inline(never)]
    fn error_at(&self, offset: usize, message: impl Into<String>) -> Error {
        let before = &self.text.as_bytes()[..offset.min(self.text.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        Error(Box::new(ErrorAt {
            offset,
            line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
            column: 1 + offset - line_start,
            message: message.into(),
        }))
    }

    #[cold]
    fn error(&self, message: impl Into<String>) -> Error {
        self.error_at(self.pos, message)
    }

    #[cold]
    fn eof(&self, what: &str) -> Error {
        self.error_at(self.text.len(), format!("EOF while parsing {what}"))
    }

    /// The error for a value that is not what `expected` says, naming what it is.
    #[cold]
    #[inline(never)]
    fn invalid_type(&mut self, expected: &str) -> Error {
        let next = self.peek();
        // After the whitespace: the message quotes the value, and the offset is its start.
        let start = self.pos;
        let found = match next {
            None => return self.eof("a value"),
            Some(b'"') => match self.skip_str() {
                Ok(()) => format!("string {}", &self.text[start..self.pos]),
                Err(e) => return e,
            },
            Some(b't') => "boolean `true`".to_owned(),
            Some(b'f') => "boolean `false`".to_owned(),
            Some(b'n') => "null".to_owned(),
            Some(b'{') => "map".to_owned(),
            Some(b'[') => "sequence".to_owned(),
            Some(b'-' | b'0'..=b'9') => match self.skip_number() {
                Ok(true) => format!("integer `{}`", &self.text[start..self.pos]),
                Ok(false) => format!("floating point `{}`", &self.text[start..self.pos]),
                Err(e) => return e,
            },
            Some(_) => return self.error("expected value"),
        };
        self.error_at(start, format!("invalid type: {found}, expected {expected}"))
    }

    /// Consumes `word` (a literal) or fails.
    fn literal(&mut self, word: &[u8]) -> Result<()> {
        self.pos = self.literal_end(self.pos, word)?;
        Ok(())
    }

    /// The index just past `word` at `i`, or an error if `word` is not there.
    fn literal_end(&self, i: usize, word: &[u8]) -> Result<usize> {
        let rest = &self.text.as_bytes()[i.min(self.text.len())..];
        if rest.starts_with(word) {
            Ok(i + word.len())
        } else if word.starts_with(rest) {
            Err(self.eof("a value"))
        } else {
            Err(self.error_at(i, "expected ident"))
        }
    }

    /// Consumes a `null` if one is next.
    #[inline(always)]
    pub fn null(&mut self) -> Result<bool> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// `null` is `None`; anything else must be what `read` reads.
    #[inline(always)]
    pub fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.null()? {
            Ok(None)
        } else {
            read(self).map(Some)
        }
    }

    /// `null` is the empty value, as in Kubernetes' Go types.
    #[inline(always)]
    pub fn or_default<T: Default>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        Ok(self.option(read)?.unwrap_or_default())
    }

    /// `null` or a string (one function, called from every optional string field).
    #[inline(never)]
    pub fn opt_str(&mut self) -> Result<Option<Str<'a>>> {
        let i = after_whitespace(self.text.as_bytes(), self.pos);
        if self.text.as_bytes().get(i) == Some(&b'"') {
            let (string, end) = self.string_at(i)?;
            self.pos = end;
            return Ok(Some(string));
        }
        self.option(Reader::str)
    }

    /// `null` or a boolean.
    #[inline(never)]
    pub fn opt_bool(&mut self) -> Result<Option<bool>> {
        let i = after_whitespace(self.text.as_bytes(), self.pos);
        let value = match self.text.as_bytes().get(i..) {
            Some([b't', b'r', b'u', b'e', ..]) => Some(true),
            Some([b'f', b'a', b'l', b's', b'e', ..]) => Some(false),
            Some([b'n', b'u', b'l', b'l', ..]) => None,
            // Not a boolean: the general path says what it is.
            _ => return self.option(Reader::bool),
        };
        self.pos = i + if value == Some(false) { 5 } else { 4 };
        Ok(value)
    }

    /// `null` or an integer in i64's range.
    #[inline(never)]
    pub fn opt_i64(&mut self) -> Result<Option<i64>> {
        self.option(Reader::i64)
    }

    pub fn bool(&mut self) -> Result<bool> {
        match self.peek() {
            Some(b't') => self.literal(b"true").map(|()| true),
            Some(b'f') => self.literal(b"false").map(|()| false),
            _ => Err(self.invalid_type("a boolean")),
        }
    }

    /// An integer in i64's range, written without a fraction or an exponent.
    pub fn i64(&mut self) -> Result<i64> {
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(self.invalid_type("i64"));
        }
        let start = self.pos;
        let integer = self.skip_number()?;
        let digits = &self.text.as_bytes()[start..self.pos];
        let (negative, digits) = match digits.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, digits),
        };
        let magnitude = integer
            .then(|| {
                digits.iter().try_fold(0u64, |m, &d| {
                    m.checked_mul(10)?
                        .checked_add(u64::from(d.wrapping_sub(b'0')))
                })
            })
            .flatten();
        // `-0` is a float to serde_json, as is an integer beyond 64 bits.
        let value = match magnitude {
            Some(m) if negative && m > 0 => 0i64.checked_sub_unsigned(m),
            Some(m) if !negative => i64::try_from(m).ok(),
            _ => None,
        };
        value.ok_or_else(|| {
            self.pos = start;
            self.invalid_type("i64")
        })
    }
}

/// Reads an object's fields into place: each listed key is read with its expression and
/// refused if given twice; every other key is skipped.
macro_rules! read_fields {
    // `hot`: the keys are read inline (see `Fields::next_inline`).
    ($r:ident, $expected:expr, hot, { $($name:literal => $read:expr,)* }) => {
        $crate::json::read_fields!(@next_inline, $r, $expected, { $($name => $read,)* })
    };
    ($r:ident, $expected:expr, { $($name:literal => $read:expr,)* }) => {
        $crate::json::read_fields!(@next, $r, $expected, { $($name => $read,)* })
    };
    (@$next:ident, $r:ident, $expected:expr, { $($name:literal => $read:expr,)* }) => {{
        let mut seen: u32 = 0;
        let mut fields = $r.fields($expected)?;
        'fields: while let Some(key) = fields.$next($r)? {
            let mut bit = 1u32;
            $(
                if &*key == $name {
                    $r.once(&mut seen, bit, $name)?;
                    $read;
                    continue 'fields;
                }
                bit <<= 1;
            )*
            let _ = bit;
            $r.skip()?;
        }
        $crate::json::Result::Ok(())
    }};
}
pub(crate) use read_fields;

#[cfg(test)]
mod tests;
