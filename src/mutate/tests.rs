//! Secure defaults, named cases: what is filled in, at which depth, and what is never touched.

use super::*;
use serde_json::json;

fn mutate(pod: Value, rorfs: bool) -> (Value, Vec<String>) {
    secure_defaults(&pod.to_string(), PodCarrier::Pod, Defaults::all(rorfs))
        .unwrap_or((pod, Vec::new()))
}

#[test]
fn bare_pod_gets_every_default() {
    let (pod, warnings) = mutate(
        json!({"kind": "Pod", "spec": {"containers": [{"name": "app", "image": "nginx"}]}}),
        true,
    );
    assert_eq!(
        pod,
        json!({"kind": "Pod", "spec": {
            "containers": [{"name": "app", "image": "nginx", "securityContext": {
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]},
                "readOnlyRootFilesystem": true}}],
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}, "runAsNonRoot": true}}})
    );
    assert_eq!(
        warnings,
        [
            r#"container "app": set securityContext.allowPrivilegeEscalation=false"#,
            r#"container "app": added "ALL" to securityContext.capabilities.drop"#,
            r#"container "app": set securityContext.readOnlyRootFilesystem=true"#,
            "pod: set securityContext.seccompProfile.type=RuntimeDefault",
            "pod: set securityContext.runAsNonRoot=true",
        ]
    );
}

#[test]
fn every_container_kind_is_defaulted() {
    let (pod, warnings) = mutate(
        json!({"spec": {"initContainers": [{"name": "i"}], "containers": [{"name": "c"}],
               "ephemeralContainers": [{"name": "e"}]}}),
        false,
    );
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let sc = &pod["spec"][list][0]["securityContext"];
        assert_eq!(sc["allowPrivilegeEscalation"], false, "{list}");
        assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]), "{list}");
        assert!(
            sc.get("readOnlyRootFilesystem").is_none(),
            "{list}: setting off"
        );
    }
    assert!(warnings
        .iter()
        .any(|w| w.starts_with(r#"init container "i""#)));
    assert!(warnings
        .iter()
        .any(|w| w.starts_with(r#"ephemeral container "e""#)));
}

#[test]
fn explicit_values_are_kept() {
    let original = json!({"spec": {
        "securityContext": {"runAsNonRoot": false, "seccompProfile": {"type": "Unconfined"}},
        "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
        "containers": [{"name": "c", "securityContext": {
            "privileged": true, "allowPrivilegeEscalation": true, "readOnlyRootFilesystem": false,
            "capabilities": {"add": ["SYS_ADMIN"], "drop": ["NET_RAW"]}}}]}});
    let (pod, warnings) = mutate(original.clone(), true);
    let sc = &pod["spec"]["containers"][0]["securityContext"];
    assert_eq!(sc["privileged"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], true);
    assert_eq!(sc["readOnlyRootFilesystem"], false);
    assert_eq!(sc["capabilities"]["add"], json!(["SYS_ADMIN"]));
    // Existing drops stay; ALL is added after them.
    assert_eq!(sc["capabilities"]["drop"], json!(["NET_RAW", "ALL"]));
    assert_eq!(
        pod["spec"]["securityContext"],
        original["spec"]["securityContext"]
    );
    assert_eq!(pod["spec"]["volumes"], original["spec"]["volumes"]);
    assert_eq!(
        warnings,
        [r#"container "c": added "ALL" to securityContext.capabilities.drop"#]
    );
}

#[test]
fn lowercase_all_is_not_all() {
    let (pod, _) = mutate(
        json!({"spec": {"containers": [{"name": "c",
        "securityContext": {"capabilities": {"drop": ["all"]}}}]}}),
        false,
    );
    assert_eq!(
        pod["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"],
        json!(["all", "ALL"])
    );
}

#[test]
fn pod_defaults_only_when_nobody_sets_the_field() {
    let (pod, _) = mutate(
        json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p"}, "runAsNonRoot": true}},
            {"name": "b"}]}}),
        false,
    );
    assert!(pod["spec"]["securityContext"]
        .get("seccompProfile")
        .is_none());
    assert!(pod["spec"]["securityContext"].get("runAsNonRoot").is_none());
    let (pod, warnings) = mutate(
        json!({"metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}},
               "spec": {"securityContext": {"runAsNonRoot": null}, "containers": []}}),
        false,
    );
    assert!(pod["spec"]["securityContext"]
        .get("seccompProfile")
        .is_none());
    assert_eq!(
        pod["spec"]["securityContext"]["runAsNonRoot"], true,
        "null is unset"
    );
    assert_eq!(warnings, ["pod: set securityContext.runAsNonRoot=true"]);
}

#[test]
fn windows_pods_get_no_linux_only_fields() {
    let (pod, warnings) = mutate(
        json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "c"}]}}),
        true,
    );
    assert!(pod["spec"]["containers"][0]
        .get("securityContext")
        .is_none());
    assert_eq!(warnings, ["pod: set securityContext.runAsNonRoot=true"]);
}

