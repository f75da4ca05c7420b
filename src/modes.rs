//! Pod Security Admission's three modes: `enforce` refuses, `warn` accepts with a warning,
//! `audit` accepts with an audit annotation. The settings' `level` and `version` are the
//! enforce mode; `warn` and `audit` are optional; each mode may be `privileged`, which
//! checks nothing, as long as some mode checks something.
//!
//! As in PSA (`admission.go`, `EvaluatePod`), a request is judged once for each distinct
//! level and version, and here finer still: a control's revision that two modes share is
//! run once, and a warning is worked out only for a request enforce lets through.

use kubewarden_policy_sdk::response::ValidationResponse;
use serde::Deserialize;

use crate::controls::{
    self, Level, Relaxed, Revision, Violation, CONTROLS, CONTROL_COUNT, NEWEST_KNOWN_MINOR,
    READ_ONLY_ROOT_FILESYSTEM,
};
use crate::exclusions::{self, Outcome};
use crate::pod::PodView;
use crate::request::{read_pod, Evaluation};
use crate::response_writer;
use crate::settings::{PolicyVersion, Settings, SettingsError};
use crate::verdict;

/// PSA's audit annotation naming the enforce mode's level and version
/// (`api.EnforcedPolicyAnnotationKey`). The API server prefixes each audit annotation with
/// the webhook's name: `<webhook>/enforce-policy`.
pub const ENFORCE_POLICY_ANNOTATION: &str = "enforce-policy";
/// PSA's audit annotation for a violation of the audit mode (`api.AuditViolationsAnnotationKey`).
pub const AUDIT_VIOLATIONS_ANNOTATION: &str = "audit-violations";
/// PSA's audit annotation for what went wrong (labels that cannot be parsed, a lookup).
pub const ERROR_ANNOTATION: &str = "error";

/// A level and a policy version, printed as PSA prints them: `restricted:latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelVersion {
    pub level: Level,
    pub version: PolicyVersion,
}

impl LevelVersion {
    /// A mode that checks nothing: PSA's default for a mode that is not configured.
    pub const PRIVILEGED: LevelVersion = LevelVersion {
        level: Level::Privileged,
        version: PolicyVersion::Latest,
    };

    pub fn checks_something(self) -> bool {
        self.level != Level::Privileged
    }

    /// Appends `level:version`.
    pub fn push_to(self, out: &mut String) {
        out.push_str(self.level.as_str());
        out.push(':');
        match self.version {
            PolicyVersion::Latest => out.push_str("latest"),
            pinned => {
                use std::fmt::Write;
                let _ = write!(out, "{pinned}");
            }
        }
    }

    /// Each control's revision number at this level and version (0: not checked).
    fn numbers(self) -> &'static [u8; CONTROL_COUNT] {
        controls::revision_numbers(self.level, self.version.effective_minor())
    }
}

impl std::fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        self.push_to(&mut out);
        f.write_str(&out)
    }
}

/// The three modes' levels and versions for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub enforce: LevelVersion,
    pub audit: LevelVersion,
    pub warn: LevelVersion,
}

impl Policy {
    /// The modes the settings name; an unset warn or audit mode is `privileged`.
    pub fn from_settings(settings: &Settings) -> Policy {
        Policy {
            enforce: LevelVersion {
                level: settings.level,
                version: settings.version,
            },
            audit: settings.audit.unwrap_or(LevelVersion::PRIVILEGED),
            warn: settings.warn.unwrap_or(LevelVersion::PRIVILEGED),
        }
    }

    /// Whether no mode checks anything (PSA's `FullyPrivileged`).
    pub fn fully_privileged(&self) -> bool {
        !(self.enforce.checks_something()
            || self.audit.checks_something()
            || self.warn.checks_something())
    }
}

impl Settings {
    /// Whether the settings use the modes (a `warn` or `audit` mode that checks something,
    /// or levels from namespace labels). Without, the policy answers exactly as it did
    /// before the modes existed: no PSA audit annotations on an evaluated request. A mode at
    /// `privileged` is no mode: the Rancher UI sends one for every mode left at its default.
    pub fn uses_modes(&self) -> bool {
        let checks = |mode: Option<LevelVersion>| mode.is_some_and(LevelVersion::checks_something);
        checks(self.warn) || checks(self.audit) || self.levels_from_namespace_labels
    }
}

