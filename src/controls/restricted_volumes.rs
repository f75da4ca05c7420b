//! Volume types (restricted, v1.0+; replaces `hostPathVolumes` there).
//!
//! Reads every source of `spec.volumes[*]`.
//! Allowed: `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`,
//! `persistentVolumeClaim`, `projected`, `secret`.
//!
//! A volume that sets no source at all passes: the API server defaults it to `emptyDir`
//! before admission, and PSA's reference fixtures expect exactly that. Otherwise a volume
//! passes only if every source it sets is allowed. A source this policy does not know is
//! reported as `"unknown"`, as PSA does. PSA passes a volume that sets an allowed source
//! next to a forbidden one (the API server refuses such a volume anyway); this policy
//! refuses it: fail closed.

use super::{sorted_set, Violation};
use crate::list::List;
use crate::pod::{PodView, Volume};

const ALLOWED: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The restricted sources PSA names, in the order it looks for them.
const NAMED: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/// The type to report for a volume that is not allowed, `None` when it is allowed.
fn restricted_type(volume: &Volume) -> Option<&'static str> {
    if volume.sources.iter().all(|s| ALLOWED.contains(&s.as_ref())) {
        return None;
    }
    Some(
        NAMED
            .iter()
            .find(|named| volume.has_source(named))
            .copied()
            .unwrap_or("unknown"),
    )
}

pub fn check(pod: &PodView) -> Option<Violation> {
    let mut bad_volumes = List::Empty;
    let mut types = List::Empty;
    for volume in &pod.spec.volumes {
        if let Some(kind) = restricted_type(volume) {
            bad_volumes.push(&*volume.name);
            types.push(kind);
        }
    }
    if bad_volumes.is_empty() {
        return None;
    }
    let types = sorted_set(types);
    Some(
        Violation::of("restricted volume types")
            .plural("volume ", "volumes ", bad_volumes.len())
            .quoted(&bad_volumes)
            .plural(" uses ", " use ", bad_volumes.len())
            .plural(
                "restricted volume type ",
                "restricted volume types ",
                types.len(),
            )
            .quoted(&types),
    )
}

/// Exclusion values: a volume type (`nfs`, `hostPath`, ...) or, for hostPath volumes, the
/// path. A volume is forgiven when every source it sets is allowed, listed, or a hostPath
/// whose path is listed.
pub fn forgive(pod: &mut PodView, values: &[String]) -> Vec<String> {
    let listed = |s: &str| values.iter().any(|v| v == s);
    let mut taken = Vec::new();
    pod.spec.volumes.retain(|v| {
        if restricted_type(v).is_none() {
            return true;
        }
        let path_listed = v.host_path.as_deref().is_some_and(listed);
        let forgiven = v.sources.iter().all(|s| {
            ALLOWED.contains(&s.as_ref()) || listed(s) || (s == "hostPath" && path_listed)
        });
        if forgiven {
            taken.push(v.name.to_string());
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
    fn allows_every_allowed_source() {
        let volumes: Vec<String> = ALLOWED
            .iter()
            .map(|s| format!(r#"{{"name":"{s}","{s}":{{}}}}"#))
            .collect();
        let json = format!(r#"{{"spec":{{"volumes":[{}]}}}}"#, volumes.join(","));
        assert_eq!(check(&pod(&json)), None);
    }

    #[test]
    fn names_every_restricted_source() {
        for s in NAMED {
            let json = format!(r#"{{"spec":{{"volumes":[{{"name":"v","{s}":{{}}}}]}}}}"#);
            let v = check(&pod(&json)).unwrap();
            assert_eq!(
                v.detail,
                format!(r#"volume "v" uses restricted volume type "{s}""#)
            );
        }
    }

    #[test]
    fn unknown_empty_and_mixed_volumes_fail_closed() {
        let v = check(&pod(
            r#"{"spec":{"volumes":[{"name":"a","futureDisk":{}},{"name":"b"},{"name":"c","hostPath":null},
            {"name":"d","configMap":{},"hostPath":{"path":"/"}},{"name":"e","secret":{},"futureDisk":{}},
            {"name":"ok","emptyDir":null,"secret":{}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "restricted volume types");
        // "b" and "c" set no source: the API server makes them emptyDir volumes.
        assert_eq!(
            v.detail,
            r#"volumes "a", "d", "e" use restricted volume types "hostPath", "unknown""#
        );
    }
}
