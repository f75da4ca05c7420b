//! A rejection in Pod Security Admission's words: `violates PodSecurity "level:version":
//! reason (detail), reason...`, then our control's sentence, both within one budget; and
//! the same words for the modes that only warn or audit (`would violate ...`).

use crate::controls::{self, Violation};
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
pub struct Message {
    pub text: String,
    standard: std::ops::Range<usize>,
    ours: std::ops::Range<usize>,
}

impl Message {
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
    pub fn reworded(&self, mode: LevelVersion, would: bool) -> Message {
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

/// `reason (detail), reason, ...` as Pod Security Admission joins its check results.
pub fn describe(out: &mut String, violations: &[Violation]) {
    for (i, v) in violations.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(v.reason);
        if !v.detail.is_empty() {
            out.push_str(" (");
            out.push_str(&v.detail);
            out.push(')');
        }
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
}