/// A `warn` or `audit` entry as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMode {
    level: Option<String>,
    version: Option<String>,
}

impl RawMode {
    /// Checks the entry of mode `mode` (`warn`, `audit`); errors name the field.
    pub(crate) fn check(self, mode: &str) -> Result<LevelVersion, SettingsError> {
        let Some(level) = self.level else {
            return Err(SettingsError::new(format!(
                r#"{mode}.level: missing; allowed values: "privileged", "baseline", "restricted""#
            )));
        };
        let level = parse_level(&format!("{mode}.level"), &level)?;
        let version = match self.version {
            None => PolicyVersion::Latest,
            Some(text) => parse_version(&format!("{mode}.version"), &text)?,
        };
        Ok(LevelVersion { level, version })
    }
}

/// A level as PSA's `ParseLevel` accepts it.
pub(crate) fn parse_level(field: &str, text: &str) -> Result<Level, SettingsError> {
    match text {
        "privileged" => Ok(Level::Privileged),
        "baseline" => Ok(Level::Baseline),
        "restricted" => Ok(Level::Restricted),
        other => Err(SettingsError::new(format!(
            r#"{field}: {other:?} is not a Pod Security Standard level; allowed values: "privileged", "baseline", "restricted""#
        ))),
    }
}

/// A version as PSA's `ParseVersion` accepts it, with the settings' wording.
pub(crate) fn parse_version(field: &str, text: &str) -> Result<PolicyVersion, SettingsError> {
    PolicyVersion::parse(text).ok_or_else(|| {
        SettingsError::new(format!(
            r#"{field}: {text:?} is malformed; allowed values: "latest" or "v1.0" … "v1.{NEWEST_KNOWN_MINOR}" (a newer "v1.x" is evaluated as "latest")"#
        ))
    })
}

/// Settings that check nothing are refused: such a policy would only slow admission down.
/// (Levels from namespace labels may check something whatever the defaults say.)
pub(crate) fn check_something_is_checked(
    enforce: Level,
    warn: Option<LevelVersion>,
    audit: Option<LevelVersion>,
    levels_from_namespace_labels: bool,
) -> Result<(), SettingsError> {
    let checks = |m: Option<LevelVersion>| m.is_some_and(LevelVersion::checks_something);
    if levels_from_namespace_labels || enforce != Level::Privileged || checks(warn) || checks(audit)
    {
        return Ok(());
    }
    Err(SettingsError::new(
        r#"settings check nothing: level, warn.level and audit.level are all "privileged" (or unset); set one of them to "baseline" or "restricted", set levelsFromNamespaceLabels: true, or remove the policy"#,
    ))
}

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
        memo: [(0, 0, 0); MEMO],
        memos: 0,
        scratch: Outcome::default(),
        ours: None,
        messages: Default::default(),
    };
    let enforce = run.mode(ENFORCE, modes[ENFORCE], false);
    let passed = !enforce;
    let audit = !(passed && implied_by_enforce(settings, policy.enforce, policy.audit))
        && run.mode(AUDIT, modes[AUDIT], true);
    // PSA adds no warning to a request it refuses: warn is judged only for the others.
    let warn = passed
        && !implied_by_enforce(settings, policy.enforce, policy.warn)
        && run.mode(WARN, modes[WARN], true);
    let [enforce, audit, warn] =
        [(ENFORCE, enforce), (AUDIT, audit), (WARN, warn)].map(|(m, found)| {
            found
                .then(|| run.messages[m].take())
                .flatten()
                .map(|m| m.text)
        });
    // A control with several revisions in play may note the same exclusion twice.
    let mut used = run.scratch.used;
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

