//! Capabilities (restricted, v1.22+; replaces `capabilities_baseline` there).
//!
//! Reads `securityContext.capabilities.drop` and `.add` of every container.
//! Allowed: `drop` must include `"ALL"` (exactly that spelling); `add` may hold only
//! `"NET_BIND_SERVICE"`. From v1.25 a pod with `spec.os.name: windows` is exempt: the API
//! server forbids capabilities on Windows pods.

use super::{sorted_set, Violation};
use crate::list::List;
use crate::pod::PodView;

/// Exclusion values: added capabilities, as at baseline.
pub use super::capabilities_baseline::forgive;

pub fn check(pod: &PodView) -> Option<Violation> {
    let mut missing_drop_all = List::Empty;
    let mut adding_forbidden = List::Empty;
    let mut forbidden = List::Empty;
    for c in pod.spec.all_containers() {
        let Some(caps) = c
            .security_context
            .as_ref()
            .and_then(|sc| sc.capabilities.as_ref())
        else {
            missing_drop_all.push(c.name());
            continue;
        };
        if !caps.drop.iter().any(|cap| cap == "ALL") {
            missing_drop_all.push(c.name());
        }
        let mut adds_forbidden = false;
        for cap in caps.add.iter().filter(|cap| *cap != "NET_BIND_SERVICE") {
            adds_forbidden = true;
            forbidden.push(cap.as_ref());
        }
        if adds_forbidden {
            adding_forbidden.push(c.name());
        }
    }
    if missing_drop_all.is_empty() && adding_forbidden.is_empty() {
        return None;
    }
    let mut v = Violation::of("unrestricted capabilities");
    if !missing_drop_all.is_empty() {
        v = v
            .containers(&missing_drop_all)
            .text(r#" must set securityContext.capabilities.drop=["ALL"]"#);
        if !adding_forbidden.is_empty() {
            v = v.text("; ");
        }
    }
    if !adding_forbidden.is_empty() {
        v = v
            .containers(&adding_forbidden)
            .text(" must not include ")
            .quoted(&sorted_set(forbidden))
            .text(" in securityContext.capabilities.add");
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_drop_all_and_net_bind_service() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"containers":[{"name":"a","securityContext":{"capabilities":{"drop":["NET_RAW","ALL"],"add":["NET_BIND_SERVICE"]}}}]}}"#
            )),
            None
        );
    }

    #[test]
    fn drop_all_must_be_spelled_exactly() {
        for drop in [r#"["all"]"#, r#"[" ALL"]"#, r#"["ALL "]"#, "[]", "null"] {
            let json = format!(
                r#"{{"spec":{{"containers":[{{"name":"a","securityContext":{{"capabilities":{{"drop":{drop}}}}}}}]}}}}"#
            );
            let v = check(&pod(&json)).unwrap_or_else(|| panic!("{drop} accepted"));
            assert_eq!(
                v.detail,
                r#"container "a" must set securityContext.capabilities.drop=["ALL"]"#
            );
        }
    }

    #[test]
    fn reports_missing_drop_and_forbidden_adds_in_every_container_kind() {
        let v = check(&pod(
            r#"{"spec":{"initContainers":[{"name":"i"}],
            "containers":[{"name":"c","securityContext":{"capabilities":{"drop":["ALL"],"add":["ALL","SYS_ADMIN"]}}}],
            "ephemeralContainers":[{"name":"e","securityContext":{}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "unrestricted capabilities");
        assert_eq!(
            v.detail,
            r#"containers "i", "e" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "ALL", "SYS_ADMIN" in securityContext.capabilities.add"#
        );
    }
}
