//! PSA's `api.PolicyToEvaluate`: the enforce, audit and warn levels and versions a
//! namespace's labels set over the defaults (the settings), and the field errors of the
//! labels that cannot be parsed, written as Kubernetes writes them.

use super::labels::{
    Labels, AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL, ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL,
    WARN_LEVEL_LABEL, WARN_VERSION_LABEL,
};
use crate::bounds::{clip_text, MAX_VALUE_BYTES};
use crate::controls::{go_quote, Level};
use crate::modes::{self, Policy};
use crate::settings::{PolicyVersion, Settings};

/// PSA's `api.PolicyToEvaluate`: the namespace's labels over the defaults, and one field
/// error per label that cannot be parsed. A bad enforce level is `restricted` (fail
/// closed), a bad warn or audit level `privileged` (fail open), a bad version `latest`.
/// Without a warn label, warn follows an explicitly set enforce level that is stricter.
pub fn policy_to_evaluate(labels: &Labels, defaults: Policy) -> (Policy, Vec<String>) {
    let mut p = defaults;
    let mut errors = Vec::new();
    let level = |label: &str, fallback: Level, errors: &mut Vec<String>| {
        let value = labels.get(label)?;
        Some(match modes::parse_level(label, value) {
            Ok(level) => Ok(level),
            Err(_) => {
                errors.push(field_error(
                    label,
                    value,
                    "must be one of privileged, baseline, restricted",
                ));
                Err(fallback)
            }
        })
    };
    let version = |label: &str, errors: &mut Vec<String>| {
        let value = labels.get(label)?;
        Some(PolicyVersion::parse(value).unwrap_or_else(|| {
            errors.push(field_error(label, value, r#"must be "latest" or "v1.x""#));
            PolicyVersion::Latest
        }))
    };
    let mut enforce_level_set = false;
    if let Some(parsed) = level(ENFORCE_LEVEL_LABEL, Level::Restricted, &mut errors) {
        enforce_level_set = parsed.is_ok();
        p.enforce.level = parsed.unwrap_or_else(|fallback| fallback);
    }
    if let Some(v) = version(ENFORCE_VERSION_LABEL, &mut errors) {
        p.enforce.version = v;
    }
    if let Some(parsed) = level(AUDIT_LEVEL_LABEL, Level::Privileged, &mut errors) {
        p.audit.level = parsed.unwrap_or_else(|fallback| fallback);
    }
    if let Some(v) = version(AUDIT_VERSION_LABEL, &mut errors) {
        p.audit.version = v;
    }
    let warn_level_set = labels.contains_key(WARN_LEVEL_LABEL);
    if let Some(parsed) = level(WARN_LEVEL_LABEL, Level::Privileged, &mut errors) {
        p.warn.level = parsed.unwrap_or_else(|fallback| fallback);
    }
    let warn_version_set = labels.contains_key(WARN_VERSION_LABEL);
    if let Some(v) = version(WARN_VERSION_LABEL, &mut errors) {
        p.warn.version = v;
    }
    if !warn_level_set && enforce_level_set && p.enforce.level > p.warn.level {
        p.warn.level = p.enforce.level;
        if !warn_version_set {
            p.warn.version = p.enforce.version;
        }
    }
    (p, errors)
}

/// A field error as Kubernetes writes it: `metadata.labels[<label>]: Invalid value: "x": why`.
fn field_error(label: &str, value: &str, why: &str) -> String {
    format!(
        "metadata.labels[{label}]: Invalid value: {}: {why}",
        go_quote(&clip_text(value, MAX_VALUE_BYTES))
    )
}

/// Field errors joined as Kubernetes aggregates them: one alone, several in brackets,
/// each written once.
pub fn aggregate(errors: &[String]) -> String {
    let mut unique: Vec<&str> = Vec::with_capacity(errors.len());
    for e in errors {
        if !unique.contains(&e.as_str()) {
            unique.push(e);
        }
    }
    match unique.as_slice() {
        [one] => (*one).to_owned(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// The defaults the labels override: the settings' modes, an unset mode `privileged`.
pub fn defaults(settings: &Settings) -> Policy {
    Policy::from_settings(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modes::LevelVersion;
    use crate::namespace::labels::has_psa_labels;
    use crate::namespace::tests::labels;

    fn lv(level: Level, version: PolicyVersion) -> LevelVersion {
        LevelVersion { level, version }
    }

    const PRIVILEGED: Policy = Policy {
        enforce: LevelVersion::PRIVILEGED,
        audit: LevelVersion::PRIVILEGED,
        warn: LevelVersion::PRIVILEGED,
    };
    #[test]
    fn labels_override_the_defaults() {
        let (p, errors) = policy_to_evaluate(
            &labels(&[
                ("enforce", "baseline"),
                ("enforce-version", "v1.30"),
                ("audit", "restricted"),
            ]),
            PRIVILEGED,
        );
        assert!(errors.is_empty());
        assert_eq!(p.enforce, lv(Level::Baseline, PolicyVersion::V1(30)));
        assert_eq!(p.audit, lv(Level::Restricted, PolicyVersion::Latest));
        // Warn follows the stricter enforce level, and its version.
        assert_eq!(p.warn, lv(Level::Baseline, PolicyVersion::V1(30)));
        // Not when warn is labelled, nor when enforce is not.
        let (p, _) = policy_to_evaluate(
            &labels(&[("enforce", "baseline"), ("warn", "privileged")]),
            PRIVILEGED,
        );
        assert_eq!(p.warn.level, Level::Privileged);
        let (p, _) = policy_to_evaluate(&labels(&[("enforce-version", "v1.2")]), PRIVILEGED);
        assert_eq!(p.warn, LevelVersion::PRIVILEGED);
        // A warn version alone stays.
        let (p, _) = policy_to_evaluate(
            &labels(&[("enforce", "restricted"), ("warn-version", "v1.25")]),
            PRIVILEGED,
        );
        assert_eq!(p.warn, lv(Level::Restricted, PolicyVersion::V1(25)));
        // Other labels change nothing.
        let mut other = Labels::new();
        other.insert("kubernetes.io/metadata.name".into(), "x".into());
        assert_eq!(policy_to_evaluate(&other, PRIVILEGED), (PRIVILEGED, vec![]));
        assert!(!has_psa_labels(&other));
    }

    #[test]
    fn bad_labels_fail_closed_for_enforce_and_open_for_warn_and_audit() {
        let defaults = Policy {
            audit: lv(Level::Baseline, PolicyVersion::V1(3)),
            ..PRIVILEGED
        };
        let (p, errors) = policy_to_evaluate(
            &labels(&[
                ("enforce", "strict"),
                ("audit", "Baseline"),
                ("warn-version", "1.25"),
            ]),
            defaults,
        );
        assert_eq!(p.enforce, lv(Level::Restricted, PolicyVersion::Latest));
        assert_eq!(p.audit, lv(Level::Privileged, PolicyVersion::V1(3)));
        // A bad enforce level does not make warn follow it.
        assert_eq!(p.warn, lv(Level::Privileged, PolicyVersion::Latest));
        assert_eq!(
            errors,
            [
                r#"metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted"#,
                r#"metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "Baseline": must be one of privileged, baseline, restricted"#,
                r#"metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.25": must be "latest" or "v1.x""#,
            ]
        );
        assert_eq!(aggregate(&errors[..1]), errors[0]);
        assert_eq!(
            aggregate(&[errors[0].clone(), errors[0].clone(), errors[2].clone()]),
            format!("[{}, {}]", errors[0], errors[2])
        );
        // An empty value is a bad value.
        let (p, errors) = policy_to_evaluate(&labels(&[("enforce-version", "")]), PRIVILEGED);
        assert_eq!(p.enforce.version, PolicyVersion::Latest);
        assert!(errors[0].ends_with(r#"Invalid value: "": must be "latest" or "v1.x""#));
    }
}
