//! A mode's message in PSA's words, and the same violations reworded for another mode.

use super::LevelVersion;
use crate::controls::{self, Violation};
use crate::message::describe;

/// One mode's message, as the enforce mode has always written its rejection (see
/// `verdict::judge_pod`): PSA's sentence for the standard's violations, then ours; `would`
/// for the modes that do not refuse, in PSA's words. Where each part's description lies is
/// kept, for another mode that finds the same violations.
pub(super) struct Message {
    pub(super) text: String,
    standard: std::ops::Range<usize>,
    ours: std::ops::Range<usize>,
}

impl Message {
    /// The message of `violations` (the standard's first `standard`, then ours, not empty).
    pub(super) fn describe(
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
        let mut message = Message {
            text: String::with_capacity(described + 112),
            standard: 0..0,
            ours: 0..0,
        };
        message.compose(mode, would, |out, part| match part {
            Part::Standard if !standard.is_empty() => describe(out, standard),
            Part::Ours if !ours.is_empty() => describe(out, ours),
            _ => {}
        });
        message
    }

    /// The same violations' message for another mode: only the words around them change.
    pub(super) fn reworded(&self, mode: LevelVersion, would: bool) -> Message {
        let mut message = Message {
            text: String::with_capacity(self.text.len() + 24),
            standard: 0..0,
            ours: 0..0,
        };
        message.compose(mode, would, |out, part| {
            let range = match part {
                Part::Standard => self.standard.clone(),
                Part::Ours => self.ours.clone(),
            };
            out.push_str(&self.text[range]);
        });
        message
    }

    /// Writes the sentences around each part's description (`write` adds nothing for a
    /// part without violations), noting where each description lies.
    fn compose(
        &mut self,
        mode: LevelVersion,
        would: bool,
        mut write: impl FnMut(&mut String, Part),
    ) {
        let verb = if would { "would violate " } else { "violates " };
        let text = &mut self.text;
        text.push_str(verb);
        text.push_str("PodSecurity \"");
        mode.push_to(text);
        text.push_str("\": ");
        let start = text.len();
        write(text, Part::Standard);
        self.standard = start..text.len();
        if self.standard.is_empty() {
            text.clear();
            self.standard = 0..0;
        }
        let at = text.len();
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(verb);
        text.push_str("requireReadOnlyRootFilesystem: ");
        let start = text.len();
        write(text, Part::Ours);
        self.ours = start..text.len();
        if self.ours.is_empty() {
            text.truncate(at);
            self.ours = at..at;
        }
    }
}

/// The two parts of a message: the standard's violations, then our control's.
#[derive(Clone, Copy)]
enum Part {
    Standard,
    Ours,
}
