//! HostPath volumes (baseline, v1.0+; at restricted, `restrictedVolumes` covers them).
//!
//! Reads `spec.volumes[*].hostPath`. Allowed: unset or null.

use super::Violation;
use crate::list::List;
use crate::pod::PodView;

pub fn check(pod: &PodView) -> Option<Violation> {
    let names: List<&str> = pod
        .spec
        .volumes
        .iter()
        .filter(|v| v.has_source("hostPath"))
        .map(|v| v.name.as_ref())
        .collect();
    if names.is_empty() {
        return None;
    }
    Some(
        Violation::of("hostPath volumes")
            .plural("volume ", "volumes ", names.len())
            .quoted(&names),
    )
}

/// Exclusion values: hostPath paths, exactly as written in `hostPath.path`.
pub fn forgive(pod: &mut PodView, values: &[String]) -> Vec<String> {
    let mut taken = Vec::new();
    pod.spec.volumes.retain(|v| match v.host_path.as_deref() {
        Some(path) if v.has_source("hostPath") && values.iter().any(|x| x == path) => {
            taken.push(path.to_owned());
            false
        }
        _ => true,
    });
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_other_volumes_and_null_host_path() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"volumes":[{"name":"a","emptyDir":{}},{"name":"b","hostPath":null,"nfs":{}}]}}"#
            )),
            None
        );
    }

    #[test]
    fn names_host_path_volumes() {
        let v = check(&pod(
            r#"{"spec":{"volumes":[{"name":"a","hostPath":{"path":"/"}},{"name":"b","configMap":{},"hostPath":{}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "hostPath volumes");
        assert_eq!(v.detail, r#"volumes "a", "b""#);
    }
}
