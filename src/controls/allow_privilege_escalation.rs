//! Privilege escalation (restricted, v1.8+).
//!
//! Reads `securityContext.allowPrivilegeEscalation` of every container.
//! Allowed: `false` (unset is not enough: the runtime's default is to allow).
//! From v1.25 a pod with `spec.os.name: windows` is exempt.

use super::{containers_where, Violation};
use crate::pod::PodView;

pub fn check(pod: &PodView) -> Option<Violation> {
    let bad = containers_where(pod, |c| {
        c.security_context
            .as_ref()
            .and_then(|sc| sc.allow_privilege_escalation)
            != Some(false)
    });
    if bad.is_empty() {
        return None;
    }
    Some(
        Violation::of("allowPrivilegeEscalation != false")
            .containers(&bad)
            .text(" must set securityContext.allowPrivilegeEscalation=false"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn requires_explicit_false() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false}}]}}"#
            )),
            None
        );
        let v = check(&pod(
            r#"{"spec":{"initContainers":[{"name":"i","securityContext":{"allowPrivilegeEscalation":true}}],
            "containers":[{"name":"c"}],"ephemeralContainers":[{"name":"e","securityContext":{"allowPrivilegeEscalation":null}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "allowPrivilegeEscalation != false");
        assert_eq!(
            v.detail,
            r#"containers "i", "c", "e" must set securityContext.allowPrivilegeEscalation=false"#
        );
    }
}
