//! /proc mount type: `procMount` (baseline, v1.0+; at restricted, from v1.35,
//! `procMount_restricted` replaces it with the same check, unrelaxed).
//!
//! Reads `securityContext.procMount` of every container.
//! Allowed: unset or `Default`. From v1.35 the control allows any value in a pod with
//! `spec.hostUsers: false` (its /proc is the user namespace's own; the table relaxes it).

use super::{sorted_set, Violation};
use crate::list::List;
use crate::pod::{Container, ObjectMeta, PodView};

pub fn check(pod: &PodView) -> Option<Violation> {
    let mut bad_containers = List::Empty;
    let mut types = List::Empty;
    for c in pod.spec.all_containers() {
        let Some(proc_mount) = c
            .security_context
            .as_ref()
            .and_then(|sc| sc.proc_mount.as_deref())
        else {
            continue;
        };
        if proc_mount != "Default" {
            bad_containers.push(c.name());
            types.push(proc_mount);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    Some(
        Violation::of("procMount")
            .containers(&bad_containers)
            .text(" must not set securityContext.procMount to ")
            .quoted(&sorted_set(types)),
    )
}

/// Exclusion values: procMount types (`procMount_restricted` forgives this way too).
pub fn forgive(_: &mut ObjectMeta, c: &mut Container, values: &[String]) -> Vec<String> {
    let Some(sc) = c.security_context.as_mut() else {
        return Vec::new();
    };
    match sc.proc_mount.as_deref() {
        Some(value) if values.iter().any(|v| v == value) => {
            let taken = vec![value.to_owned()];
            sc.proc_mount = None;
            taken
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_unset_and_default() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"containers":[{"name":"a","securityContext":{"procMount":"Default"}},{"name":"b"}]}}"#
            )),
            None
        );
    }

    #[test]
    fn reports_other_values_including_empty() {
        let v = check(&pod(
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}],
            "ephemeralContainers":[{"name":"e","securityContext":{"procMount":""}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "procMount");
        assert_eq!(
            v.detail,
            r#"containers "a", "e" must not set securityContext.procMount to "", "Unmasked""#
        );
    }
}
