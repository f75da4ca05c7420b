//! The `warn` and `audit` settings and the levels and versions they name, read as PSA's
//! `ParseLevel` and `ParseVersion` read them; settings that check nothing are refused.

use serde::Deserialize;

use super::LevelVersion;
use crate::controls::{Level, NEWEST_KNOWN_MINOR};
use crate::settings::{PolicyVersion, SettingsError};

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
