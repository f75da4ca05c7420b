//! Seccomp at restricted: `seccompProfile_restricted` (v1.19+, where it replaces
//! `seccompProfile_baseline`).
//!
//! Reads `seccompProfile.type` of `spec.securityContext` and of every container, as the
//! baseline control does from v1.19; allowed: `RuntimeDefault` or `Localhost`, set on the pod
//! or on every container. From v1.25 a pod with `spec.os.name: windows` is exempt (the table
//! relaxes it; what baseline refuses stays refused).

use super::seccomp_profile_baseline::{container_profile, explicit_violation, pod_profile, REASON};
use super::Violation;
use crate::pod::PodView;

/// Exclusion values: as at baseline (see [`super::seccomp_profile_baseline::forgive`]).
pub use super::seccomp_profile_baseline::forgive;

/// Restricted: a confining profile must be set, on the pod or on every container.
pub fn check(pod: &PodView) -> Option<Violation> {
    if let Some(v) = explicit_violation(pod) {
        return Some(v);
    }
    let pod_set = pod_profile(pod).is_some();
    if pod_set {
        return None;
    }
    let unset: Vec<&str> = pod
        .spec
        .all_containers()
        .filter(|c| container_profile(c).is_none())
        .map(|c| c.name())
        .collect();
    if unset.is_empty() {
        return None;
    }
    Some(
        Violation::of(REASON)
            .text("pod or ")
            .containers(&unset)
            .text(r#" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn restricted_requires_a_profile_somewhere() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"a"}]}}"#
            )),
            None
        );
        let v = check(&pod(
            r#"{"spec":{"initContainers":[{"name":"i"}],"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Localhost"}}}]}}"#,
        ))
        .unwrap();
        assert_eq!(
            v.detail,
            r#"pod or container "i" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#
        );
    }

    #[test]
    fn restricted_reports_explicit_values_before_missing_ones() {
        let v = check(&pod(
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Unconfined"}}},{"name":"b"}]}}"#,
        ))
        .unwrap();
        assert_eq!(
            v.detail,
            r#"container "a" must not set securityContext.seccompProfile.type to "Unconfined""#
        );
    }
}