#[test]
fn unknown_fields_come_back_untouched() {
    let original = json!({"kind": "Pod", "metadata": {"annotations": {"x": "y"}},
        "futureTopLevel": {"a": [1, 2.5, "z"]},
        "spec": {"quantumScheduling": {"enabled": true},
                 "containers": [{"name": "c", "hyperThreads": 7, "securityContext": {"futureGuard": "on"}}]}});
    let (pod, _) = mutate(original.clone(), true);
    assert_eq!(pod["futureTopLevel"], original["futureTopLevel"]);
    assert_eq!(pod["metadata"], original["metadata"]);
    assert_eq!(
        pod["spec"]["quantumScheduling"],
        original["spec"]["quantumScheduling"]
    );
    assert_eq!(pod["spec"]["containers"][0]["hyperThreads"], 7);
    assert_eq!(
        pod["spec"]["containers"][0]["securityContext"]["futureGuard"],
        "on"
    );
}

#[test]
fn workload_templates_are_mutated_at_the_right_depth() {
    let template = json!({"metadata": {}, "spec": {"containers": [{"name": "c"}]}});
    let cases = [
        (
            PodCarrier::Deployment,
            json!({"kind": "Deployment", "spec": {"replicas": 1, "template": template}}),
        ),
        (
            PodCarrier::PodTemplate,
            json!({"kind": "PodTemplate", "template": template}),
        ),
        (
            PodCarrier::CronJob,
            json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}),
        ),
    ];
    for (carrier, object) in cases {
        let (mutated, _) =
            secure_defaults(&object.to_string(), carrier, Defaults::all(true)).unwrap();
        let mut at = &mutated;
        for key in carrier.template_path() {
            at = &at[*key];
        }
        assert_eq!(
            at["spec"]["securityContext"]["runAsNonRoot"], true,
            "{carrier:?}"
        );
        assert_eq!(
            at["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"],
            false
        );
        // Nothing at the wrong depth.
        assert!(
            mutated
                .get("spec")
                .and_then(|s| s.get("securityContext"))
                .is_none(),
            "{carrier:?}"
        );
        assert!(
            mutated
                .get("spec")
                .and_then(|s| s.get("containers"))
                .is_none(),
            "{carrier:?}"
        );
    }
}

#[test]
fn nothing_to_change_is_none() {
    let compliant = json!({"spec": {"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true}}]}});
    assert!(
        secure_defaults(&compliant.to_string(), PodCarrier::Pod, Defaults::all(true)).is_none()
    );
    assert!(secure_defaults(
        r#"{"spec":{}}"#,
        PodCarrier::Deployment,
        Defaults::all(true)
    )
    .is_none());
}

#[test]
fn only_what_the_level_and_version_require_is_filled_in() {
    let bare = json!({"spec": {"containers": [{"name": "c"}]}});
    let settings = |json: &str| Settings::from_json(json).unwrap();
    let cases = [
        (
            "baseline",
            r#"{"level":"baseline"}"#,
            vec![r#"container "c": set securityContext.readOnlyRootFilesystem=true"#],
        ),
        (
            "baseline without our control",
            r#"{"level":"baseline","requireReadOnlyRootFilesystem":false}"#,
            vec![],
        ),
        // v1.18: no seccompProfile_restricted yet, nor capabilities_restricted (v1.22).
        (
            "restricted v1.18",
            r#"{"version":"v1.18","requireReadOnlyRootFilesystem":false}"#,
            vec![
                r#"container "c": set securityContext.allowPrivilegeEscalation=false"#,
                "pod: set securityContext.runAsNonRoot=true",
            ],
        ),
    ];
    for (name, json, expected) in cases {
        let defaults = Defaults::for_settings(&settings(json));
        let warnings = secure_defaults(&bare.to_string(), PodCarrier::Pod, defaults)
            .map(|(_, w)| w)
            .unwrap_or_default();
        assert_eq!(warnings, expected, "{name}");
    }
    assert_eq!(
        Defaults::for_settings(&Settings::default()),
        Defaults::all(true)
    );
}
