//! Numbers, checked against JSON's grammar as serde_json checks them.

use super::{Reader, Result};

impl Reader<'_> {
    /// Skips a number (at its first byte) after checking it against JSON's grammar;
    /// whether it is an integer (no fraction, no exponent).
    pub(super) fn skip_number(&mut self) -> Result<bool> {
        let (end, integer) = self.number_end(self.pos)?;
        self.pos = end;
        Ok(integer)
    }

    /// The index just past the number that starts at `i`, and whether it is an integer.
    pub(super) fn number_end(&self, mut i: usize) -> Result<(usize, bool)> {
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
}
