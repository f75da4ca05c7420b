//! The baseline floor: an exclusion of a restricted control does not forgive what the
//! baseline control it replaces refuses.

use super::forgive::forgive;
use super::{Exclusion, Notes};
use crate::controls::{Control, Revision, Violation};
use crate::pod::PodView;

/// The baseline floor under an exclusion of a restricted control: what `replaced` (a
/// baseline control that `control` replaces at this level and version) refuses in the parts
/// of the pod that `control`'s exclusions forgave, unless an exclusion names it too.
///
/// An exclusion forgives what it names. Values listed on an entry of the restricted control
/// are named, so they are forgiven at baseline as well (with the same selectors); a whole
/// container, or the whole control, is not a value: what baseline refuses there stays
/// refused, in baseline's words, unless an entry of `replaced` forgives it.
///
/// Only what the restricted control no longer reports is added: when what baseline refuses
/// is the same with `control`'s exclusions applied as without, the restricted control still
/// reports all of it (restricted refuses whatever baseline refuses), and nothing is added.
pub(super) fn floor(
    replaced: &Control,
    revision: &Revision,
    control: &Control,
    pod: &PodView,
    exclusions: &[Exclusion],
    used: &mut Notes,
) -> Option<Violation> {
    let mut unnoted = Notes::default();
    let mut named = pod.clone();
    for exclusion in exclusions
        .iter()
        .filter(|e| e.control == control.id && !e.values.is_empty())
    {
        forgive(replaced, exclusion, &mut named, &mut unnoted);
    }
    let refused = revision.check(&named)?;
    let own: Vec<&Exclusion> = exclusions
        .iter()
        .filter(|e| e.control == replaced.id)
        .collect();
    if own.iter().any(|e| e.disables_control()) {
        used.push(|| format!("control {:?} disabled for every pod", replaced.id.as_str()));
        return None;
    }
    let mut notes = Notes::default();
    for exclusion in &own {
        forgive(replaced, exclusion, &mut named, &mut notes);
    }
    let remaining = revision.check(&named);
    if remaining.as_ref() != Some(&refused) {
        used.extend(notes);
    }
    let remaining = remaining?;
    let mine = || exclusions.iter().filter(|e| e.control == control.id);
    if !mine().any(Exclusion::disables_control) {
        for exclusion in mine() {
            forgive(control, exclusion, &mut named, &mut unnoted);
        }
        if revision.check(&named).as_ref() == Some(&remaining) {
            return None;
        }
    }
    Some(remaining)
}
