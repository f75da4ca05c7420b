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

use std::fmt;

use crate::pod::Str;

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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `word` that ends a run of plain string bytes: a quote, a
/// backslash or a control byte. Flags above the lowest may be false; the lowest is exact.
#[inline(always)]
fn string_stops(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let zero_byte = |w: u64| w.wrapping_sub(ONES) & !w;
    (zero_byte(quote) | zero_byte(backslash) | (word.wrapping_sub(ONES * 0x20) & !word)) & HIGH
}

fn is_stop(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// The index of the first quote, backslash or control byte of `bytes` at or after `i`:
/// where a string's plain run ends, read or written.
#[inline(always)]
fn find_stop(bytes: &[u8], mut i: usize) -> usize {
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
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut i = 0;
    loop {
        let stop = find_stop(bytes, i);
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
    out.push(b'"');
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
    fn string_at(&self, quote: usize) -> Result<(Str<'a>, usize)> {
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
    fn find_stop(&self, i: usize) -> usize {
        find_stop(self.text.as_bytes(), i)
    }

    /// The error for the byte at `stop` that ended a string's plain run: not a quote.
    #[cold]
    fn string_error(&self, stop: usize) -> Error {
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
    fn unescape(&self, start: usize, mut stop: usize) -> Result<(String, usize)> {
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
    fn escape(&self, at: usize) -> Result<(char, usize)> {
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
    fn hex4(&self, at: usize) -> Result<u32> {
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
    fn skip_str(&mut self) -> Result<()> {
        self.pos = self.string_end(self.pos)?;
        Ok(())
    }

    /// The index just past the string whose opening quote is at `quote`.
    #[inline(always)]
    fn string_end(&self, quote: usize) -> Result<usize> {
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

    /// Skips a number (at its first byte) after checking it against JSON's grammar;
    /// whether it is an integer (no fraction, no exponent).
    fn skip_number(&mut self) -> Result<bool> {
        let (end, integer) = self.number_end(self.pos)?;
        self.pos = end;
        Ok(integer)
    }

    /// The index just past the number that starts at `i`, and whether it is an integer.
    fn number_end(&self, mut i: usize) -> Result<(usize, bool)> {
        let bytes = self.text.as_bytes();
        let digits = |i: &mut usize| {
            let from = *i;
            while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > from
        };
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            None => return Err(self.eof("a number")),
            Some(_) => return Err(self.error_at(i, "invalid number")),
        }
        let mut integer = true;
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            integer = false;
            if !digits(&mut i) {
                return Err(self.error_at(i, "invalid number"));
            }
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            integer = false;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                return Err(self.error_at(i, "invalid number"));
            }
        }
        if bytes.get(i).is_some_and(u8::is_ascii_digit) {
            // A leading zero followed by digits.
            return Err(self.error_at(i, "invalid number"));
        }
        Ok((i, integer))
    }

    /// Opens an object: its keys come from [`Fields::next`].
    pub fn fields(&mut self, expected: &str) -> Result<Fields> {
        if self.peek() != Some(b'{') {
            return Err(self.invalid_type(expected));
        }
        self.pos += 1;
        Ok(Fields { first: true })
    }

    /// Reads an object, handing each key to `field`, which must read or skip its value.
    #[inline]
    pub fn object(
        &mut self,
        expected: &str,
        mut field: impl FnMut(&mut Self, Str<'a>) -> Result<()>,
    ) -> Result<()> {
        let mut fields = self.fields(expected)?;
        while let Some(key) = fields.next(self)? {
            field(self, key)?;
        }
        Ok(())
    }

    #[cold]
    fn not_a_key(&mut self) -> Error {
        match self.peek() {
            Some(b'}') => self.error("trailing comma"),
            Some(_) => self.error("key must be a string"),
            None => self.eof("an object"),
        }
    }

    /// Skips a string value, refusing anything else.
    pub fn skip_string(&mut self) -> Result<()> {
        if self.peek() != Some(b'"') {
            return Err(self.invalid_type("a string"));
        }
        self.skip_str()
    }

    /// Opens an array: whether another element follows comes from [`Elements::next`].
    pub fn elements(&mut self, expected: &str) -> Result<Elements> {
        if self.peek() != Some(b'[') {
            return Err(self.invalid_type(expected));
        }
        self.pos += 1;
        Ok(Elements { first: true })
    }

    /// Reads an array, calling `element` for each element, which must read or skip it.
    #[inline]
    pub fn array(
        &mut self,
        expected: &str,
        mut element: impl FnMut(&mut Self) -> Result<()>,
    ) -> Result<()> {
        let mut elements = self.elements(expected)?;
        while elements.next(self)? {
            element(self)?;
        }
        Ok(())
    }

    /// The error for a field that an object must have and lacks (at the object's end).
    #[cold]
    pub fn missing_field(&self, name: &str) -> Error {
        self.error(format!("missing field `{name}`"))
    }

    /// Fails with "duplicate field" if `bit` is already in `seen`: a field given twice is
    /// refused, since either copy could be the one another reader takes.
    #[inline]
    pub fn once(&mut self, seen: &mut u32, bit: u32, name: &str) -> Result<()> {
        if *seen & bit != 0 {
            self.peek();
            return Err(self.error(format!("duplicate field `{name}`")));
        }
        *seen |= bit;
        Ok(())
    }

    /// The next value's JSON text, checked and skipped.
    pub fn raw(&mut self) -> Result<&'a str> {
        self.peek();
        let start = self.pos;
        self.skip()?;
        Ok(&self.text[start..self.pos])
    }

    /// Skips the next value, checking that it is well-formed, at any depth (without
    /// recursion: a deeply nested value must not exhaust the stack).
    pub fn skip(&mut self) -> Result<()> {
        self.pos = self.value_end(self.pos)?;
        Ok(())
    }

    /// The index just past the value at or after `i`. A tight loop over local state: most
    /// of a request's bytes are skipped, not read.
    fn value_end(&self, mut i: usize) -> Result<usize> {
        let bytes = self.text.as_bytes();
        let mut open = Nesting::default();
        macro_rules! whitespace {
            () => {
                while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(i) {
                    i += 1;
                }
            };
        }
        // A key, its colon, and the whitespace before its value.
        macro_rules! key {
            () => {
                whitespace!();
                match bytes.get(i) {
                    Some(b'"') => i = self.string_end(i)?,
                    Some(b'}') => return Err(self.error_at(i, "trailing comma")),
                    Some(_) => return Err(self.error_at(i, "key must be a string")),
                    None => return Err(self.eof("an object")),
                }
                whitespace!();
                match bytes.get(i) {
                    Some(b':') => i += 1,
                    Some(_) => return Err(self.error_at(i, "expected `:`")),
                    None => return Err(self.eof("an object")),
                }
            };
        }
        'value: loop {
            whitespace!();
            match bytes.get(i) {
                Some(b'"') => i = self.string_end(i)?,
                Some(b'{') => {
                    i += 1;
                    whitespace!();
                    if bytes.get(i) == Some(&b'}') {
                        i += 1;
                    } else {
                        open.push(true);
                        key!();
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    i += 1;
                    whitespace!();
                    if bytes.get(i) == Some(&b']') {
                        i += 1;
                    } else {
                        open.push(false);
                        continue 'value;
                    }
                }
                Some(b't') => i = self.literal_end(i, b"true")?,
                Some(b'f') => i = self.literal_end(i, b"false")?,
                Some(b'n') => i = self.literal_end(i, b"null")?,
                Some(b'-' | b'0'..=b'9') => i = self.number_end(i)?.0,
                Some(_) => return Err(self.error_at(i, "expected value")),
                None => return Err(self.eof("a value")),
            }
            // A value is done: close what it ends, up to the next value to read.
            while let Some(in_object) = open.innermost() {
                whitespace!();
                match bytes.get(i) {
                    Some(b',') => {
                        i += 1;
                        if in_object {
                            key!();
                        }
                        continue 'value;
                    }
                    Some(b'}') if in_object => open.pop(),
                    Some(b']') if !in_object => open.pop(),
                    Some(_) if in_object => return Err(self.error_at(i, "expected `,` or `}`")),
                    Some(_) => return Err(self.error_at(i, "expected `,` or `]`")),
                    None => return Err(self.eof("a value")),
                }
                i += 1;
            }
            return Ok(i);
        }
    }
}

/// The keys of an object being read (see [`Reader::fields`]).
pub struct Fields {
    first: bool,
}

impl Fields {
    /// The next key, its colon read, or `None` past the object's end. The key's value must
    /// be read or skipped before the next key is asked for.
    #[inline(never)]
    pub fn next<'a>(&mut self, r: &mut Reader<'a>) -> Result<Option<Str<'a>>> {
        self.next_inline(r)
    }

    /// [`Self::next`], inlined into the caller: for the objects every request has many of
    /// (containers, security contexts, the pod spec), where the call itself cost a tenth of
    /// reading a pod. Elsewhere the module stays smaller without it.
    #[inline(always)]
    pub fn next_inline<'a>(&mut self, r: &mut Reader<'a>) -> Result<Option<Str<'a>>> {
        let bytes = r.text.as_bytes();
        let mut i = after_whitespace(bytes, r.pos);
        if std::mem::replace(&mut self.first, false) {
            if bytes.get(i) == Some(&b'}') {
                r.pos = i + 1;
                return Ok(None);
            }
        } else {
            match bytes.get(i) {
                Some(b',') => i = after_whitespace(bytes, i + 1),
                Some(b'}') => {
                    r.pos = i + 1;
                    return Ok(None);
                }
                Some(_) => return Err(r.error_at(i, "expected `,` or `}`")),
                None => return Err(r.eof("an object")),
            }
        }
        if bytes.get(i) != Some(&b'"') {
            r.pos = i;
            return Err(r.not_a_key());
        }
        let (key, end) = r.string_at(i)?;
        i = after_whitespace(bytes, end);
        match bytes.get(i) {
            Some(b':') => {
                r.pos = i + 1;
                Ok(Some(key))
            }
            Some(_) => Err(r.error_at(i, "expected `:`")),
            None => Err(r.eof("an object")),
        }
    }
}

/// The index of the first byte at or after `i` that is not JSON whitespace.
#[inline(always)]
fn after_whitespace(bytes: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(i) {
        i += 1;
    }
    i
}

/// The elements of an array being read (see [`Reader::elements`]).
pub struct Elements {
    first: bool,
}

impl Elements {
    /// Whether another element follows; it must be read or skipped before asking again.
    pub fn next(&mut self, r: &mut Reader) -> Result<bool> {
        if std::mem::replace(&mut self.first, false) {
            if r.peek() == Some(b']') {
                r.pos += 1;
                return Ok(false);
            }
            return Ok(true);
        }
        match r.peek() {
            Some(b',') => {
                r.pos += 1;
                Ok(true)
            }
            Some(b']') => {
                r.pos += 1;
                Ok(false)
            }
            Some(_) => Err(r.error("expected `,` or `]`")),
            None => Err(r.eof("a list")),
        }
    }
}

/// The objects and arrays open while skipping: a bit each, on the heap only past 64.
#[derive(Default)]
struct Nesting {
    depth: usize,
    bits: u64,
    deeper: Vec<bool>,
}

impl Nesting {
    fn push(&mut self, object: bool) {
        if self.depth < 64 {
            self.bits = (self.bits & !(1 << self.depth)) | (u64::from(object) << self.depth);
        } else {
            self.deeper.push(object);
        }
        self.depth += 1;
    }

    /// Whether the innermost open value is an object; `None` when nothing is open.
    fn innermost(&self) -> Option<bool> {
        match self.depth {
            0 => None,
            d if d <= 64 => Some(self.bits & (1 << (d - 1)) != 0),
            _ => self.deeper.last().copied(),
        }
    }

    fn pop(&mut self) {
        self.depth -= 1;
        if self.depth >= 64 {
            self.deeper.pop();
        }
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
mod tests {
    use super::*;

    fn skip(text: &str) -> Result<()> {
        Reader::read_all(text, Reader::skip)
    }

    #[test]
    fn an_error_is_one_word() {
        // The reason the error is boxed: results of reads stay as small as their values.
        assert_eq!(size_of::<Error>(), size_of::<usize>());
        assert_eq!(size_of::<Result<Option<bool>>>(), size_of::<usize>() * 2);
    }

    #[test]
    fn well_formed_json_is_skipped() {
        for ok in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "-12.5e+3",
            "1E9",
            r#""a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00""#,
            r#""\udc00""#,
            "{}",
            "[]",
            r#"{"a":[1,{"b":null},[]],"c":{}}"#,
            " { \"a\" : [ 1 , 2 ] } ",
            "\"日本語 ünïcode\"",
        ] {
            assert_eq!(skip(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn malformed_json_is_refused() {
        for bad in [
            "",
            "nul",
            "nulx",
            "01",
            "-",
            "1.",
            "1e",
            ".5",
            "+1",
            "[1,]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "{1:2}",
            "[1 2]",
            "[1}",
            r#"{"a":1]"#,
            "\"a\u{1}\"",
            r#""\x""#,
            r#""\u12""#,
            r#""abc"#,
            "[[[",
            "1 2",
            "'a'",
            "NaN",
        ] {
            assert!(skip(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn nesting_is_unbounded_when_skipped() {
        let deep = format!("{}0{}", "[{\"a\":".repeat(5000), "}]".repeat(5000));
        assert_eq!(skip(&deep), Ok(()));
        let unbalanced = format!("{}{}", "[".repeat(100), "]".repeat(99));
        assert!(skip(&unbalanced).is_err());
        let crossed = format!("{}{{\"a\":0]", "[".repeat(70));
        assert!(skip(&crossed).is_err());
    }

    #[test]
    fn strings_are_unescaped_and_borrowed_when_plain() {
        let read = |t| Reader::read_all(t, Reader::str);
        let plain = read(r#""a long plain string, longer than eight""#).unwrap();
        assert_eq!(plain, "a long plain string, longer than eight");
        assert_eq!(read(r#""x\u0041\n\ud83d\ude00y""#).unwrap(), "xA\n😀y");
        assert_eq!(read(r#""\\\"""#).unwrap(), "\\\"");
        for bad in [
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800\u0041""#,
            "\"a\tb\"",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        let e = read("5").unwrap_err();
        assert_eq!(e.message, "invalid type: integer `5`, expected a string");
        let e = Reader::read_all("{\"a\": \n \"yes\"}", |r| {
            r.object("an object", |r, _| r.opt_bool().map(drop))
        })
        .unwrap_err();
        assert_eq!(
            e.message,
            "invalid type: string \"yes\", expected a boolean"
        );
        assert_eq!((e.offset, e.line, e.column), (8, 2, 2));
    }

    #[test]
    fn every_stop_byte_is_found_at_every_position() {
        for len in 0..20 {
            for stop in ["\"", "\\", "\u{1f}", "\n"] {
                let text = format!("{}{stop}", "é".repeat(len / 2) + &"a".repeat(len % 2));
                let r = Reader::new(&text);
                assert_eq!(r.find_stop(0), text.len() - 1, "{text:?}");
            }
        }
    }

    #[test]
    fn integers_are_read_in_i64_range_only() {
        let read = |t| Reader::read_all(t, Reader::i64);
        assert_eq!(read("0"), Ok(0));
        assert_eq!(read("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(read("9223372036854775807"), Ok(i64::MAX));
        for bad in [
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999999",
            "-0",
            "1.0",
            "1e3",
            "01",
            "\"1\"",
            "true",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        assert_eq!(
            read("1.5").unwrap_err().message,
            "invalid type: floating point `1.5`, expected i64"
        );
    }

    #[test]
    fn errors_say_where() {
        let e = Reader::read_all("{\"a\":\n  tru}", |r| {
            r.object("an object", |r, _| r.skip())
        })
        .unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert_eq!(e.to_string(), "expected ident at line 2 column 3");
        let e = Reader::read_all("[] x", Reader::skip).unwrap_err();
        assert_eq!((e.offset, e.message.as_str()), (3, "trailing characters"));
    }

    #[test]
    fn fields_are_read_once_and_others_skipped() {
        let read = |t| {
            Reader::read_all(t, |r| {
                let (mut a, mut b) = (None, None);
                read_fields!(r, "an object", {
                    "a" => a = r.option(Reader::bool)?,
                    "b" => b = Some(r.str()?),
                })?;
                Ok((a, b.map(|s| s.to_string())))
            })
        };
        assert_eq!(
            read(r#"{"x":[{}],"a":true,"b":"y"}"#),
            Ok((Some(true), Some("y".to_owned())))
        );
        let e = read(r#"{"a":null,"a":false}"#).unwrap_err();
        assert_eq!(e.message, "duplicate field `a`");
        assert_eq!(e.offset, 14);
        assert!(read(r#"{"a":"yes"}"#).is_err());
        assert!(read("[true]").is_err());
    }

    mod against_serde_json {
        use super::*;
        use proptest::prelude::*;

        /// Pieces of JSON, well-formed or not, for texts that are mostly almost JSON.
        const PIECES: [&str; 34] = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"k\"",
            "\"\\u00e9\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud83d\\ude00\"",
            "\"a\\\"b\"",
            "\"\\x\"",
            "\"",
            "\\",
            "1",
            "-0",
            "0",
            "01",
            "1.5",
            "1e",
            "2E+3",
            "-",
            "true",
            "tru",
            "null",
            "false",
            " ",
            "\n",
            "\"\u{1}\"",
            "é",
            "\"日本\"",
            "\"\\/\\b\"",
            "-9223372036854775809",
        ];

        fn pieces() -> impl Strategy<Value = String> {
            prop::collection::vec(prop::sample::select(&PIECES[..]), 0..16).prop_map(|p| p.concat())
        }

        /// Well-formed JSON built from the pieces, then (sometimes) one piece put in or cut.
        fn almost_json() -> impl Strategy<Value = String> {
            let leaf = prop::sample::select(vec![
                "0",
                "-0",
                "1.5",
                "2E+3",
                "true",
                "false",
                "null",
                "\"k\"",
                "\"\\ud800\"",
                "\"a\\\"b\"",
                "\"日本\"",
                "-9223372036854775808",
                "18446744073709551616",
            ])
            .prop_map(str::to_owned);
            let value = leaf.prop_recursive(4, 32, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4)
                        .prop_map(|v| format!("[{}]", v.join(","))),
                    prop::collection::vec(inner, 0..4).prop_map(|v| {
                        let fields: Vec<String> = v
                            .iter()
                            .enumerate()
                            .map(|(i, x)| format!("\"f{i}\":{x}"))
                            .collect();
                        format!("{{{}}}", fields.join(","))
                    }),
                ]
            });
            (
                value,
                any::<prop::sample::Index>(),
                prop::sample::select(&PIECES[..]),
                0..3u8,
            )
                .prop_map(|(text, at, piece, how)| {
                    let mut at = at.index(text.len() + 1);
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    match how {
                        0 => text,
                        1 => format!("{}{piece}{}", &text[..at], &text[at..]),
                        _ => {
                            let mut end = (at + piece.len()).min(text.len());
                            while !text.is_char_boundary(end) {
                                end -= 1;
                            }
                            format!("{}{}", &text[..at], &text[end..])
                        }
                    }
                })
        }

        fn texts() -> impl Strategy<Value = String> {
            prop_oneof![pieces(), almost_json()]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]

            #[test]
            fn accepts_exactly_the_json_serde_json_accepts(text in texts()) {
                let ours = Reader::read_all(&text, Reader::skip).is_ok();
                let theirs = serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok();
                prop_assert_eq!(ours, theirs, "{}", text);
                let raw = Reader::read_all(&text, Reader::raw).ok();
                let theirs = serde_json::from_str::<&serde_json::value::RawValue>(&text).ok();
                prop_assert_eq!(raw, theirs.map(|r| r.get()), "{}", text);
            }

            #[test]
            fn writes_strings_as_serde_json_does(text in any::<String>(), control in 0u8..0x20) {
                // Any text, and one with a control byte in it (rare in arbitrary strings).
                for text in [text.clone(), format!("{text}{}\"x", char::from(control))] {
                    let mut ours = Vec::new();
                    write_string(&mut ours, &text);
                    prop_assert_eq!(&ours, &serde_json::to_vec(&text).unwrap(), "{:?}", text);
                }
            }

            #[test]
            fn reads_strings_and_integers_as_serde_json_does(text in texts()) {
                let ours = Reader::read_all(&text, Reader::str).ok().map(|s| s.to_string());
                prop_assert_eq!(ours, serde_json::from_str::<String>(&text).ok(), "{}", text);
                let ours = Reader::read_all(&text, Reader::i64).ok();
                prop_assert_eq!(ours, serde_json::from_str::<i64>(&text).ok(), "{}", text);
                let ours = Reader::read_all(&text, Reader::opt_bool).ok();
                prop_assert_eq!(ours, serde_json::from_str::<Option<bool>>(&text).ok(), "{}", text);
                let ours = Reader::read_all(&text, Reader::opt_str).ok().map(|s| s.map(|s| s.to_string()));
                prop_assert_eq!(ours, serde_json::from_str::<Option<String>>(&text).ok(), "{}", text);
                let ours = Reader::read_all(&text, Reader::opt_i64).ok();
                prop_assert_eq!(ours, serde_json::from_str::<Option<i64>>(&text).ok(), "{}", text);
            }
        }
    }
}
