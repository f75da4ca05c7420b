//! Privileged containers (baseline, v1.0+).
//!
//! Reads `securityContext.privileged` of every container, init container and ephemeral
//! container. Allowed: unset or `false`.

use super::{containers_where, Violation};
use crate::pod::PodView;

pub fn check(pod: &PodView) -> Option<Violation> {
    let bad = containers_where(pod, |c| {
        c.security_context.as_ref().and_then(|sc| sc.privileged) == Some(true)
    });
    if bad.is_empty() {
        return None;
    }
    Some(
        Violation::of("privileged")
            .containers(&bad)
            .text(" must not set securityContext.privileged=true"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_unset_and_false() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"containers":[{"name":"a"},{"name":"b","securityContext":{"privileged":false}}]}}"#
            )),
            None
        );
    }

    #[test]
    fn finds_privileged_in_every_container_kind() {
        let v = check(&pod(
            r#"{"spec":{"containers":[{"name":"c","securityContext":{"privileged":true}}],
            "initContainers":[{"name":"i","securityContext":{"privileged":true}}],
            "ephemeralContainers":[{"name":"e","securityContext":{"privileged":true}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "privileged");
        assert_eq!(
            v.detail,
            r#"containers "i", "c", "e" must not set securityContext.privileged=true"#
        );
    }
}