/// Room for every check function's result (each control has at most a few).
const MEMO: usize = 2 * CONTROL_COUNT;

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
    /// Check functions run (address), and where their result is: mode, index + 1.
    memo: [(usize, u8, u8); MEMO],
    memos: usize,
    scratch: Outcome,
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
            let plain = self.settings.exclusions.is_empty() && !relaxed_for(revision, self.pod);
            let key = revision.check as usize;
            if plain {
                if let Some(&(_, p, found)) = self.memo[..self.memos].iter().find(|e| e.0 == key) {
                    self.copy(m, c, usize::from(p), found);
                    continue;
                }
            }
            let violation = if plain {
                (revision.check)(self.pod)
            } else {
                let before = self.scratch.violations.len();
                exclusions::check_control(
                    c,
                    control,
                    revision,
                    self.pod,
                    &self.settings.exclusions,
                    &mut self.scratch,
                );
                (self.scratch.violations.len() > before)
                    .then(|| self.scratch.violations.pop())
                    .flatten()
            };
            if let Some(v) = violation {
                let origin = (m as u16) << 8 | self.lists[m].len() as u16;
                self.push(m, c, v, origin);
            }
            if plain && self.memos < MEMO {
                self.memo[self.memos] = (key, m as u8, self.at[m][c]);
                self.memos += 1;
            }
        }
        let standard = self.lists[m].len();
        if self.settings.require_read_only_root_filesystem {
            if let Some(v) = self.ours() {
                self.origins[m][self.lists[m].len()] = OURS;
                self.lists[m].push(v);
            }
        }
        if self.lists[m].is_empty() {
            return false;
        }
        // What an earlier mode found, word for word: its message, reworded for this mode.
        let len = self.lists[m].len();
        let same = (0..m).find(|&p| {
            self.messages[p].is_some()
                && self.lists[p].len() == len
                && self.origins[p][..len] == self.origins[m][..len]
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
            let before = self.scratch.violations.len();
            if let Some(revision) = READ_ONLY_ROOT_FILESYSTEM.revision_at(0) {
                exclusions::check_control(
                    CONTROL_COUNT,
                    &READ_ONLY_ROOT_FILESYSTEM,
                    revision,
                    self.pod,
                    &self.settings.exclusions,
                    &mut self.scratch,
                );
            }
            let v = (self.scratch.violations.len() > before)
                .then(|| self.scratch.violations.pop())
                .flatten();
            self.ours = Some(v);
        }
        self.ours.clone().flatten()
    }
}

/// Whether `revision` relaxes its check for this pod (and so judges it otherwise).
fn relaxed_for(revision: &Revision, pod: &PodView) -> bool {
    match revision.relaxed {
        Relaxed::Never => false,
        Relaxed::ForWindowsPods => pod.spec.is_windows(),
        Relaxed::ForUserNamespacePods => pod.spec.in_user_namespace(),
    }
}

/// One mode's message, as the enforce mode has always written its rejection (see
/// `verdict::judge_pod`): PSA's sentence for the standard's violations, then ours; `would`
/// for the modes that do not refuse, in PSA's words. Where each part's description lies is
/// kept, for another mode that finds the same violations.
struct Message {
    text: String,
    standard: std::ops::Range<usize>,
    ours: std::ops::Range<usize>,
}

