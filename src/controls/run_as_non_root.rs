//! Running as non-root (restricted, v1.0+).
//!
//! Reads `spec.securityContext.runAsNonRoot` and `securityContext.runAsNonRoot` of every
//! container. Allowed: `true`; unset on a container when the pod sets `true`. From v1.35 any
//! value in a pod with `spec.hostUsers: false` (root there is not root on the node).

use super::{containers_where, Violation};
use crate::pod::{Container, PodView};

const REASON: &str = "runAsNonRoot != true";

pub fn check(pod: &PodView) -> Option<Violation> {
    let pod_setting = pod
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.run_as_non_root);
    let container_setting = |c: &Container| {
        c.security_context
            .as_ref()
            .and_then(|sc| sc.run_as_non_root)
    };
    let explicitly_bad = containers_where(pod, |c| container_setting(c) == Some(false));
    let pod_false = pod_setting == Some(false);
    if pod_false || !explicitly_bad.is_empty() {
        return Some(
            Violation::of(REASON)
                .setters(pod_false, &explicitly_bad)
                .text(" must not set securityContext.runAsNonRoot=false"),
        );
    }
    if pod_setting == Some(true) {
        return None;
    }
    let implicitly_bad = containers_where(pod, |c| container_setting(c).is_none());
    if implicitly_bad.is_empty() {
        return None;
    }
    Some(
        Violation::of(REASON)
            .text("pod or ")
            .containers(&implicitly_bad)
            .text(" must set securityContext.runAsNonRoot=true"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_pod_level_true_or_every_container_true() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"a"}]}}"#
            )),
            None
        );
        assert_eq!(
            check(&pod(
                r#"{"spec":{"initContainers":[{"name":"i","securityContext":{"runAsNonRoot":true}}],
                "containers":[{"name":"a","securityContext":{"runAsNonRoot":true}}]}}"#
            )),
            None
        );
    }

    #[test]
    fn explicit_false_wins_over_pod_true() {
        let v = check(&pod(r#"{"spec":{"securityContext":{"runAsNonRoot":true},
            "ephemeralContainers":[{"name":"e","securityContext":{"runAsNonRoot":false}}]}}"#))
        .unwrap();
        assert_eq!(v.reason, "runAsNonRoot != true");
        assert_eq!(
            v.detail,
            r#"container "e" must not set securityContext.runAsNonRoot=false"#
        );
        let v = check(&pod(r#"{"spec":{"securityContext":{"runAsNonRoot":false},
            "containers":[{"name":"a","securityContext":{"runAsNonRoot":false}},{"name":"b"}]}}"#))
        .unwrap();
        assert_eq!(
            v.detail,
            r#"pod and container "a" must not set securityContext.runAsNonRoot=false"#
        );
    }

    #[test]
    fn unset_everywhere_is_reported() {
        let v = check(&pod(
            r#"{"spec":{"initContainers":[{"name":"i"}],"containers":[{"name":"a","securityContext":{"runAsNonRoot":true}},{"name":"b"}]}}"#,
        ))
        .unwrap();
        assert_eq!(
            v.detail,
            r#"pod or containers "i", "b" must set securityContext.runAsNonRoot=true"#
        );
    }
}
