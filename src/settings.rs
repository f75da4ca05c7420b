//! The policy's settings: which level, which policy version, our extra control, and
//! PSA-style exemptions. Read strictly: an unknown key or a nonsense value is an error that
//! names the field and the allowed values.

use serde::Deserialize;

use crate::controls::{Level, NEWEST_KNOWN_MINOR};
use crate::exclusions::{Exclusion, RawExclusion};
use crate::modes::{LevelVersion, RawMode};

/// How settings name the newest policy version.
const LATEST: &str = "latest";

/// The policy version to evaluate at, as written by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyVersion {
    Latest,
    /// `v1.<minor>`; a minor newer than the newest known one is evaluated as `latest`.
    V1(u32),
}

impl PolicyVersion {
    /// The minor version whose controls apply.
    pub fn effective_minor(self) -> u32 {
        match self {
            PolicyVersion::Latest => NEWEST_KNOWN_MINOR,
            PolicyVersion::V1(minor) => minor.min(NEWEST_KNOWN_MINOR),
        }
    }

    /// Parses `latest` or `v1.<minor>` exactly as Pod Security Admission does
    /// (no leading zeros, no patch version, major version 1 only).
    pub fn parse(text: &str) -> Option<PolicyVersion> {
        if text == LATEST {
            return Some(PolicyVersion::Latest);
        }
        let digits = text.strip_prefix("v1.")?;
        let well_formed = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        if !well_formed {
            return None;
        }
        digits.parse().ok().map(PolicyVersion::V1)
    }
}

impl std::fmt::Display for PolicyVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyVersion::Latest => f.write_str(LATEST),
            PolicyVersion::V1(minor) => write!(f, "v1.{minor}"),
        }
    }
}

/// Why settings are refused: the text names the field and the allowed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError(String);

