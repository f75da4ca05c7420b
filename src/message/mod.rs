//! A rejection in Pod Security Admission's words: `violates PodSecurity "level:version":
//! reason (detail), reason...`, then our control's sentence, both within one budget; and
//! the same words for the modes that only warn or audit (`would violate ...`). The modes
//! write their messages straight into JSON ([`Escaped`]), each violation escaped once for
//! every mode that lists it ([`Entries`]).
//!
//! Here: the message and its sentences (this file), what it is written into ([`text`]:
//! plain text or JSON) and the violations escaped once ([`entries`]).

mod entries;
#[cfg(test)]
mod tests;
mod text;

pub use entries::Entries;
pub use text::Text;

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
        entries: &Entries,
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
        let mut own: Vec<Violation> = entries.listed(list).cloned().collect();
        controls::bound(&mut own);
        let (standard, ours) = own.split_at(standard.len().min(own.len()));
        let mut plain = String::new();
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
                plain.clear();
                entry(&mut plain, v);
                out.words(&plain);
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

/// One violation as `describe` writes it: `reason (detail)`, or `reason`.
pub(crate) fn entry(out: &mut String, v: &Violation) {
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
