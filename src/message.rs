//! A rejection in Pod Security Admission's words: `violates PodSecurity "level:version":
//! reason (detail), reason...`, then our control's sentence, both within one budget.

use crate::controls::{self, Violation};
use crate::settings::Settings;

/// The rejection message for `violations` (the standard's first `standard`, then our
/// control's), or `None` when there are none. Bounds the list first (see
/// `controls::bound`), so that the whole message stays bounded.
pub fn rejection_message(
    settings: &Settings,
    all: &mut [Violation],
    standard: usize,
) -> Option<String> {
    controls::bound(all);
    let (violations, ours) = all.split_at(standard);
    // One string for the whole message, sized once: `describe` writes each sentence into it.
    let mut message = String::new();
    if !all.is_empty() {
        let described: usize = (all.iter())
            .map(|v| v.reason.len() + v.detail.len() + ", ()".len())
            .sum();
        message.reserve(described + 96);
    }
    if !violations.is_empty() {
        message.push_str("violates PodSecurity \"");
        settings.push_level_version(&mut message);
        message.push_str("\": ");
        describe(&mut message, violations);
    }
    if !ours.is_empty() {
        if !message.is_empty() {
            message.push_str("; ");
        }
        message.push_str("violates requireReadOnlyRootFilesystem: ");
        describe(&mut message, ours);
    }
    (!message.is_empty()).then_some(message)
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