impl SettingsError {
    pub fn new(message: impl Into<String>) -> Self {
        SettingsError(message.into())
    }
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

/// The exclusions' checks (`src/exclusions/`) say why in a string.
impl From<String> for SettingsError {
    fn from(message: String) -> Self {
        SettingsError(message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exemptions {
    pub namespaces: Vec<String>,
    pub usernames: Vec<String>,
    pub runtime_classes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub level: Level,
    pub version: PolicyVersion,
    pub require_read_only_root_filesystem: bool,
    pub exemptions: Exemptions,
    /// Fill in unset fields with secure defaults before judging (see `mutate/`).
    pub mutate: bool,
    /// One control forgiven for named images, containers or values (see `src/exclusions/`).
    pub exclusions: Vec<Exclusion>,
    /// Pod Security Admission's warn and audit modes, when set (see `src/modes/`); `level`
    /// and `version` are the enforce mode's.
    pub warn: Option<LevelVersion>,
    pub audit: Option<LevelVersion>,
    /// Levels and versions from the namespace's `pod-security.kubernetes.io/*` labels,
    /// these settings acting as their defaults (see `namespace/`).
    pub levels_from_namespace_labels: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            level: Level::Restricted,
            version: PolicyVersion::Latest,
            require_read_only_root_filesystem: true,
            exemptions: Exemptions::default(),
            mutate: false,
            exclusions: Vec::new(),
            warn: None,
            audit: None,
            levels_from_namespace_labels: false,
        }
    }
}

/// The settings as written, before their values are checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawSettings {
    level: Option<String>,
    version: Option<String>,
    require_read_only_root_filesystem: Option<bool>,
    exemptions: Option<RawExemptions>,
    mutate: Option<bool>,
    exclusions: Option<Vec<RawExclusion>>,
    warn: Option<RawMode>,
    audit: Option<RawMode>,
    levels_from_namespace_labels: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawExemptions {
    namespaces: Option<Vec<String>>,
    usernames: Option<Vec<String>>,
    runtime_classes: Option<Vec<String>>,
}

impl Settings {
    /// Reads settings from their JSON text; `null` or `{}` give the defaults.
    pub fn from_json(json: &str) -> Result<Settings, SettingsError> {
        // What policy-server sends for a policy deployed without settings.
        if matches!(json.trim_matches([' ', '\t', '\n', '\r']), "{}" | "null") {
            return Ok(Settings::default());
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let raw: Option<RawSettings> = Deserialize::deserialize(&mut de)
            .and_then(|raw| de.end().map(|()| raw))
            .map_err(|e| crate::json::path::explain(json, &e, str::to_owned))?;
        Settings::from_raw(raw.unwrap_or_default())
    }

    fn from_raw(raw: RawSettings) -> Result<Settings, SettingsError> {
        let defaults = Settings::default();
        let levels_from_namespace_labels = raw
            .levels_from_namespace_labels
            .unwrap_or(defaults.levels_from_namespace_labels);
        // With a warn or audit mode, or levels from labels, Pod Security Admission's three
        // levels are offered; without, the settings of before answer as before.
        let modes = raw.warn.is_some() || raw.audit.is_some() || levels_from_namespace_labels;
        let warn = raw.warn.map(|m| m.check("warn")).transpose()?;
        let audit = raw.audit.map(|m| m.check("audit")).transpose()?;
        let level = match raw.level.as_deref() {
            None => defaults.level,
            Some(text) if modes => crate::modes::parse_level("level", text)?,
            Some("baseline") => Level::Baseline,
            Some("restricted") => Level::Restricted,
            Some("privileged") => {
                return Err(SettingsError::new(
                    r#"level: "privileged" is not accepted: it checks nothing, so this policy would only slow admission down; use "baseline" or "restricted", and exemptions for the workloads that must run privileged"#,
                ))
            }
            Some(other) => {
                return Err(SettingsError::new(format!(
                    r#"level: {other:?} is not a Pod Security Standard level; allowed values: "baseline", "restricted""#
                )))
            }
        };
        let version = match raw.version.as_deref() {
            None => defaults.version,
            Some(text) => crate::modes::parse_version("version", text)?,
        };
        crate::modes::check_something_is_checked(level, warn, audit, levels_from_namespace_labels)?;
        let exemptions = raw.exemptions.unwrap_or_default();
        let exclusions: Vec<Exclusion> = raw
            .exclusions
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, e)| Exclusion::from_raw(i, e))
            .collect::<Result<_, _>>()?;
        for (i, exclusion) in exclusions.iter().enumerate() {
            exclusion.check_selection(i)?;
        }
        Ok(Settings {
            warn,
            audit,
            levels_from_namespace_labels,
            level,
            version,
            require_read_only_root_filesystem: raw
                .require_read_only_root_filesystem
                .unwrap_or(defaults.require_read_only_root_filesystem),
            mutate: raw.mutate.unwrap_or(defaults.mutate),
            exclusions,
            exemptions: Exemptions {
                namespaces: non_empty("exemptions.namespaces", "namespace", exemptions.namespaces)?,
                usernames: non_empty("exemptions.usernames", "user name", exemptions.usernames)?,
                runtime_classes: non_empty(
                    "exemptions.runtimeClasses",
                    "RuntimeClass name",
                    exemptions.runtime_classes,
                )?,
            },
        })
    }
}

fn non_empty(
    field: &str,
    what: &str,
    list: Option<Vec<String>>,
) -> Result<Vec<String>, SettingsError> {
    let list = list.unwrap_or_default();
    if let Some(i) = list.iter().position(|s| s.is_empty()) {
        return Err(SettingsError::new(format!(
            "{field}[{i}]: empty string; each entry must be a {what}"
        )));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        Settings::from_json(json).expect_err(json).to_string()
    }

    fn level_version(s: &Settings) -> String {
        let enforced = crate::modes::LevelVersion {
            level: s.level,
            version: s.version,
        };
        enforced.to_string()
    }

    #[test]
    fn defaults() {
        for json in ["{}", "null", r#"{"level":null,"exemptions":null}"#] {
            assert_eq!(Settings::from_json(json), Ok(Settings::default()));
        }
        let s = Settings::default();
        assert_eq!(s.level, Level::Restricted);
        assert_eq!(s.version, PolicyVersion::Latest);
        assert!(s.require_read_only_root_filesystem);
        assert!(!s.mutate);
        assert_eq!(level_version(&s), "restricted:latest");
    }

    #[test]
    fn full_settings() {
        let s = Settings::from_json(
            r#"{"level":"baseline","version":"v1.25","requireReadOnlyRootFilesystem":false,"mutate":true,
            "exemptions":{"namespaces":["kube-system"],"usernames":["admin"],"runtimeClasses":["kata"]}}"#,
        )
        .unwrap();
        assert_eq!(s.level, Level::Baseline);
        assert_eq!(s.version, PolicyVersion::V1(25));
        assert!(!s.require_read_only_root_filesystem);
        assert!(s.mutate);
        assert_eq!(s.exemptions.namespaces, ["kube-system"]);
        assert_eq!(s.exemptions.usernames, ["admin"]);
        assert_eq!(s.exemptions.runtime_classes, ["kata"]);
        assert_eq!(level_version(&s), "baseline:v1.25");
    }

