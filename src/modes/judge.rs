//! Judging a pod in every mode: each control revision in play runs once per request, a
//! mode no stricter than enforce is not judged again when enforce passes, and with
//! exclusions each mode is judged whole by the one loop (`exclusions::evaluate`).

use super::{LevelVersion, Policy};
use crate::controls::{read_only_root_filesystem, Violation, CONTROLS, CONTROL_COUNT};
use crate::exclusions::{self, Notes};
use crate::message::Message;
use crate::pod::PodView;
use crate::settings::Settings;

/// What the modes make of a pod.
#[derive(Debug, Default)]
pub struct ModesJudgement {
    /// The rejection message (`violates PodSecurity "..."`), `None` when enforce lets it through.
    pub enforce: Option<String>,
    /// `would violate PodSecurity "...": ...` for the audit annotation.
    pub audit: Option<String>,
    /// `would violate PodSecurity "...": ...` for the warning; only worked out when enforce
    /// lets the pod through, as PSA adds no warning to a request it refuses.
    pub warn: Option<String>,
    /// One note per exclusion that forgave something, in any mode.
    pub exclusions_used: crate::exclusions::Notes,
}

/// The modes in the order PSA evaluates them: enforce, audit, warn.
const ENFORCE: usize = 0;
const AUDIT: usize = 1;
const WARN: usize = 2;

/// Judges a pod in every mode: each control revision that applies in some mode is run once
/// (and, without exclusions, each check function once for the pods it is not relaxed for:
/// most revisions differ only in what they relax), with the exclusions (which apply in
/// every mode), and our extra control once.
pub fn judge(settings: &Settings, policy: &Policy, pod: &PodView) -> ModesJudgement {
    let modes = [policy.enforce, policy.audit, policy.warn];
    let numbers = modes.map(LevelVersion::numbers);
    let mut run = Runs {
        settings,
        pod,
        numbers,
        lists: Default::default(),
        origins: [[0; CONTROL_COUNT + 1]; 3],
        at: [[0; CONTROL_COUNT]; 3],
        memo: [[(0, 0, 0); MEMO]; CONTROL_COUNT],
        used: Notes::default(),
        ours: None,
        messages: Default::default(),
    };
    let passed = !run.mode(ENFORCE, modes[ENFORCE], false);
    if !(passed && implied_by_enforce(settings, policy.enforce, policy.audit)) {
        run.mode(AUDIT, modes[AUDIT], true);
    }
    // PSA adds no warning to a request it refuses: warn is judged only for the others.
    if passed && !implied_by_enforce(settings, policy.enforce, policy.warn) {
        run.mode(WARN, modes[WARN], true);
    }
    // A mode has a message exactly when it found something.
    let [enforce, audit, warn] = run.messages.map(|m| m.map(|m| m.text));
    // A control with several revisions in play may note the same exclusion twice.
    let mut used = run.used;
    used.dedup();
    ModesJudgement {
        enforce,
        audit,
        warn,
        exclusions_used: used,
    }
}

/// Whether a mode must find nothing in a pod the enforce mode let through: a level no
/// stricter at the same version, since restricted never accepts what baseline refuses
/// (`Revision::check`; tests/properties.rs holds it for any pod at every version) and our
/// control is the same in every mode. Not with exclusions: they name one control, and a
/// restricted control forgiven does not forgive the baseline control it replaces.
fn implied_by_enforce(settings: &Settings, enforce: LevelVersion, other: LevelVersion) -> bool {
    settings.exclusions.is_empty()
        && enforce.checks_something()
        && other.level <= enforce.level
        && other.version.effective_minor() == enforce.version.effective_minor()
}

/// Room for each control's check functions run (one a mode at most).
const MEMO: usize = 3;

/// The origin of our control's violation (see `Runs::origins`).
const OURS: u16 = u16::MAX;

/// The checks of one request, across modes.
struct Runs<'s, 'p, 'a> {
    settings: &'s Settings,
    pod: &'p PodView<'a>,
    numbers: [&'static [u8; CONTROL_COUNT]; 3],
    /// Each mode's violations, in message order.
    lists: [Vec<Violation>; 3],
    /// Where each violation of each mode's list was found (mode << 8 | index; ours:
    /// [`OURS`]): two lists of the same origins are the same, told without comparing text.
    origins: [[u16; CONTROL_COUNT + 1]; 3],
    /// Where each mode's violation of each control is in its list (index + 1; 0: none).
    at: [[u8; CONTROL_COUNT]; 3],
    /// Each control's check functions run (address; 0: none), and where their result is:
    /// mode, index + 1.
    memo: [[(usize, u8, u8); MEMO]; CONTROL_COUNT],
    /// The exclusions in use, in any mode.
    used: Notes,
    /// Our control's result, once run.
    ours: Option<Option<Violation>>,
    /// Each mode's message, once described.
    messages: [Option<Message>; 3],
}

