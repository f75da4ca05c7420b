//! The bound on a message's details: every reason stays, details are cut to fit.

use super::Violation;

/// Bytes of all the violations of one evaluation, written `reason (detail), ...`: the
/// reasons always stay; a detail past the budget is cut with `...`, or dropped. With the
/// bounds on lists and values (see `wording`), a whole rejection stays under 4 KiB.
pub const MAX_DETAILS_BYTES: usize = 3072;

/// Keeps the details of one evaluation's violations within [`MAX_DETAILS_BYTES`].
pub(crate) fn bound(violations: &mut [Violation]) {
    fit(violations, MAX_DETAILS_BYTES);
}

/// Keeps `violations` within `budget` bytes, counted as `describe` joins them
/// (`reason (detail), ...`): every reason stays; details are kept in order while they fit,
/// one that does not is cut with `...`, or dropped when not even 32 bytes of it would fit.
pub(super) fn fit(violations: &mut [Violation], budget: usize) {
    let reasons: usize = violations.iter().map(|v| v.reason.len() + ", ".len()).sum();
    let mut room = budget.saturating_sub(reasons);
    for v in violations {
        let needed = v.detail.len() + " ()".len();
        if needed <= room {
            room -= needed;
            continue;
        }
        if room < 32 + " ()".len() {
            v.detail.clear();
        } else {
            let keep = room - " ()".len() - "...".len();
            let kept = crate::bounds::clip(&v.detail, keep).0.len();
            v.detail.truncate(kept);
            v.detail.push_str("...");
        }
        if !v.detail.is_empty() {
            room -= v.detail.len() + " ()".len();
        }
    }
}
