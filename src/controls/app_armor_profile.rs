//! AppArmor (baseline, v1.0+).
//!
//! Reads `spec.securityContext.appArmorProfile.type`, `securityContext.appArmorProfile.type`
//! of every container, and the annotations `container.apparmor.security.beta.kubernetes.io/*`.
//! Allowed: field unset, `RuntimeDefault` or `Localhost`; annotation `""`, `runtime/default`
//! or `localhost/*`.

use super::{forbidden_profile_types, forgive_profile, go_quote, join_quote, pluralize, Violation};
use crate::pod::{Container, ObjectMeta, PodView};

pub(crate) const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

pub fn check(pod: &PodView) -> Option<Violation> {
    let pod_profile = pod
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.app_armor_profile.as_ref());
    let (mut setters, values) = forbidden_profile_types(
        pod,
        pod_profile,
        |sc| sc.app_armor_profile.as_ref(),
        &["RuntimeDefault", "Localhost"],
    );
    let mut values: Vec<String> = values.into_iter().map(str::to_owned).collect();
    // Annotations are iterated in key order, so they come out sorted.
    let annotations: Vec<String> = pod
        .metadata
        .annotations
        .iter()
        .filter(|(k, v)| k.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(v))
        .map(|(k, v)| format!("{k}={}", go_quote(v)))
        .collect();
    if !annotations.is_empty() {
        setters.push(pluralize("annotation", "annotations", annotations.len()).to_owned());
        values.extend(annotations);
    }
    if setters.is_empty() {
        return None;
    }
    Some(Violation::new(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            values.len(),
        )
        .to_owned(),
        format!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            join_quote(&values)
        ),
    ))
}

/// Exclusion values: an AppArmor profile type the container sets (`Unconfined`), or the
/// value of its `container.apparmor.security.beta.kubernetes.io/<name>` annotation.
pub fn forgive(meta: &mut ObjectMeta, c: &mut Container, values: &[String]) -> Vec<String> {
    forgive_profile(meta, c, values, ANNOTATION_PREFIX, |sc| {
        sc.app_armor_profile.as_mut()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_runtime_default_and_localhost() {
        assert_eq!(
            check(&pod(
                r#"{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/a":"localhost/x",
                "container.apparmor.security.beta.kubernetes.io/b":"runtime/default",
                "container.apparmor.security.beta.kubernetes.io/c":"","other":"unconfined"}},
                "spec":{"securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}},
                "containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"Localhost","localhostProfile":"p"}}}]}}"#
            )),
            None
        );
    }

    #[test]
    fn reports_fields_and_annotations() {
        let v = check(&pod(
            r#"{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/a":"unconfined"}},
            "spec":{"securityContext":{"appArmorProfile":{"type":"Unconfined"}},
            "ephemeralContainers":[{"name":"e","securityContext":{"appArmorProfile":{}}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "forbidden AppArmor profiles");
        assert_eq!(
            v.detail,
            r#"pod and container "e" and annotation must not set AppArmor profile type to "", "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="unconfined"""#
        );
        let v = check(&pod(
            r#"{"spec":{"containers":[{"name":"c","securityContext":{"appArmorProfile":{"type":"Unconfined"}}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "forbidden AppArmor profile");
    }
}
