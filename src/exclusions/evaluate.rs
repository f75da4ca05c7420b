//! The one evaluation loop: the controls in force at a level and version, judged on the pod
//! with the exclusions applied (and the baseline floor under a forgiven restricted control),
//! then our control. A rejection, a namespace's pods, the unit tests and, when there are
//! exclusions, each mode (`src/modes/judge.rs`) run it; without exclusions the modes share
//! each check's result between modes instead.

use super::floor::floor;
use super::forgive::forgive;
use super::{Exclusion, Notes};
use crate::controls::{
    self, Control, Level, Revision, Violation, CONTROLS, CONTROL_COUNT, READ_ONLY_ROOT_FILESYSTEM,
};
use crate::pod::PodView;

/// What [`evaluate`] found: the violations that remain, and one note per exclusion in use.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The standard's violations in message order, then our control's.
    pub violations: Vec<Violation>,
    /// How many of `violations` are the standard's (our control's follows them).
    pub standard: usize,
    /// `control "capabilities_restricted" excluded for init container "istio-init" (NET_ADMIN)`
    pub used: Notes,
    /// The place in `CONTROLS` of the control behind each violation (`CONTROL_COUNT`: ours),
    /// so that a baseline floor goes where that control's violation would be.
    places: [u8; PLACES],
}

/// A place for each control of the standard, and ours.
const PLACES: usize = CONTROL_COUNT + 1;

impl Outcome {
    /// Adds the violation, if any, of the control at `place`, after the others.
    fn add(&mut self, place: usize, violation: Option<Violation>) {
        if let Some(violation) = violation {
            let at = self.violations.len();
            self.insert(at, place, violation);
        }
    }

    /// Adds the violation of the control at `place` at `at` in the list. Room for one per
    /// control is made at the first, so a pod that fails many controls does not regrow the
    /// list; a detail is trimmed to its length (in place), so that the next one starts right
    /// after it and a rejection stays within fewer fresh pages (each a page fault on a fresh
    /// instance).
    fn insert(&mut self, at: usize, place: usize, mut violation: Violation) {
        violation.detail.shrink_to_fit();
        if self.violations.capacity() == 0 {
            self.violations.reserve_exact(PLACES);
        }
        self.violations.insert(at, violation);
        let len = self.violations.len().min(PLACES);
        if at < len {
            self.places.copy_within(at..len - 1, at + 1);
            self.places[at] = place as u8;
        }
    }
}

/// Runs one control on the pod as the exclusions leave it, adding its violation (if any)
/// as the control at `place`. Without exclusions for the control this is exactly
/// `revision.check(pod)`. Returns whether the control refused the pod and exclusions were
/// consulted: what they forgave may be refused by a baseline control the control replaces
/// (see [`floor`]).
fn check_control(
    place: usize,
    control: &Control,
    revision: &Revision,
    pod: &PodView,
    exclusions: &[Exclusion],
    outcome: &mut Outcome,
) -> bool {
    let mine: Vec<&Exclusion> = exclusions
        .iter()
        .filter(|e| e.control == control.id)
        .collect();
    if mine.is_empty() {
        outcome.add(place, revision.check(pod));
        return false;
    }
    let original = revision.check(pod);
    if original.is_none() {
        return false;
    }
    if mine.iter().any(|e| e.disables_control()) {
        outcome
            .used
            .push(|| format!("control {:?} disabled for every pod", control.id.as_str()));
        return true;
    }
    let mut view = pod.clone();
    let mut notes = Notes::default();
    for exclusion in &mine {
        forgive(control, exclusion, &mut view, &mut notes);
    }
    let remaining = revision.check(&view);
    if remaining != original {
        outcome.used.extend(notes);
    }
    outcome.add(place, remaining);
    true
}

/// The one evaluation loop: every violation at `level` and `v1.<minor>` with `exclusions`
/// applied, in message order, then our control's when `ours` (`requireReadOnlyRootFilesystem`).
/// What `earlier` knows already is not run again. The details are not bounded yet: the
/// caller bounds them together (see `controls::bound`).
pub fn evaluate(
    level: Level,
    minor: u32,
    pod: &PodView,
    exclusions: &[Exclusion],
    ours: bool,
) -> Outcome {
    let mut outcome = Outcome::default();
    let run = |place, control, revision, outcome: &mut Outcome| {
        check_control(place, control, revision, pod, exclusions, outcome)
    };
    for (place, control, revision) in controls::indexed_checks_at(level, minor) {
        if !run(place, control, revision, &mut outcome) {
            continue;
        }
        for id in revision.overrides {
            let replaced_place = id.index();
            let Some(replaced) = CONTROLS.get(replaced_place) else {
                continue;
            };
            let Some(replaced_revision) = replaced.revision_at(minor) else {
                continue;
            };
            let found = floor(
                replaced,
                replaced_revision,
                control,
                pod,
                exclusions,
                &mut outcome.used,
            );
            if let Some(violation) = found {
                let known = outcome.violations.len().min(PLACES);
                let at = (outcome.places[..known].iter())
                    .position(|&p| usize::from(p) > replaced_place)
                    .unwrap_or(outcome.violations.len());
                outcome.insert(at, replaced_place, violation);
            }
        }
    }
    outcome.standard = outcome.violations.len();
    if ours {
        let control = &READ_ONLY_ROOT_FILESYSTEM;
        if let Some(revision) = control.revision_at(minor) {
            run(CONTROL_COUNT, control, revision, &mut outcome);
        }
    }
    outcome
}
