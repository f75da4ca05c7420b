//! Capabilities (restricted, v1.22+; replaces `capabilities_baseline` there).
//!
//! Reads `securityContext.capabilities.drop` and `.add` of every container.
//! Allowed: `drop` must include `"ALL"` (exactly that spelling); `add` may hold only
//! `"NET_BIND_SERVICE"`. From v1.25 a pod with `spec.os.name: windows` is exempt: the API
//! server forbids capabilities on Windows pods.

use std::collections::BTreeSet;

use super::{containers_phrase, join_quote, Violation};
use crate::pod::PodView;

pub fn check(pod: &PodView) -> Option<Violation> {
    let mut missing_drop_all = Vec::new();
    let mut adding_forbidden = Vec::new();
    let mut forbidden = BTreeSet::new();
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
            forbidden.insert(cap.as_ref());
        }
        if adds_forbidden {
            adding_forbidden.push(c.name());
        }
    }
    let mut details = Vec::new();
    if !missing_drop_all.is_empty() {
        details.push(format!(
            r#"{} must set securityContext.capabilities.drop=["ALL"]"#,
            containers_phrase(&missing_drop_all)
        ));
    }
    if !adding_forbidden.is_empty() {
        let forbidden: Vec<&str> = forbidden.into_iter().collect();
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding_forbidden),
            join_quote(&forbidden)
        ));
    }
    if details.is_empty() {
        return None;
    }
    Some(Violation::new(
        "unrestricted capabilities",
        details.join("; "),
    ))
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
