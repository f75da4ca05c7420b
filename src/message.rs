//! A rejection in Pod Security Admission's words: `violates PodSecurity "level:version":
//! reason (detail), reason...`, then our control's sentence, both within one budget; and
//! the same words for the modes that only warn or audit (`would violate ...`). The modes
//! write their messages straight into JSON ([`Escaped`]), each violation escaped once for
//! every mode that lists it ([`Entries`]).

use std::ops::Range;

use crate::controls::{self, Violation};
use crate::json::Escaped;
use crate::modes::LevelVersion;
use crate::settings::Settings;

/// The rejection message for `violations` (the standard's first `standard`, then our
/// control's), or `None` when there are none. Bounds the list first (see
/// `controls::bound`), so that the whole message stays bounded.
pub fn rejection_message(
    settings: &Settings,
    all: &mut [Violation],
    standard: usize,
) -> Option<String> {
    if all.is_empty() {
        return None;
    }
    let enforced = LevelVersion {
        level: settings.level,
        version: settings.version,
    };
    Some(Message::describe(enforced, all, standard, false).text)
}

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

/// A mode's message: PSA's sentence for the standard's violations, then ours; `would` for
/// the modes that do not refuse, in PSA's words. Where each part's description lies is
/// kept, for another mode that finds the same violations (see `modes/judge.rs`).
pub struct Message<T = String> {
    pub text: T,
    standard: Range<usize>,
    ours: Range<usize>,
}

impl Message<String> {
    /// The message of `violations` (the standard's first `standard`, then ours, not empty).
    pub fn describe(
        mode: LevelVersion,
        violations: &mut [Violation],
        standard: usize,
        would: bool,
    ) -> Message {
        controls::bound(violations);
        let (standard, ours) = violations.split_at(standard);
        let described: usize = (violations.iter())
            .map(|v| v.reason.len() + v.detail.len() + ", ()".len())
            .sum();
        Message::compose(
            mode,
            would,
            described + 112,
            |out: &mut String, part| match part {
                Part::Standard => describe(out, standard),
                Part::Ours => describe(out, ours),
            },
        )
    }
}

impl Message<Escaped> {
    /// The message, in JSON, of the violations `list` names in `entries` (the standard's
    /// first `standard`, then ours, not empty), bounded as [`Message::describe`] bounds.
    pub fn describe_listed(
        mode: LevelVersion,
        entries: &mut Entries,
        list: &[u8],
        standard: usize,
        would: bool,
    ) -> Message<Escaped> {
        let (standard, ours) = list.split_at(standard.min(list.len()));
        if let Some(size) = entries.fitting(list) {
            return Message::compose(mode, would, size + 112, |out: &mut Escaped, part| {
                entries.write(
                    out,
                    if part == Part::Standard {
                        standard
                    } else {
                        ours
                    },
                );
            });
        }
        // Past the budget (a hostile pod): this mode's own copies, bounded.
        let found = entries.found;
        let listed = list.iter().filter_map(|&i| found.get(usize::from(i)));
        let mut own: Vec<Violation> = listed.cloned().collect();
        controls::bound(&mut own);
        let (standard, ours) = own.split_at(standard.len().min(own.len()));
        Message::compose(mode, would, 4096, |out: &mut Escaped, part| {
            let part = if part == Part::Standard {
                standard
            } else {
                ours
            };
            for (k, v) in part.iter().enumerate() {
                if k > 0 {
                    out.safe(", ");
                }
                entries.scratch.clear();
                entry(&mut entries.scratch, v);
                out.words(&entries.scratch);
            }
        })
    }
}

impl<T: Text> Message<T> {
    /// The same violations' message for another mode: only the words around them change.
    pub fn reworded(&self, mode: LevelVersion, would: bool) -> Message<T> {
        Message::compose(mode, would, self.text.end() + 24, |out: &mut T, part| {
            let range = match part {
                Part::Standard => self.standard.clone(),
                Part::Ours => self.ours.clone(),
            };
            out.copy(&self.text, range);
        })
    }

    /// Writes the sentences around each part's description (`write` adds nothing for a
    /// part without violations), noting where each description lies.
    fn compose(
        mode: LevelVersion,
        would: bool,
        capacity: usize,
        mut write: impl FnMut(&mut T, Part),
    ) -> Message<T> {
        let verb = if would { "would violate " } else { "violates " };
        let mut text = T::with_capacity(capacity);
        // The words around the violations have nothing to escape but two quotes.
        text.safe(verb);
        text.safe("PodSecurity ");
        text.quote();
        mode.write_to(&mut text);
        text.quote();
        text.safe(": ");
        let start = text.end();
        write(&mut text, Part::Standard);
        let mut standard = start..text.end();
        if standard.is_empty() {
            text.truncate(0);
            standard = 0..0;
        }
        let at = text.end();
        if at > 0 {
            text.safe("; ");
        }
        text.safe(verb);
        text.safe("requireReadOnlyRootFilesystem: ");
        let start = text.end();
        write(&mut text, Part::Ours);
        let mut ours = start..text.end();
        if ours.is_empty() {
            text.truncate(at);
            ours = at..at;
        }
        Message {
            text,
            standard,
            ours,
        }
    }
}

