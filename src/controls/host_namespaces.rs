//! Host namespaces (baseline, v1.0+).
//!
//! Reads `spec.hostNetwork`, `spec.hostPID`, `spec.hostIPC`.
//! Allowed: unset or `false`.

use super::Violation;
use crate::pod::PodView;

pub fn check(pod: &PodView) -> Option<Violation> {
    let spec = &pod.spec;
    let mut shared = [
        (spec.host_network, "hostNetwork=true"),
        (spec.host_pid, "hostPID=true"),
        (spec.host_ipc, "hostIPC=true"),
    ]
    .into_iter()
    .filter(|(set, _)| *set == Some(true))
    .map(|(_, text)| text);
    let first = shared.next()?;
    Some(
        shared.fold(Violation::of("host namespaces").text(first), |v, text| {
            v.text(", ").text(text)
        }),
    )
}

/// Exclusion values: `hostNetwork`, `hostPID`, `hostIPC`.
pub fn forgive(pod: &mut PodView, values: &[String]) -> Vec<String> {
    let spec = &mut pod.spec;
    let mut taken = Vec::new();
    for (field, name) in [
        (&mut spec.host_network, "hostNetwork"),
        (&mut spec.host_pid, "hostPID"),
        (&mut spec.host_ipc, "hostIPC"),
    ] {
        if *field == Some(true) && values.iter().any(|v| v == name) {
            *field = None;
            taken.push(name.to_owned());
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_unset_and_false() {
        assert_eq!(check(&pod(r#"{"spec":{}}"#)), None);
        assert_eq!(
            check(&pod(
                r#"{"spec":{"hostNetwork":false,"hostPID":false,"hostIPC":null}}"#
            )),
            None
        );
    }

    #[test]
    fn names_every_shared_namespace() {
        let v = check(&pod(
            r#"{"spec":{"hostNetwork":true,"hostPID":true,"hostIPC":true}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "host namespaces");
        assert_eq!(v.detail, "hostNetwork=true, hostPID=true, hostIPC=true");
        let v = check(&pod(r#"{"spec":{"hostIPC":true}}"#)).unwrap();
        assert_eq!(v.detail, "hostIPC=true");
    }
}