impl Runs<'_, '_, '_> {
    /// Judges mode `m` and words its message; whether it found anything.
    fn mode(&mut self, m: usize, mode: LevelVersion, would: bool) -> bool {
        if !mode.checks_something() {
            return false;
        }
        // With exclusions each mode is judged whole by the one loop: a forgiven restricted
        // control may bring back the baseline control it replaces, in that control's place.
        if !self.settings.exclusions.is_empty() {
            let outcome = exclusions::evaluate(
                mode.level,
                mode.version.effective_minor(),
                self.pod,
                &self.settings.exclusions,
                self.settings.require_read_only_root_filesystem,
            );
            self.used.merge(outcome.used);
            for (i, v) in outcome.violations.into_iter().enumerate() {
                if let Some(origin) = self.origins[m].get_mut(i) {
                    *origin = (m as u16) << 8 | i as u16;
                }
                self.lists[m].push(v);
            }
            return self.word(m, mode, outcome.standard, would);
        }
        for (c, control) in CONTROLS.iter().enumerate() {
            let n = self.numbers[m][c];
            if n == 0 {
                continue;
            }
            // The same revision in an earlier mode: the same result.
            if let Some(p) = (0..m).find(|&p| self.numbers[p][c] == n) {
                let found = self.at[p][c];
                self.copy(m, c, p, found);
                continue;
            }
            let revision = &control.revisions[usize::from(n) - 1];
            let plain = !revision.relaxes(self.pod);
            let key = revision.check as usize;
            if plain {
                if let Some(&(_, p, found)) = self.memo[c].iter().find(|e| e.0 == key) {
                    self.copy(m, c, usize::from(p), found);
                    continue;
                }
            }
            // (A pod the revision is relaxed for is judged by the revision, which knows how;
            // only the plain check's result is shared by its function's address.)
            let violation = revision.check(self.pod);
            if let Some(v) = violation {
                let origin = (m as u16) << 8 | self.lists[m].len() as u16;
                self.push(m, c, v, origin);
            }
            if plain {
                if let Some(free) = self.memo[c].iter_mut().find(|e| e.0 == 0) {
                    *free = (key, m as u8, self.at[m][c]);
                }
            }
        }
        let standard = self.lists[m].len();
        if self.settings.require_read_only_root_filesystem {
            if let Some(v) = self.ours() {
                self.origins[m][self.lists[m].len()] = OURS;
                self.lists[m].push(v);
            }
        }
        self.word(m, mode, standard, would)
    }

    /// Words mode `m`'s message from its list (the standard's first `standard`, then ours);
    /// whether it found anything.
    fn word(&mut self, m: usize, mode: LevelVersion, standard: usize, would: bool) -> bool {
        if self.lists[m].is_empty() {
            return false;
        }
        // What an earlier mode found, word for word: its message, reworded for this mode.
        let len = self.lists[m].len();
        let same = (0..m).find(|&p| {
            self.messages[p].is_some()
                && self.lists[p].len() == len
                && self.origins[p].get(..len) == self.origins[m].get(..len)
        });
        self.messages[m] = Some(match same.and_then(|p| self.messages[p].as_ref()) {
            Some(earlier) => earlier.reworded(mode, would),
            None => Message::describe(mode, &mut self.lists[m], standard, would),
        });
        true
    }

    /// Mode `m`'s result for control `c` is mode `p`'s at `found` (index + 1; 0: none).
    fn copy(&mut self, m: usize, c: usize, p: usize, found: u8) {
        if found == 0 {
            return;
        }
        let i = usize::from(found) - 1;
        if let Some(v) = self.lists[p].get(i).cloned() {
            self.push(m, c, v, self.origins[p][i]);
        }
    }

    /// Adds control `c`'s violation to mode `m`'s list.
    fn push(&mut self, m: usize, c: usize, v: Violation, origin: u16) {
        self.origins[m][self.lists[m].len()] = origin;
        self.lists[m].push(v);
        self.at[m][c] = self.lists[m].len() as u8;
    }

    /// Our control's violation, run once.
    fn ours(&mut self) -> Option<Violation> {
        if self.ours.is_none() {
            self.ours = Some(read_only_root_filesystem::check(self.pod));
        }
        self.ours.clone().flatten()
    }
}
