//! Objects and arrays: reading their keys and elements, and skipping any value whole.

use super::{Error, Reader, Result, Str};

impl<'a> Reader<'a> {
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
    pub(super) fn not_a_key(&mut self) -> Error {
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

    /// [`raw`](Self::raw), recognizing `known` (an object or array read before, whole) by
    /// its bytes alone: such a value ends where its own bytes say, so the same bytes are
    /// the same value, found without reading it again. policy-server sends a policy the
    /// same settings with every request.
    pub fn raw_or_known(&mut self, known: Option<&str>) -> Result<&'a str> {
        self.peek();
        let start = self.pos;
        let known = known.filter(|k| k.starts_with(['{', '[']));
        if let Some(same) = known.and_then(|k| self.text.get(start..start + k.len())) {
            if same_text(same, known.unwrap_or_default()) {
                self.pos = start + same.len();
                return Ok(same);
            }
        }
        self.raw()
    }

    /// Skips the next value, checking that it is well-formed, at any depth (without
    /// recursion: a deeply nested value must not exhaust the stack).
    pub fn skip(&mut self) -> Result<()> {
        self.pos = self.value_end(self.pos)?;
        Ok(())
    }

    /// The index just past the value at or after `i`. A tight loop over local state: most
    /// of a request's bytes are skipped, not read.
    pub(super) fn value_end(&self, mut i: usize) -> Result<usize> {
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
pub(super) fn after_whitespace(bytes: &[u8], mut i: usize) -> usize {
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
    pub(super) fn push(&mut self, object: bool) {
        if self.depth < 64 {
            self.bits = (self.bits & !(1 << self.depth)) | (u64::from(object) << self.depth);
        } else {
            self.deeper.push(object);
        }
        self.depth += 1;
    }

    /// Whether the innermost open value is an object; `None` when nothing is open.
    pub(super) fn innermost(&self) -> Option<bool> {
        match self.depth {
            0 => None,
            d if d <= 64 => Some(self.bits & (1 << (d - 1)) != 0),
            _ => self.deeper.last().copied(),
        }
    }

    pub(super) fn pop(&mut self) {
        self.depth -= 1;
        if self.depth >= 64 {
            self.deeper.pop();
        }
    }
}

/// Whether two texts are the same, compared eight bytes at a time: in the module a plain
/// comparison goes byte by byte, ten times the cost for a hundred bytes.
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or_default());
    x.by_ref().zip(y.by_ref()).all(|(p, q)| word(p) == word(q)) && x.remainder() == y.remainder()
}
