//! Judging a pod in every mode: each control revision in play runs once per request, a
//! mode no stricter than enforce is not judged again when enforce passes, and with
//! exclusions each mode is judged whole by the one loop (`exclusions::evaluate`). Each
//! violation is kept once however many modes find it, and each mode's message is written
//! straight into JSON from them (`message::Entries`).

use super::{LevelVersion, Policy};
use crate::controls::{read_only_root_filesystem, Violation, CONTROLS, CONTROL_COUNT};
use crate::exclusions::{self, Notes};
use crate::json::Escaped;
use crate::message::{Entries, Message};
use crate::pod::PodView;
use crate::settings::Settings;

/// What the modes make of a pod: each mode's message, in JSON.
#[derive(Debug, Default)]
pub struct ModesJudgement {
    /// The rejection message (`violates PodSecurity "..."`), `None` when enforce lets it through.
    pub enforce: Option<Escaped>,
    /// `would violate PodSecurity "...": ...` for the audit annotation.
    pub audit: Option<Escaped>,
    /// `would violate PodSecurity "...": ...` for the warning; only worked out when enforce
    /// lets the pod through, as PSA adds no warning to a request it refuses.
    pub warn: Option<Escaped>,
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
    let mut run = Runs {
        settings,
        pod,
        numbers: modes.map(LevelVersion::numbers),
        found: Vec::new(),
        lists: Default::default(),
        standard: [0; 3],
        at: [[0; CONTROL_COUNT]; 3],
        memo: [[(0, 0); MEMO]; CONTROL_COUNT],
        used: Notes::default(),
        ours: None,
    };
    let passed = !run.mode(ENFORCE, modes[ENFORCE]);
    if !(passed && implied_by_enforce(settings, policy.enforce, policy.audit)) {
        run.mode(AUDIT, modes[AUDIT]);
    }
    // PSA adds no warning to a request it refuses: warn is judged only for the others.
    if passed && !implied_by_enforce(settings, policy.enforce, policy.warn) {
        run.mode(WARN, modes[WARN]);
    }
    let [enforce, audit, warn] = run.messages(modes);
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

/// The checks of one request, across modes.
struct Runs<'s, 'p, 'a> {
    settings: &'s Settings,
    pod: &'p PodView<'a>,
    numbers: [&'static [u8; CONTROL_COUNT]; 3],
    /// Every violation found, in any mode, each once.
    found: Vec<Violation>,
    /// Each mode's violations in message order: where they are in `found`.
    lists: [Vec<u8>; 3],
    /// How many of each mode's list are the standard's (our control's follows them).
    standard: [usize; 3],
    /// Each mode's violation of each control: where it is in `found`, + 1 (0: none).
    at: [[u8; CONTROL_COUNT]; 3],
    /// Each control's check functions run (address; 0: none) and their violation's place
    /// in `found`, + 1 (0: none).
    memo: [[(usize, u8); MEMO]; CONTROL_COUNT],
    /// The exclusions in use, in any mode.
    used: Notes,
    /// Our control's violation, once run: its place in `found`, if any.
    ours: Option<Option<u8>>,
}

impl Runs<'_, '_, '_> {
    /// Judges mode `m`; whether it found anything.
    fn mode(&mut self, m: usize, mode: LevelVersion) -> bool {
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
            for v in outcome.violations {
                let i = self.keep(v);
                self.push(m, i);
            }
            self.standard[m] = outcome.standard;
            return !self.lists[m].is_empty();
        }
        for (c, control) in CONTROLS.iter().enumerate() {
            let n = self.numbers[m][c];
            if n == 0 {
                continue;
            }
            // The same revision in an earlier mode: the same result.
            if let Some(p) = (0..m).find(|&p| self.numbers[p][c] == n) {
                self.list(m, c, self.at[p][c]);
                continue;
            }
            let revision = &control.revisions[usize::from(n) - 1];
            let plain = !revision.relaxes(self.pod);
            let key = revision.check as usize;
            if plain {
                if let Some(&(_, found)) = self.memo[c].iter().find(|e| e.0 == key) {
                    self.list(m, c, found);
                    continue;
                }
            }
            // (A pod the revision is relaxed for is judged by the revision, which knows how;
            // only the plain check's result is shared by its function's address.)
            let found = match revision.check(self.pod) {
                Some(v) => self.keep(v) + 1,
                None => 0,
            };
            self.list(m, c, found);
            if plain {
                // Also under the baseline controls it replaces, which may share its check
                // (`procMount_restricted` runs `procMount`'s).
                let controls = revision.overrides.iter().map(|id| id.index());
                for k in std::iter::once(c).chain(controls) {
                    let memo = self.memo.get_mut(k).into_iter().flatten();
                    if let Some(free) = memo.into_iter().find(|e| e.0 == 0 || e.0 == key) {
                        *free = (key, found);
                    }
                }
            }
        }
        self.standard[m] = self.lists[m].len();
        if self.settings.require_read_only_root_filesystem {
            if self.ours.is_none() {
                let v = read_only_root_filesystem::check(self.pod);
                self.ours = Some(v.map(|v| self.keep(v)));
            }
            if let Some(Some(i)) = self.ours {
                self.push(m, i);
            }
        }
        !self.lists[m].is_empty()
    }

    /// Keeps a violation found; its place in `found`.
    fn keep(&mut self, v: Violation) -> u8 {
        // Room for every control at once: most pods have none, a pod with one has several.
        if self.found.capacity() == 0 {
            self.found.reserve(CONTROL_COUNT + 1);
        }
        self.found.push(v);
        // At most one violation per control and mode, so far fewer than 255.
        (self.found.len() - 1) as u8
    }

    /// Mode `m`'s result for control `c` is the violation at `found` (+ 1; 0: none).
    fn list(&mut self, m: usize, c: usize, found: u8) {
        self.at[m][c] = found;
        if found > 0 {
            self.push(m, found - 1);
        }
    }

    /// Adds the violation at `i` in `found` to mode `m`'s list.
    fn push(&mut self, m: usize, i: u8) {
        if self.lists[m].capacity() == 0 {
            self.lists[m].reserve(CONTROL_COUNT + 1);
        }
        self.lists[m].push(i);
    }

    /// Each mode's message, in JSON: a mode that lists the very violations an earlier
    /// mode listed rewords that mode's message.
    fn messages(&self, modes: [LevelVersion; 3]) -> [Option<Escaped>; 3] {
        let mut messages: [Option<Message<Escaped>>; 3] = Default::default();
        if self.found.is_empty() {
            return messages.map(|_| None);
        }
        let entries = Entries::new(&self.found);
        for m in [ENFORCE, AUDIT, WARN] {
            let list = &self.lists[m];
            if list.is_empty() {
                continue;
            }
            let would = m != ENFORCE;
            let same = (0..m).find(|&p| &self.lists[p] == list && messages[p].is_some());
            messages[m] = Some(match same.and_then(|p| messages[p].as_ref()) {
                Some(earlier) => earlier.reworded(modes[m], would),
                None => Message::describe_listed(modes[m], &entries, list, self.standard[m], would),
            });
        }
        messages.map(|m| m.map(|m| m.text))
    }
}
