//! The violations of one request escaped for JSON once, for every mode's message.

use std::ops::Range;

use super::{entry, Text};
use crate::controls::{self, Violation};
use crate::json::Escaped;

/// The violations of one request, each escaped for JSON once, all in one pass, in the
/// order found and joined as a message joins them: in the modes most messages share most
/// of their violations, often in runs that are copied whole.
pub struct Entries<'f> {
    found: &'f [Violation],
    /// `entry, entry, ...`, escaped.
    escaped: Escaped,
    /// Where each violation's entry begins and ends in `escaped`, two places a violation.
    marks: Vec<usize>,
}

impl<'f> Entries<'f> {
    pub fn new(found: &'f [Violation]) -> Entries<'f> {
        let size: usize = (found.iter())
            .map(|v| v.reason.len() + v.detail.len() + ", ()".len())
            .sum();
        let mut plain = String::with_capacity(size);
        let mut marks = Vec::with_capacity(2 * found.len());
        for (k, v) in found.iter().enumerate() {
            if k > 0 {
                plain.safe(", ");
            }
            marks.push(plain.len());
            entry(&mut plain, v);
            marks.push(plain.len());
        }
        let mut escaped = Escaped::with_capacity(size + size / 8);
        escaped.push_marking(&plain, &mut marks);
        Entries {
            found,
            escaped,
            marks,
        }
    }

    /// The violations `list` names.
    pub(super) fn listed<'l>(&'l self, list: &'l [u8]) -> impl Iterator<Item = &'f Violation> + 'l {
        list.iter().filter_map(|&i| self.found.get(usize::from(i)))
    }

    /// Where violation `i`'s entry is in `escaped`.
    fn span(&self, i: u8) -> Option<Range<usize>> {
        let at = 2 * usize::from(i);
        Some(*self.marks.get(at)?..*self.marks.get(at + 1)?)
    }

    /// Room for the entries `list` names, escaped, when they fit the budget as they are
    /// (`controls::bound` would cut nothing); `None` when they may not. An entry escaped is
    /// never shorter than in plain text, so this errs only towards `None`, where the
    /// message is bounded from its own copies.
    pub(super) fn fitting(&self, list: &[u8]) -> Option<usize> {
        // As `bound` counts: `, ` after each reason, ` ()` for each detail, even empty.
        let listed = list.iter().filter_map(|&i| self.span(i));
        let size: usize = listed.map(|s| s.len() + ", ".len() + " ()".len()).sum();
        (size <= controls::MAX_DETAILS_BYTES).then_some(size)
    }

    /// Appends the entries `ids` names, joined: a run of violations found one after the
    /// other is copied in one piece, with the separators between them.
    pub(super) fn write(&self, out: &mut Escaped, ids: &[u8]) {
        let mut k = 0;
        let mut joined = false;
        while let Some(&first) = ids.get(k) {
            let mut last = first;
            while ids
                .get(k + 1)
                .is_some_and(|&next| Some(next) == last.checked_add(1))
            {
                last += 1;
                k += 1;
            }
            let (Some(from), Some(to)) = (self.span(first), self.span(last)) else {
                return;
            };
            if joined {
                out.safe(", ");
            }
            out.copy(&self.escaped, from.start..to.end);
            joined = true;
            k += 1;
        }
    }
}
