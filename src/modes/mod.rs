//! Pod Security Admission's three modes: `enforce` refuses, `warn` accepts with a warning,
//! `audit` accepts with an audit annotation. The settings' `level` and `version` are the
//! enforce mode; `warn` and `audit` are optional; each mode may be `privileged`, which
//! checks nothing, as long as some mode checks something.
//!
//! As in PSA (`admission.go`, `EvaluatePod`), a request is judged once for each distinct
//! level and version, and here finer still: a control's revision that two modes share is
//! run once, and a warning is worked out only for a request enforce lets through.
//!
//! Here: the modes' levels and versions (this file), reading them from the settings
//! ([`parse`]), judging a pod in every mode ([`judge`](mod@judge), its messages in
//! `crate::message`) and the answer ([`respond`](mod@respond)).

mod judge;
mod parse;
mod respond;
#[cfg(test)]
mod tests;

pub use judge::{judge, ModesJudgement};
pub(crate) use parse::{check_something_is_checked, parse_level, parse_version, RawMode};
pub use respond::respond;

use crate::controls::{self, Level, CONTROL_COUNT};
use crate::message::Text;
use crate::settings::{PolicyVersion, Settings};

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

    /// Writes `level:version` (nothing in it to escape), without `core::fmt`, whose
    /// machinery costs more than the rest of a message's frame.
    pub fn write_to<T: Text>(self, out: &mut T) {
        out.safe(self.level.as_str());
        out.safe(":");
        match self.version {
            PolicyVersion::Latest => out.safe("latest"),
            PolicyVersion::V1(minor) => {
                let mut digits = [0u8; 10];
                let mut at = digits.len();
                let mut n = minor;
                loop {
                    at -= 1;
                    digits[at] = b'0' + (n % 10) as u8;
                    n /= 10;
                    if n == 0 {
                        break;
                    }
                }
                out.safe("v1.");
                out.safe(std::str::from_utf8(&digits[at..]).unwrap_or_default());
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
        self.write_to(&mut out);
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
