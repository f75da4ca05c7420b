//! AppArmor (baseline, v1.0+).
//!
//! Reads `spec.securityContext.appArmorProfile.type`, `securityContext.appArmorProfile.type`
//! of every container, and the annotations `container.apparmor.security.beta.kubernetes.io/*`.
//! Allowed: field unset, `RuntimeDefault` or `Localhost`; annotation `""`, `runtime/default`
//! or `localhost/*`.

use super::{forbidden_profile_types, forgive_profile, go_quote, Violation};
use crate::list::List;
use crate::pod::{Container, ObjectMeta, PodView};

pub(crate) use crate::pod::APP_ARMOR_ANNOTATION_PREFIX as ANNOTATION_PREFIX;

fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

pub fn check(pod: &PodView) -> Option<Violation> {
    let pod_profile = pod
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.app_armor_profile.as_ref());
    let fields = forbidden_profile_types(
        pod,
        pod_profile,
        |sc| sc.app_armor_profile.as_ref(),
        &["RuntimeDefault", "Localhost"],
    );
    // Annotations are iterated in key order, so they come out sorted.
    let annotations: Vec<String> = pod
        .metadata
        .annotations
        .iter()
        .filter(|(k, v)| k.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(v))
        .map(|(k, v)| format!("{k}={}", go_quote(v)))
        .collect();
    let fields_set = fields.pod || !fields.containers.is_empty();
    if !fields_set && annotations.is_empty() {
        return None;
    }
    let values: List<&str> = fields
        .types
        .iter()
        .copied()
        .chain(annotations.iter().map(String::as_str))
        .collect();
    let mut v = Violation::of(if values.len() == 1 {
        "forbidden AppArmor profile"
    } else {
        "forbidden AppArmor profiles"
    })
    .setters(fields.pod, &fields.containers);
    if !annotations.is_empty() {
        if fields_set {
            v = v.text(" and ");
        }
        v = v.plural("annotation", "annotations", annotations.len());
    }
    Some(
        v.text(" must not set AppArmor profile type to ")
            .quoted(&values),
    )
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