/// The two parts of a message: the standard's violations, then our control's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Standard,
    Ours,
}

/// The violations of one request, each escaped for JSON once, all in one pass, in the
/// order found and joined as a message joins them: in the modes most messages share most
/// of their violations, often in runs that are copied whole.
pub struct Entries<'f> {
    found: &'f [Violation],
    /// An entry in plain text (for a message past the budget).
    scratch: String,
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
            scratch: String::new(),
            escaped,
            marks,
        }
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
    fn fitting(&self, list: &[u8]) -> Option<usize> {
        // As `bound` counts: `, ` after each reason, ` ()` for each detail, even empty.
        let listed = list.iter().filter_map(|&i| self.span(i));
        let size: usize = listed.map(|s| s.len() + ", ".len() + " ()".len()).sum();
        (size <= controls::MAX_DETAILS_BYTES).then_some(size)
    }

    /// Appends the entries `ids` names, joined: a run of violations found one after the
    /// other is copied in one piece, with the separators between them.
    fn write(&self, out: &mut Escaped, ids: &[u8]) {
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

/// One violation as `describe` writes it: `reason (detail)`, or `reason`.
fn entry(out: &mut String, v: &Violation) {
    out.push_str(v.reason);
    if !v.detail.is_empty() {
        out.push_str(" (");
        out.push_str(&v.detail);
        out.push(')');
    }
}

/// `reason (detail), reason, ...` as Pod Security Admission joins its check results.
pub fn describe(out: &mut String, violations: &[Violation]) {
    for (i, v) in violations.iter().enumerate() {
        if i > 0 {
            out.safe(", ");
        }
        entry(out, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_joins_like_psa() {
        let v = vec![
            Violation::of("a").text("x"),
            Violation::of("b"),
            Violation::of("c").text("y"),
        ];
        let mut out = "start: ".to_owned();
        describe(&mut out, &v);
        assert_eq!(out, "start: a (x), b, c (y)");
    }

    /// The JSON message of any list is the plain message of the same violations, escaped:
    /// on either side of the budget, with quotes (escaped longer), empty details, runs and
    /// lists in another order.
    #[test]
    fn a_message_in_json_is_the_plain_message_escaped() {
        let mode = LevelVersion {
            level: crate::controls::Level::Restricted,
            version: crate::settings::PolicyVersion::Latest,
        };
        // Sixteen details of 170-190 bytes cross the budget a byte at a time.
        let sizes = [0, 1, 40, 400, 3000].into_iter().chain(150..=200);
        for (detail, quotes) in sizes.flat_map(|d| [(d, false), (d, true)]) {
            let found: Vec<Violation> = (0..19)
                .map(|k| match k % 4 {
                    0 => Violation::of("plain reason"),
                    1 if quotes => Violation::of("quoted").text(&"\"q\" ".repeat(detail / 4)),
                    _ => Violation::of("long").text(&"x".repeat(detail + k)),
                })
                .collect();
            let lists: [&[u8]; 5] = [
                &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
                &[0, 1, 2, 4, 16, 17, 18, 7, 8, 9, 11, 12, 13, 14, 15],
                &[18, 3, 2, 1],
                &[5],
                &[
                    0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 1, 3, 5, 7, 9, 11, 13, 15, 17,
                ],
            ];
            for list in lists {
                for standard in [0, 1, list.len()] {
                    let mut own: Vec<Violation> = list
                        .iter()
                        .map(|&i| found[usize::from(i)].clone())
                        .collect();
                    let plain = Message::describe(mode, &mut own, standard, true).text;
                    let mut entries = Entries::new(&found);
                    let json = Message::describe_listed(mode, &mut entries, list, standard, true);
                    let case = format!("{detail} {quotes} {list:?} {standard}");
                    assert_eq!(json.text.plain(), plain, "{case}");
                    let mut escaped = Escaped::default();
                    escaped.push_str(&plain);
                    assert_eq!(json.text, escaped, "{case}");
                }
            }
        }
    }

    #[test]
    fn frames_read_back_from_json() {
        let mode = LevelVersion {
            level: crate::controls::Level::Baseline,
            version: crate::settings::PolicyVersion::V1(25),
        };
        let v = vec![Violation::of("a").text(r#"container "x""#)];
        let plain = Message::describe(mode, &mut v.clone(), 1, true).text;
        let mut entries = Entries::new(&v);
        let json = Message::describe_listed(mode, &mut entries, &[0], 1, true).text;
        assert_eq!(json.plain(), plain);
        assert_eq!(
            plain,
            r#"would violate PodSecurity "baseline:v1.25": a (container "x")"#
        );
    }
}
