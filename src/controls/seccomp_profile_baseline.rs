//! Seccomp at baseline: `seccompProfile_baseline` (v1.0+; at restricted, from v1.19,
//! `seccompProfile_restricted` replaces it and uses the shapes below).
//!
//! Up to v1.18 (`check_v1_0`) it reads the annotations `seccomp.security.alpha.kubernetes.io/pod`
//! and `container.seccomp.security.alpha.kubernetes.io/<container name>`; allowed:
//! `runtime/default`, `docker/default`, `localhost/*`.
//! From v1.19 (`check_v1_19`) it reads `seccompProfile.type` of `spec.securityContext` and of
//! every container; allowed: unset, `RuntimeDefault`, `Localhost`.

use super::{forbidden_profile_types, forgive_profile, go_quote, sorted_set, Violation};
use crate::pod::{Container, ObjectMeta, PodView, ProfileType};

pub(crate) use crate::pod::{
    SECCOMP_CONTAINER_ANNOTATION_PREFIX as CONTAINER_ANNOTATION_PREFIX,
    SECCOMP_POD_ANNOTATION as POD_ANNOTATION,
};
pub(super) const REASON: &str = "seccompProfile";

const VALID_TYPES: [&str; 2] = ["RuntimeDefault", "Localhost"];

fn valid_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

/// Up to v1.18: only the (then current) annotations are checked.
pub fn check_v1_0(pod: &PodView) -> Option<Violation> {
    let mut forbidden = Vec::new();
    let mut inspect = |key: &str| {
        if let Some(value) = pod.metadata.annotation(key) {
            if !valid_annotation(value) {
                forbidden.push(format!("{key}={}", go_quote(value)));
            }
        }
    };
    inspect(POD_ANNOTATION);
    for c in pod.spec.all_containers() {
        inspect(&format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name()));
    }
    if forbidden.is_empty() {
        return None;
    }
    let forbidden = sorted_set(forbidden.iter().map(String::as_str).collect());
    Some(
        Violation::of(REASON)
            .plural(
                "forbidden annotation ",
                "forbidden annotations ",
                forbidden.len(),
            )
            .plain(&forbidden),
    )
}

pub(super) fn pod_profile<'p, 'a>(pod: &'p PodView<'a>) -> Option<&'p ProfileType<'a>> {
    pod.spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.seccomp_profile.as_ref())
}

pub(super) fn container_profile<'c, 'a>(c: &'c Container<'a>) -> Option<&'c ProfileType<'a>> {
    c.security_context
        .as_ref()
        .and_then(|sc| sc.seccomp_profile.as_ref())
}

/// The explicitly forbidden settings: who sets them ("pod", containers) and the values.
pub(super) fn explicit_violation(pod: &PodView) -> Option<Violation> {
    let found = forbidden_profile_types(
        pod,
        pod_profile(pod),
        |sc| sc.seccomp_profile.as_ref(),
        &VALID_TYPES,
    );
    if !found.pod && found.containers.is_empty() {
        return None;
    }
    Some(
        Violation::of(REASON)
            .setters(found.pod, &found.containers)
            .text(" must not set securityContext.seccompProfile.type to ")
            .quoted(&found.types),
    )
}

/// From v1.19: the fields may be unset, but what is set must be a confining profile.
pub fn check_v1_19(pod: &PodView) -> Option<Violation> {
    explicit_violation(pod)
}

/// Exclusion values: a profile type the container sets (`Unconfined`), or the value of its
/// `container.seccomp.security.alpha.kubernetes.io/<name>` annotation. A forgiven type counts
/// as a confining profile for that container (at restricted too).
pub fn forgive(meta: &mut ObjectMeta, c: &mut Container, values: &[String]) -> Vec<String> {
    forgive_profile(meta, c, values, CONTAINER_ANNOTATION_PREFIX, |sc| {
        sc.seccomp_profile.as_mut()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn annotations_allow_runtime_docker_and_localhost() {
        let p = pod(
            r#"{"metadata":{"annotations":{"seccomp.security.alpha.kubernetes.io/pod":"docker/default",
            "container.seccomp.security.alpha.kubernetes.io/a":"localhost/p",
            "container.seccomp.security.alpha.kubernetes.io/b":"runtime/default",
            "container.seccomp.security.alpha.kubernetes.io/not-a-container":"unconfined"}},
            "spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
        );
        assert_eq!(check_v1_0(&p), None);
    }

    #[test]
    fn annotations_report_sorted_with_go_quoting() {
        let v = check_v1_0(&pod(
            r#"{"metadata":{"annotations":{"seccomp.security.alpha.kubernetes.io/pod":"",
            "container.seccomp.security.alpha.kubernetes.io/e":"unconfined"}},
            "spec":{"ephemeralContainers":[{"name":"e"}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "seccompProfile");
        assert_eq!(
            v.detail,
            r#"forbidden annotations container.seccomp.security.alpha.kubernetes.io/e="unconfined", seccomp.security.alpha.kubernetes.io/pod="""#
        );
    }

    #[test]
    fn baseline_fields_allow_unset() {
        assert_eq!(
            check_v1_19(&pod(r#"{"spec":{"containers":[{"name":"a"}]}}"#)),
            None
        );
        let v = check_v1_19(&pod(
            r#"{"spec":{"securityContext":{"seccompProfile":{"type":"Unconfined"}},
            "containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Localhost"}}},
            {"name":"b","securityContext":{"seccompProfile":{}}}]}}"#,
        ))
        .unwrap();
        assert_eq!(
            v.detail,
            r#"pod and container "b" must not set securityContext.seccompProfile.type to "", "Unconfined""#
        );
    }
}