impl Message {
    /// The message of `violations` (the standard's first `standard`, then ours, not empty).
    fn describe(
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
            Part::Standard if !standard.is_empty() => verdict::describe(out, standard),
            Part::Ours if !ours.is_empty() => verdict::describe(out, ours),
            _ => {}
        });
        message
    }

    /// The same violations' message for another mode: only the words around them change.
    fn reworded(&self, mode: LevelVersion, would: bool) -> Message {
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

/// Answers an evaluated request in every mode, as PSA's `EvaluatePod` does: the enforce
/// mode refuses (or, with `mutate: true`, corrects), the audit mode's violation and the
/// enforce mode's level and version go to audit annotations, the warn mode's violation to a
/// warning on a request that is let through. `error` is PSA's audit annotation for labels
/// that could not be read.
pub fn respond(
    settings: &Settings,
    policy: &Policy,
    error: Option<String>,
    e: &Evaluation,
    payload: &str,
) -> ValidationResponse {
    let judgement = judge(settings, policy, &e.pod);
    let mut audit = judgement.audit;
    let mut warn = judgement.warn;
    let mut used = judgement.exclusions_used;
    let mut response = match judgement.enforce {
        None => verdict::accept(),
        Some(message) if settings.mutate && e.mutable => {
            let enforced = Settings {
                level: policy.enforce.level,
                version: policy.enforce.version,
                ..settings.clone()
            };
            let corrected = verdict::correct(&enforced, e, payload, message);
            // The warn and audit modes judge the object as it will be stored.
            if let Some(object) = corrected.mutated_object.as_ref() {
                let text = object.to_string();
                if let Ok(pod) = read_pod(&text, e.carrier, "object") {
                    let others = Policy {
                        enforce: LevelVersion::PRIVILEGED,
                        ..*policy
                    };
                    let again = judge(settings, &others, &pod);
                    audit = again.audit;
                    warn = again.warn;
                    used.more = used.more.max(again.exclusions_used.more);
                    for note in again.exclusions_used.listed {
                        used.add_unique(note);
                    }
                }
            }
            corrected
        }
        Some(message) => verdict::reject(message),
    };
    // The map (and strings) of the last response, when there was one (`response_writer`).
    let mut annotations = response
        .audit_annotations
        .take()
        .unwrap_or_else(response_writer::annotations);
    let mut level_version = String::with_capacity(24);
    policy.enforce.push_to(&mut level_version);
    response_writer::set(&mut annotations, ENFORCE_POLICY_ANNOTATION, &level_version);
    let wanted = [
        (AUDIT_VIOLATIONS_ANNOTATION, audit),
        (ERROR_ANNOTATION, error),
    ];
    for (key, value) in &wanted {
        match value {
            Some(value) => response_writer::set(&mut annotations, key, value),
            // (Looked for only when the map holds more than enforce-policy.)
            None if annotations.len() > 1 => {
                annotations.remove(*key);
            }
            None => {}
        }
    }
    // Only PSA's keys: what else the spare map held goes.
    if annotations.len() > 1 + wanted.iter().filter(|(_, v)| v.is_some()).count() {
        annotations.retain(|k, _| {
            k == ENFORCE_POLICY_ANNOTATION || wanted.iter().any(|(w, v)| w == k && v.is_some())
        });
    }
    response.audit_annotations = Some(annotations);
    if response.accepted {
        if let Some(warn) = warn {
            response.warnings.get_or_insert_with(Vec::new).push(warn);
        }
    }
    verdict::note_exclusions(response, used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;
    use crate::verdict::tests::request;
    use crate::verdict::{judge_pod, validate};
    use serde_json::{json, Value};
    use std::collections::HashMap;

    fn settings(json: Value) -> Settings {
        Settings::from_json(&json.to_string()).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    fn err(json: Value) -> String {
        Settings::from_json(&json.to_string())
            .expect_err("refused")
            .to_string()
    }

    fn lv(level: Level, version: PolicyVersion) -> LevelVersion {
        LevelVersion { level, version }
    }

    #[test]
    fn settings_read_the_modes_strictly() {
        let s = settings(
            json!({"level": "privileged", "warn": {"level": "restricted"},
                                "audit": {"level": "baseline", "version": "v1.25"}}),
        );
        assert_eq!(s.level, Level::Privileged);
        assert_eq!(s.warn, Some(lv(Level::Restricted, PolicyVersion::Latest)));
        assert_eq!(s.audit, Some(lv(Level::Baseline, PolicyVersion::V1(25))));
        assert!(s.uses_modes() && !Settings::default().uses_modes());
        let s = settings(json!({"levelsFromNamespaceLabels": true, "level": "privileged"}));
        assert!(s.levels_from_namespace_labels && s.uses_modes());

        let e = err(json!({"warn": {"level": "strict"}}));
        assert_eq!(
            e,
            r#"warn.level: "strict" is not a Pod Security Standard level; allowed values: "privileged", "baseline", "restricted""#
        );
        let e = err(json!({"audit": {"level": "baseline", "version": "1.25"}}));
        assert!(
            e.starts_with(r#"audit.version: "1.25" is malformed"#),
            "{e}"
        );
        let e = err(json!({"warn": {"version": "latest"}}));
        assert!(e.starts_with("warn.level: missing"), "{e}");
        let e = err(json!({"warn": {"level": "baseline", "mode": "x"}}));
        assert!(e.starts_with("warn.mode: unknown field `mode`"), "{e}");
        let e = err(json!({"audit": "restricted"}));
        assert!(e.starts_with("audit: invalid type"), "{e}");
        let e = err(json!({"levelsFromNamespaceLabels": "yes"}));
        assert!(
            e.starts_with("levelsFromNamespaceLabels: invalid type"),
            "{e}"
        );
        let e = err(json!({"warn": {"level": "restricted"}, "level": "strict"}));
        assert!(
            e.contains(r#""privileged", "baseline", "restricted""#),
            "{e}"
        );
    }

    #[test]
    fn settings_that_check_nothing_are_refused() {
        // Alone, `level: privileged` keeps its message of before.
        let e = err(json!({"level": "privileged"}));
        assert!(e.starts_with(r#"level: "privileged" is not accepted: it checks nothing"#));
        let e = err(json!({"level": "privileged", "warn": {"level": "privileged"}}));
        assert!(e.starts_with("settings check nothing"), "{e}");
        let e = err(
            json!({"level": "privileged", "audit": {"level": "privileged", "version": "v1.2"}}),
        );
        assert!(e.starts_with("settings check nothing"), "{e}");
        for ok in [
            json!({"level": "privileged", "warn": {"level": "baseline"}}),
            json!({"level": "privileged", "audit": {"level": "restricted"}}),
            json!({"level": "baseline", "warn": {"level": "privileged"}}),
        ] {
            settings(ok);
        }
    }

    fn violating() -> PodView<'static> {
        pod(
            r#"{"spec":{"hostPID":true,"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true,"capabilities":{"add":["NET_RAW"]}}}]}}"#,
        )
    }

    #[test]
    fn the_enforce_mode_writes_what_judge_pod_writes() {
        let pods = [
            violating(),
            pod(r#"{"spec":{"containers":[{"name":"a"}]}}"#),
            pod(
                r#"{"spec":{"containers":[{"name":"a","securityContext":{"readOnlyRootFilesystem":true}}]}}"#,
            ),
            pod(
                r#"{"spec":{"os":{"name":"windows"},"containers":[{"name":"a","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}]}}"#,
            ),
        ];
        for json in [
            json!({}),
            json!({"level": "baseline", "version": "v1.20"}),
            json!({"requireReadOnlyRootFilesystem": false, "version": "v1.99"}),
            json!({"exclusions": [{"control": "privileged", "containers": ["app"], "images": ["docker.io/library/nginx:*"]}]}),
        ] {
            let s = settings(json.clone());
            for audit in [Level::Privileged, Level::Baseline, Level::Restricted] {
                let policy = Policy {
                    audit: lv(audit, PolicyVersion::V1(24)),
                    ..Policy::from_settings(&s)
                };
                for p in &pods {
                    let old = judge_pod(&s, p);
                    let new = judge(&s, &policy, p);
                    assert_eq!(new.enforce, old.rejection, "{json}");
                    assert_eq!(new.exclusions_used, old.exclusions_used, "{json}");
                }
            }
        }
    }

    #[test]
    fn warn_and_audit_say_would_violate_in_psa_words() {
        let s = settings(
            json!({"level": "privileged", "requireReadOnlyRootFilesystem": false,
                                "warn": {"level": "baseline"}, "audit": {"level": "baseline", "version": "v1.30"}}),
        );
        let j = judge(&s, &Policy::from_settings(&s), &violating());
        assert_eq!(j.enforce, None);
        assert_eq!(
            j.warn.as_deref(),
            Some(
                r#"would violate PodSecurity "baseline:latest": non-default capabilities (container "app" must not include "NET_RAW" in securityContext.capabilities.add), host namespaces (hostPID=true), privileged (container "app" must not set securityContext.privileged=true)"#
            )
        );
        assert_eq!(
            j.audit.as_deref(),
            Some(
                r#"would violate PodSecurity "baseline:v1.30": non-default capabilities (container "app" must not include "NET_RAW" in securityContext.capabilities.add), host namespaces (hostPID=true), privileged (container "app" must not set securityContext.privileged=true)"#
            )
        );
        // Our control is judged in every mode that checks something.
        let s = settings(json!({"level": "privileged", "warn": {"level": "restricted"}}));
        let j = judge(
            &s,
            &Policy::from_settings(&s),
            &pod(r#"{"spec":{"containers":[{"name":"a"}]}}"#),
        );
        let warn = j.warn.unwrap();
        assert!(warn.starts_with(r#"would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false"#), "{warn}");
        assert!(warn.ends_with(r#"; would violate requireReadOnlyRootFilesystem: readOnlyRootFilesystem != true (container "a" must set securityContext.readOnlyRootFilesystem=true)"#), "{warn}");
    }

    #[test]
    fn a_mode_no_stricter_than_enforce_at_its_version_finds_what_enforce_finds() {
        // Judged in full and taken from enforce, the same answers, on pods that pass and
        // pods that fail, with and without our control.
        let pods = [
            violating(),
            pod(
                r#"{"spec":{"containers":[{"name":"a","securityContext":{"readOnlyRootFilesystem":true}}]}}"#,
            ),
            pod(
                r#"{"spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"readOnlyRootFilesystem":true}}]}}"#,
            ),
            pod(
                r#"{"spec":{"os":{"name":"windows"},"securityContext":{"runAsNonRoot":true},"containers":[{"name":"a","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}]}}"#,
            ),
        ];
        for rofs in [true, false] {
            for (enforce, version) in [
                ("restricted", "latest"),
                ("restricted", "v1.24"),
                ("baseline", "v1.99"),
            ] {
                let s = settings(
                    json!({"level": enforce, "version": version, "requireReadOnlyRootFilesystem": rofs,
                    "warn": {"level": "baseline", "version": version}, "audit": {"level": enforce, "version": version}}),
                );
                for p in &pods {
                    let j = judge(&s, &Policy::from_settings(&s), p);
                    if j.enforce.is_none() {
                        assert_eq!((j.warn, j.audit), (None, None));
                    }
                    // The same modes judged in full: a privileged enforce finds nothing.
                    let full = Policy {
                        enforce: LevelVersion::PRIVILEGED,
                        ..Policy::from_settings(&s)
                    };
                    let all = judge(&s, &full, p);
                    if j.enforce.is_none() {
                        assert_eq!((all.warn, all.audit), (None, None), "{enforce}:{version}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_warning_is_worked_out_only_when_enforce_lets_the_pod_through() {
        let s = settings(
            json!({"level": "baseline", "warn": {"level": "restricted"}, "audit": {"level": "restricted"}}),
        );
        let j = judge(&s, &Policy::from_settings(&s), &violating());
        assert!(j.enforce.is_some() && j.audit.is_some());
        assert_eq!(j.warn, None);
        // Warn reuses what audit found, and what enforce found nothing in.
        let p = pod(
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"readOnlyRootFilesystem":true,"capabilities":{"add":["NET_ADMIN"]}}}]}}"#,
        );
        let s = settings(
            json!({"level": "privileged", "warn": {"level": "restricted"}, "audit": {"level": "restricted", "version": "v1.21"}}),
        );
        let j = judge(&s, &Policy::from_settings(&s), &p);
        let (warn, audit) = (j.warn.unwrap(), j.audit.unwrap());
        assert!(
            warn.contains("unrestricted capabilities") && !warn.contains("non-default"),
            "{warn}"
        );
        // v1.21: capabilities_restricted does not exist yet; the baseline control judges.
        assert!(audit.contains("non-default capabilities"), "{audit}");
        assert_eq!(
            warn.split_once("\": ").unwrap().1.split(", ").next(),
            Some("allowPrivilegeEscalation != false (container \"a\" must set securityContext.allowPrivilegeEscalation=false)")
        );
    }

    fn privileged_pod() -> Value {
        json!({"kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}})
    }

    #[test]
    fn responses_carry_psa_warnings_and_audit_annotations() {
        let r = validate(&request(
            privileged_pod(),
            json!({"level": "privileged", "warn": {"level": "baseline"}, "audit": {"level": "baseline"},
                   "requireReadOnlyRootFilesystem": false}),
        ));
        assert!(r.accepted);
        let text = r#"would violate PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)"#;
        assert_eq!(r.warnings, Some(vec![text.to_owned()]));
        let annotations = r.audit_annotations.unwrap();
        assert_eq!(annotations[AUDIT_VIOLATIONS_ANNOTATION], text);
        assert_eq!(annotations[ENFORCE_POLICY_ANNOTATION], "privileged:latest");
        assert_eq!(annotations.len(), 2);

        // Refused: no warning; the audit annotation and enforce-policy still.
        let r = validate(&request(
            privileged_pod(),
            json!({"level": "baseline", "version": "v1.30", "warn": {"level": "restricted"}, "audit": {"level": "restricted"}}),
        ));
        assert!(!r.accepted);
        assert_eq!(r.warnings, None);
        let annotations = r.audit_annotations.unwrap();
        assert_eq!(annotations[ENFORCE_POLICY_ANNOTATION], "baseline:v1.30");
        assert!(annotations[AUDIT_VIOLATIONS_ANNOTATION].starts_with(
            r#"would violate PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true), allowPrivilegeEscalation != false"#
        ));

        // Compliant everywhere: only enforce-policy.
        let compliant = json!({"kind": "Pod", "spec": {"containers": [{"name": "app", "securityContext": {"readOnlyRootFilesystem": true}}]}});
        let r = validate(&request(
            compliant,
            json!({"level": "baseline", "audit": {"level": "baseline"}}),
        ));
        assert!(r.accepted && r.warnings.is_none(), "{r:?}");
        assert_eq!(
            r.audit_annotations,
            Some(HashMap::from([(
                ENFORCE_POLICY_ANNOTATION.to_owned(),
                "baseline:latest".to_owned()
            )]))
        );
    }

    #[test]
    fn a_recycled_map_carries_nothing_over() {
        let settings = json!({"level": "privileged", "audit": {"level": "baseline"}, "warn": {"level": "baseline"}});
        let r = validate(&request(privileged_pod(), settings.clone()));
        assert!(r
            .audit_annotations
            .as_ref()
            .unwrap()
            .contains_key(AUDIT_VIOLATIONS_ANNOTATION));
        let mut stale = r;
        stale
            .audit_annotations
            .as_mut()
            .unwrap()
            .insert("exclusions".into(), "x".into());
        crate::response_writer::recycle(stale);
        let compliant = json!({"kind": "Pod", "spec": {"containers": [{"name": "app", "securityContext": {"readOnlyRootFilesystem": true}}]}});
        let r = validate(&request(compliant, settings));
        assert_eq!(
            r.audit_annotations,
            Some(HashMap::from([(
                ENFORCE_POLICY_ANNOTATION.to_owned(),
                "privileged:latest".to_owned()
            )]))
        );
    }

    #[test]
    fn exemptions_exempt_every_mode_and_settings_of_before_answer_as_before() {
        let r = validate(&request(
            privileged_pod(),
            json!({"level": "privileged", "warn": {"level": "baseline"}, "exemptions": {"namespaces": ["team-a"]}}),
        ));
        assert!(r.accepted && r.warnings.is_none());
        assert_eq!(r.audit_annotations.unwrap()["exempt"], "namespace");
        let r = validate(&request(privileged_pod(), json!({"level": "baseline"})));
        assert!(!r.accepted && r.audit_annotations.is_none());
    }

    #[test]
    fn workloads_are_refused_on_enforce_and_warned_like_pods() {
        let deployment =
            json!({"kind": "Deployment", "spec": {"template": {"spec": privileged_pod()["spec"]}}});
        let payload = |settings: Value| {
            serde_json::to_vec(&json!({"settings": settings, "request": {
                "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
                "operation": "CREATE", "namespace": "team-a", "object": deployment}}))
            .unwrap()
        };
        let r = validate(&payload(
            json!({"level": "baseline", "audit": {"level": "baseline"}}),
        ));
        assert!(!r.accepted);
        assert!(r
            .message
            .unwrap()
            .starts_with(r#"violates PodSecurity "baseline:latest": privileged"#));
        let r = validate(&payload(
            json!({"level": "privileged", "warn": {"level": "baseline"}}),
        ));
        assert!(r.accepted);
        assert!(r.warnings.unwrap()[0]
            .starts_with(r#"would violate PodSecurity "baseline:latest": privileged"#));
    }

    #[test]
    fn exclusions_apply_in_every_mode_and_are_noted_once() {
        let r = validate(&request(
            privileged_pod(),
            json!({"level": "baseline", "warn": {"level": "baseline", "version": "v1.10"},
                   "audit": {"level": "baseline", "version": "v1.0"}, "requireReadOnlyRootFilesystem": false,
                   "exclusions": [{"control": "privileged", "containers": ["app"], "images": ["docker.io/library/nginx:*"]}]}),
        ));
        assert!(r.accepted, "{r:?}");
        let warnings = r.warnings.unwrap();
        assert_eq!(
            warnings,
            ["exclusion in use: control \"privileged\" excluded for container \"app\""]
        );
        assert!(!r
            .audit_annotations
            .unwrap()
            .contains_key(AUDIT_VIOLATIONS_ANNOTATION));
    }

    #[test]
    fn warnings_judge_the_object_as_it_will_be_stored() {
        let bare =
            json!({"kind": "Pod", "spec": {"containers": [{"name": "app", "image": "nginx"}]}});
        let r = validate(&request(
            bare,
            json!({"mutate": true, "warn": {"level": "restricted"}, "audit": {"level": "restricted"}}),
        ));
        assert!(r.accepted && r.mutated_object.is_some(), "{r:?}");
        // The secure defaults made it compliant: no PSA warning, no audit violation.
        let warnings = r.warnings.unwrap();
        assert!(
            warnings.iter().all(|w| !w.contains("would violate")),
            "{warnings:?}"
        );
        let annotations = r.audit_annotations.unwrap();
        assert_eq!(annotations[ENFORCE_POLICY_ANNOTATION], "restricted:latest");
        assert!(!annotations.contains_key(AUDIT_VIOLATIONS_ANNOTATION));
        // What the defaults cannot fix is still refused; the audit judged the object as sent.
        let r = validate(&request(
            privileged_pod(),
            json!({"mutate": true, "audit": {"level": "baseline"}}),
        ));
        assert!(!r.accepted);
        assert!(r.audit_annotations.unwrap()[AUDIT_VIOLATIONS_ANNOTATION].contains("privileged"));
    }

    #[test]
    fn a_message_taken_from_another_mode_is_the_message_judged_alone() {
        // Each case: the modes, and the mode whose message is then taken from another's.
        let alone = |mode: &str, level: &str, version: &str, rofs: bool| {
            json!({"level": "privileged", "requireReadOnlyRootFilesystem": rofs,
                mode: {"level": level, "version": version}})
        };
        let only_ours = pod(
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}}}]}}"#,
        );
        let cases: [(&str, Value, &str, Value, PodView); 4] = [
            (
                "audit from a refusing enforce",
                json!({"audit": {"level": "restricted"}}),
                "audit",
                alone("audit", "restricted", "latest", true),
                violating(),
            ),
            (
                "audit from enforce, our control alone",
                json!({"audit": {"level": "restricted"}}),
                "audit",
                alone("audit", "restricted", "latest", true),
                only_ours,
            ),
            (
                "warn from audit, enforce passing",
                json!({"level": "baseline", "requireReadOnlyRootFilesystem": false,
                    "audit": {"level": "restricted", "version": "v1.30"},
                    "warn": {"level": "restricted", "version": "v1.30"}}),
                "warn",
                alone("warn", "restricted", "v1.30", false),
                pod(r#"{"spec":{"containers":[{"name":"a"}]}}"#),
            ),
            (
                "audit from enforce at another version finding the same",
                json!({"version": "v1.30", "audit": {"level": "restricted", "version": "v1.29"}}),
                "audit",
                alone("audit", "restricted", "v1.29", true),
                violating(),
            ),
        ];
        for (name, modes, mode, reference, pod) in cases {
            let (s, r) = (settings(modes), settings(reference));
            let taken = judge(&s, &Policy::from_settings(&s), &pod);
            let judged = judge(&r, &Policy::from_settings(&r), &pod);
            let [taken, judged] =
                [taken, judged].map(|j| if mode == "warn" { j.warn } else { j.audit });
            assert!(taken.is_some(), "{name}: nothing found");
            assert_eq!(taken, judged, "{name}");
        }
    }
}