    #[test]
    fn versions() {
        assert_eq!(PolicyVersion::parse("v1.0"), Some(PolicyVersion::V1(0)));
        assert_eq!(PolicyVersion::parse("v1.37"), Some(PolicyVersion::V1(37)));
        for bad in [
            "1.25",
            "v2.0",
            "v1.x",
            "v1.",
            "v1.05",
            "v1.25.1",
            "V1.25",
            "",
            " v1.2",
            "v1.-1",
            "v1.99999999999",
        ] {
            assert_eq!(PolicyVersion::parse(bad), None, "{bad}");
        }
        // Newer than known: evaluated as the newest known, printed as written.
        let v = PolicyVersion::parse("v1.99").unwrap();
        assert_eq!(v.effective_minor(), NEWEST_KNOWN_MINOR);
        assert_eq!(v.to_string(), "v1.99");
    }

    #[test]
    fn rejections_name_the_field_and_allowed_values() {
        // (case, settings, the error's beginning, what else it says)
        let cases: &[(&str, &str, &str, &[&str])] = &[
            (
                "a misspelt key",
                r#"{"levle":"baseline"}"#,
                "",
                &["unknown field `levle`", "`level`"],
            ),
            (
                "a misspelt key inside exemptions",
                r#"{"exemptions":{"namespace":["a"]}}"#,
                "exemptions.namespace: unknown field `namespace`",
                &["`namespaces`"],
            ),
            (
                "an unknown level",
                r#"{"level":"strict"}"#,
                "level: \"strict\"",
                &[r#""baseline", "restricted""#],
            ),
            (
                "privileged",
                r#"{"level":"privileged"}"#,
                r#"level: "privileged" is not accepted"#,
                &[],
            ),
            (
                "a version without v",
                r#"{"version":"1.25"}"#,
                "version: \"1.25\" is malformed",
                &["\"latest\""],
            ),
            (
                "a version 2",
                r#"{"version":"v2.0"}"#,
                "version: \"v2.0\" is malformed",
                &["\"latest\""],
            ),
            (
                "a minor that is not a number",
                r#"{"version":"v1.x"}"#,
                "version: \"v1.x\" is malformed",
                &["\"latest\""],
            ),
            (
                "an empty runtime class",
                r#"{"exemptions":{"runtimeClasses":[""]}}"#,
                "exemptions.runtimeClasses[0]: empty string",
                &[],
            ),
            (
                "a string for a boolean",
                r#"{"requireReadOnlyRootFilesystem":"yes"}"#,
                "requireReadOnlyRootFilesystem: invalid type",
                &[],
            ),
            (
                "a number for a namespace",
                r#"{"exemptions":{"namespaces":[1]}}"#,
                "exemptions.namespaces[0]: invalid type",
                &[],
            ),
        ];
        for (case, json, beginning, parts) in cases {
            let e = err(json);
            assert!(e.starts_with(beginning), "{case}: {e}");
            for part in *parts {
                assert!(e.contains(part), "{case}: {e} does not say {part}");
            }
        }
        let e = err(r#"{"exemptions":{"usernames":["a",""]}}"#);
        assert_eq!(
            e,
            "exemptions.usernames[1]: empty string; each entry must be a user name"
        );
        assert!(Settings::from_json("[]").is_err());
        assert!(Settings::from_json("{} x").is_err());
    }
}
