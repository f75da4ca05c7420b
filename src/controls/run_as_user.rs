//! Non-root user ID (restricted, v1.23+).
//!
//! Reads `spec.securityContext.runAsUser` and `securityContext.runAsUser` of every
//! container. Allowed: unset or non-zero. From v1.35 any value in a pod with
//! `spec.hostUsers: false`.

use super::{containers_where, Violation};
use crate::pod::PodView;

pub fn check(pod: &PodView) -> Option<Violation> {
    let pod_zero = pod
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.run_as_user)
        == Some(0);
    let containers = containers_where(pod, |c| {
        c.security_context.as_ref().and_then(|sc| sc.run_as_user) == Some(0)
    });
    if !pod_zero && containers.is_empty() {
        return None;
    }
    Some(
        Violation::of("runAsUser=0")
            .setters(pod_zero, &containers)
            .text(" must not set runAsUser=0"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_unset_and_non_zero() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"securityContext":{"runAsUser":1000},"containers":[{"name":"a","securityContext":{"runAsUser":-1}}]}}"#
            )),
            None
        );
    }

    #[test]
    fn reports_pod_and_containers_with_zero() {
        let v = check(&pod(
            r#"{"spec":{"securityContext":{"runAsUser":0,"runAsNonRoot":true},
            "initContainers":[{"name":"i","securityContext":{"runAsUser":0}}],
            "containers":[{"name":"c","securityContext":{"runAsUser":0}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "runAsUser=0");
        assert_eq!(
            v.detail,
            r#"pod and containers "i", "c" must not set runAsUser=0"#
        );
    }
}
