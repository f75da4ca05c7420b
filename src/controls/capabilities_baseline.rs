//! Capabilities beyond the default set (baseline, v1.0+; replaced at restricted by
//! `capabilities_restricted` from v1.22).
//!
//! Reads `securityContext.capabilities.add` of every container.
//! Allowed: unset, empty, or only values from the container runtime's default set:
//! AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE,
//! SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT (exact, case-sensitive).

use super::{sorted_set, Violation};
use crate::list::List;
use crate::pod::{Container, ObjectMeta, PodView};

const DEFAULT_SET: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub fn check(pod: &PodView) -> Option<Violation> {
    let mut bad_containers = List::Empty;
    let mut added = List::Empty;
    for c in pod.spec.all_containers() {
        let Some(caps) = c
            .security_context
            .as_ref()
            .and_then(|sc| sc.capabilities.as_ref())
        else {
            continue;
        };
        let mut valid = true;
        for cap in &caps.add {
            if !DEFAULT_SET.contains(&cap.as_ref()) {
                valid = false;
                added.push(cap.as_ref());
            }
        }
        if !valid {
            bad_containers.push(c.name());
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    Some(
        Violation::of("non-default capabilities")
            .containers(&bad_containers)
            .text(" must not include ")
            .quoted(&sorted_set(added))
            .text(" in securityContext.capabilities.add"),
    )
}

/// Exclusion values: capability names taken out of `capabilities.add` (both capability
/// controls forgive this way; a missing `drop: ["ALL"]` has no value to forgive).
pub fn forgive(_: &mut ObjectMeta, c: &mut Container, values: &[String]) -> Vec<String> {
    let Some(caps) = c
        .security_context
        .as_mut()
        .and_then(|sc| sc.capabilities.as_mut())
    else {
        return Vec::new();
    };
    let mut taken = Vec::new();
    caps.add.retain(|cap| {
        let forgiven = values.iter().any(|v| *v == **cap);
        if forgiven {
            taken.push(cap.to_string());
        }
        !forgiven
    });
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_default_set() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"containers":[{"name":"a","securityContext":{"capabilities":{"add":["CHOWN","NET_BIND_SERVICE"],"drop":["ALL"]}}}]}}"#
            )),
            None
        );
    }

    #[test]
    fn lists_sorted_unique_capabilities() {
        let v = check(&pod(
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"capabilities":{"add":["SYS_ADMIN","NET_RAW"]}}}],
            "ephemeralContainers":[{"name":"e","securityContext":{"capabilities":{"add":["NET_RAW","chown"]}}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "non-default capabilities");
        assert_eq!(
            v.detail,
            r#"containers "a", "e" must not include "NET_RAW", "SYS_ADMIN", "chown" in securityContext.capabilities.add"#
        );
    }
}
