//! Read-only root filesystem: this policy's own control, beyond the standard, switched by
//! the `requireReadOnlyRootFilesystem` setting (on by default).
//!
//! Reads `securityContext.readOnlyRootFilesystem` of every container, init container and
//! ephemeral container. Allowed: `true`. A pod with `spec.os.name: windows` is exempt: the
//! API server forbids the field on Windows pods, so no Windows pod could ever comply.

use super::{containers_where, Violation};
use crate::pod::PodView;

pub fn check(pod: &PodView) -> Option<Violation> {
    if pod.spec.is_windows() {
        return None;
    }
    let bad = containers_where(pod, |c| {
        c.security_context
            .as_ref()
            .and_then(|sc| sc.read_only_root_filesystem)
            != Some(true)
    });
    if bad.is_empty() {
        return None;
    }
    Some(
        Violation::of("readOnlyRootFilesystem != true")
            .containers(&bad)
            .text(" must set securityContext.readOnlyRootFilesystem=true"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn requires_true_on_every_container_kind() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"containers":[{"name":"a","securityContext":{"readOnlyRootFilesystem":true}}]}}"#
            )),
            None
        );
        let v = check(&pod(
            r#"{"spec":{"initContainers":[{"name":"i"}],
            "containers":[{"name":"c","securityContext":{"readOnlyRootFilesystem":false}},{"name":"ok","securityContext":{"readOnlyRootFilesystem":true}}],
            "ephemeralContainers":[{"name":"e","securityContext":{}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "readOnlyRootFilesystem != true");
        assert_eq!(
            v.detail,
            r#"containers "i", "c", "e" must set securityContext.readOnlyRootFilesystem=true"#
        );
    }

    #[test]
    fn windows_pods_are_exempt() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"os":{"name":"windows"},"containers":[{"name":"a"}]}}"#
            )),
            None
        );
    }
}
