//! The view against the JSON it is read from: nulls, types, lists, annotations.

use super::*;
use crate::list::List;

fn view(json: &str) -> PodView<'_> {
    PodView::from_json(json).expect("view")
}

#[test]
fn nulls_read_as_unset() {
    let pod = view(
        r#"{"metadata":{"annotations":null},"spec":{"containers":null,"securityContext":null,
        "volumes":[{"name":"v","hostPath":null,"emptyDir":{}}],"hostNetwork":null}}"#,
    );
    assert!(pod.spec.containers.is_empty());
    assert!(pod.spec.security_context.is_none());
    assert_eq!(pod.spec.host_network, None);
    assert_eq!(*pod.spec.volumes[0].sources, ["emptyDir"]);
}

#[test]
fn unknown_volume_source_is_kept() {
    let pod = view(r#"{"spec":{"volumes":[{"name":"v","fancyNewDisk":{"x":1}}]}}"#);
    assert_eq!(pod.spec.volumes[0].name, "v");
    assert_eq!(*pod.spec.volumes[0].sources, ["fancyNewDisk"]);
}

#[test]
fn wrong_types_are_errors_with_a_path() {
    let json = r#"{"spec":{"containers":[{"name":"a","securityContext":{"privileged":"yes"}}]}}"#;
    assert!(PodView::from_json(json).is_err());
    let msg = read_error(json, &PodView::from_json(json).unwrap_err());
    assert!(
        msg.starts_with("spec.containers[0].securityContext.privileged: invalid type"),
        "{msg}"
    );
    // A volume source must be an object.
    assert!(PodView::from_json(r#"{"spec":{"volumes":[{"name":"v","hostPath":"/"}]}}"#).is_err());
}

#[test]
fn arrays_are_not_read_as_objects() {
    // serde's derive read a struct from an array, field by field in declaration order:
    // `"securityContext": [true]` set `privileged`. The API server refuses such a pod, and
    // so does this reader.
    for json in [
        r#"{"spec":{"containers":[{"name":"a","securityContext":[true]}]}}"#,
        r#"{"spec":{"containers":[{"name":"a","securityContext":[]}]}}"#,
        r#"{"spec":{"securityContext":[null,0]}}"#,
        r#"{"spec":[]}"#,
        r#"{"spec":{"volumes":[{"name":"v","hostPath":["/"]}]}}"#,
    ] {
        let error = PodView::from_json(json).unwrap_err();
        assert!(
            error
                .message
                .starts_with("invalid type: sequence, expected "),
            "{json}: {error}"
        );
    }
}

#[test]
fn containers_are_visited_init_regular_ephemeral() {
    let pod = view(
        r#"{"spec":{"containers":[{"name":"c"}],"initContainers":[{"name":"i"}],
        "ephemeralContainers":[{"name":"e"}]}}"#,
    );
    let names: Vec<_> = pod.spec.all_containers().map(|c| c.name()).collect();
    assert_eq!(names, ["i", "c", "e"]);
    let kinds: Vec<_> = pod.spec.containers_with_kind().map(|(k, _)| k).collect();
    assert_eq!(
        kinds,
        [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral
        ]
    );
}

#[test]
fn escaped_strings_are_read() {
    let pod = view(
        r#"{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/a\u0062":"c\"d"}}}"#,
    );
    assert_eq!(
        pod.metadata
            .annotation("container.apparmor.security.beta.kubernetes.io/ab"),
        Some("c\"d")
    );
}

#[test]
fn only_annotations_a_control_reads_are_kept() {
    let pod = view(
        r#"{"metadata":{"annotations":{"team":"a","seccomp.security.alpha.kubernetes.io/pod":"x",
        "container.seccomp.security.alpha.kubernetes.io/c":"y","seccomp.security.alpha.kubernetes.io/pod":"z"}}}"#,
    );
    let kept: Vec<_> = pod.metadata.annotations.keys().map(|k| &**k).collect();
    assert_eq!(
        kept,
        [
            "container.seccomp.security.alpha.kubernetes.io/c",
            "seccomp.security.alpha.kubernetes.io/pod"
        ]
    );
    // The last of duplicate keys wins, as in Go.
    assert_eq!(
        pod.metadata
            .annotation("seccomp.security.alpha.kubernetes.io/pod"),
        Some("z")
    );
    // An annotation no control reads must still be a string.
    assert!(PodView::from_json(r#"{"metadata":{"annotations":{"team":5}}}"#).is_err());
}

#[test]
fn lists_keep_every_element_in_order() {
    let pod = view(
        r#"{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}],"initContainers":[{"name":"i"}]}}"#,
    );
    let names: Vec<_> = pod.spec.all_containers().map(|c| c.name()).collect();
    assert_eq!(names, ["i", "a", "b", "c"]);
    let mut list = pod.spec.containers.clone();
    list.retain(|c| c.name() != "b");
    assert_eq!(
        list.iter().map(|c| c.name()).collect::<Vec<_>>(),
        ["a", "c"]
    );
    list.retain(|c| c.name() == "c");
    assert!(matches!(list, List::One(_)));
    list.retain(|_| false);
    assert!(list.is_empty() && matches!(list, List::Empty));
    assert!(PodView::from_json(r#"{"spec":{"containers":{}}}"#).is_err());
}

#[test]
fn unescaped_strings_are_borrowed() {
    let pod = view(r#"{"spec":{"containers":[{"name":"plain","image":"n\u0067inx"}]}}"#);
    let c = &pod.spec.containers[0];
    assert!(c
        .name
        .as_ref()
        .is_some_and(|n| n.is_borrowed() && *n == "plain"));
    assert!(c
        .image
        .as_ref()
        .is_some_and(|i| !i.is_borrowed() && *i == "nginx"));
}

#[test]
fn read_errors_cut_what_they_repeat() {
    let long = "v".repeat(100_000);
    let json = format!(r#"{{"metadata":{{"annotations":{{"{long}":5}}}}}}"#);
    let msg = read_error(&json, &PodView::from_json(&json).unwrap_err());
    assert!(msg.starts_with("metadata.annotations.vvv"), "{msg}");
    assert!(
        msg.contains("more bytes)") && msg.len() < 1200,
        "{}",
        msg.len()
    );
    let json = format!(r#"{{"spec":{{"hostPID":"{long}"}}}}"#);
    let msg = read_error(&json, &PodView::from_json(&json).unwrap_err());
    assert!(
        msg.starts_with("spec.hostPID: invalid type: string \"vvv"),
        "{msg}"
    );
    assert!(msg.len() < 1200, "{}", msg.len());
}
