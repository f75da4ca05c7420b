//! Exclusions end to end: the settings they refuse, what they forgive and say, the
//! baseline floor.

use crate::response::EXCLUSIONS_ANNOTATION;
use crate::settings::Settings;
use crate::verdict::tests::request;
use crate::verdict::validate;
use serde_json::{json, Value};

fn settings_error(exclusions: Value) -> String {
    Settings::from_json(&json!({ "exclusions": exclusions }).to_string())
        .expect_err("refused")
        .to_string()
}

#[test]
fn settings_refuse_what_cannot_be_meant() {
    let e = settings_error(json!([{"control": "capabilities"}]));
    assert!(e.starts_with(r#"exclusions[0].control: unknown control "capabilities"; known controls: appArmorProfile, "#), "{e}");
    assert!(e.contains("readOnlyRootFilesystem"), "{e}");
    let e =
        settings_error(json!([{"control": "privileged", "containers": ["a"]}, {"images": ["x"]}]));
    assert!(e.starts_with("exclusions[1].control: missing"), "{e}");
    let e = settings_error(json!([{"control": "", "images": ["nginx"]}]));
    assert!(e.starts_with("exclusions[0].control: empty; choose the control to forgive, one of: appArmorProfile, "), "{e}");
    let e = settings_error(json!([{"control": "privileged", "containers": [""]}]));
    assert_eq!(e, "exclusions[0].containers[0]: empty string");
    let e = settings_error(json!([{"control": "privileged", "images": ["nginx", "bad image"]}]));
    assert!(
        e.starts_with(r#"exclusions[0].images[1]: invalid image pattern "bad image""#),
        "{e}"
    );
    let e =
        settings_error(json!([{"control": "privileged", "containers": ["a"], "values": ["x"]}]));
    assert!(
        e.starts_with("exclusions[0].values: privileged has no values"),
        "{e}"
    );
    let e = settings_error(json!([{"control": "sysctls", "containers": ["a"]}]));
    assert!(
        e.starts_with("exclusions[0]: sysctls is checked on the whole pod"),
        "{e}"
    );
    let e = settings_error(
        json!([{"control": "hostPathVolumes", "images": ["a"], "values": ["/var/log"]}]),
    );
    assert!(
        e.contains("takes `values`, not `images` or `containers`"),
        "{e}"
    );
    let e = settings_error(json!([{"control": "runAsUser"}]));
    assert!(e.contains("acknowledgeControlDisabled: true"), "{e}");
    let e = settings_error(
        json!([{"control": "runAsUser", "containers": ["a"], "acknowledgeControlDisabled": true}]),
    );
    assert!(
        e.starts_with("exclusions[0].acknowledgeControlDisabled: only for"),
        "{e}"
    );
    // A container name alone selects any image: refused, once every entry is read.
    let e = settings_error(json!([{"control": "privileged", "containers": ["istio-init"]}]));
    assert_eq!(
        e,
        r#"exclusions[0].containers: a container name alone selects any image (any pod may call a container "istio-init"): add `images` naming what it runs, e.g. images: ["registry.example.com/team/app:*"]"#
    );
    let e = settings_error(json!([
        {"control": "seccompProfile_restricted", "containers": ["legacy"], "values": ["Unconfined"]},
        {"control": "bogus"}]));
    assert!(
        e.starts_with("exclusions[1].control: unknown control"),
        "{e}"
    );
    let e = settings_error(json!([{"control": "runAsUser", "images": ["*"]}]));
    assert!(
        e.starts_with(r#"exclusions[0].images[0]: invalid image pattern "*": it means docker.io/library/*:latest"#),
        "{e}"
    );
    let e = settings_error(json!([{"control": "runAsUser", "image": ["a"]}]));
    assert!(e.contains("unknown field `image`"), "{e}");
    assert!(Settings::from_json(
        r#"{"exclusions":[{"control":"runAsUser","acknowledgeControlDisabled":true}]}"#
    )
    .is_ok());
}

/// A Pod CREATE of a pod named "p" with this spec.
fn pod_request(spec: Value, settings: Value) -> Vec<u8> {
    request(
        json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}),
        settings,
    )
}

fn good(extra: Value) -> Value {
    let mut sc = json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
                        "readOnlyRootFilesystem": true});
    if let (Some(sc), Some(extra)) = (sc.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            sc.insert(k.clone(), v.clone());
        }
    }
    sc
}

fn mesh_spec(app_caps: Value) -> Value {
    json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [{"name": "istio-init", "image": "docker.io/istio/proxyv2:1.22.0",
            "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN", "NET_RAW"]}}))}],
        "containers": [{"name": "app", "image": "shop/app:3", "securityContext": good(app_caps)}]
    })
}

fn mesh_settings() -> Value {
    json!({"exclusions": [{"control": "capabilities_restricted",
        "images": ["docker.io/istio/proxyv2:*"], "containers": ["istio-init"],
        "values": ["NET_ADMIN", "NET_RAW"]}]})
}

#[test]
fn service_mesh_init_container_is_forgiven_and_says_so() {
    let r = validate(&pod_request(mesh_spec(json!({})), mesh_settings()));
    assert!(r.accepted, "{:?}", r.message);
    let note = r#"control "capabilities_restricted" excluded for init container "istio-init" (NET_ADMIN, NET_RAW)"#;
    assert_eq!(r.warnings.unwrap(), [format!("exclusion in use: {note}")]);
    assert_eq!(r.audit_annotations.unwrap()[EXCLUSIONS_ANNOTATION], note);
    // Without the exclusion the same pod is refused.
    assert!(!validate(&pod_request(mesh_spec(json!({})), json!({}))).accepted);
}

#[test]
fn the_app_container_is_still_checked() {
    let spec = mesh_spec(json!({"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}));
    let r = validate(&pod_request(spec, mesh_settings()));
    assert!(!r.accepted);
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates PodSecurity "restricted:latest": unrestricted capabilities (container "app" must not include "NET_ADMIN" in securityContext.capabilities.add)"#
        )
    );
}

#[test]
fn only_the_listed_values_and_every_selector() {
    let mut spec = mesh_spec(json!({}));
    spec["initContainers"][0]["securityContext"]["capabilities"]["add"] =
        json!(["NET_ADMIN", "SYS_ADMIN"]);
    let r = validate(&pod_request(spec, mesh_settings()));
    assert!(r
        .message
        .unwrap()
        .contains(r#"container "istio-init" must not include "SYS_ADMIN""#));
    // Same name, other image: not selected.
    let mut spec = mesh_spec(json!({}));
    spec["initContainers"][0]["image"] = json!("evil.io/istio/proxyv2:1.22.0");
    assert!(!validate(&pod_request(spec, mesh_settings())).accepted);
    // Same image, other name: not selected.
    let mut spec = mesh_spec(json!({}));
    spec["initContainers"][0]["name"] = json!("sidecar");
    assert!(!validate(&pod_request(spec, mesh_settings())).accepted);
}

#[test]
fn a_whole_container_can_be_excluded_from_one_control() {
    let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "agent", "image": "vendor/agent:1", "securityContext": good(json!({"runAsUser": 0}))}],
        "ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": good(json!({"runAsUser": 0}))}]});
    let settings = json!({"exclusions": [{"control": "runAsUser", "images": ["vendor/agent:*"]}]});
    let r = validate(&pod_request(spec.clone(), settings));
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates PodSecurity "restricted:latest": runAsUser=0 (container "debug" must not set runAsUser=0)"#
        )
    );
    let settings =
        json!({"exclusions": [{"control": "runAsUser", "images": ["vendor/agent:*", "busybox"]}]});
    let r = validate(&pod_request(spec, settings));
    assert!(r.accepted, "{:?}", r.message);
    assert_eq!(r.warnings.unwrap().len(), 2);
}

#[test]
fn pod_level_settings_are_not_forgiven_by_container_exclusions() {
    let spec = json!({"securityContext": {"runAsNonRoot": false, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "a", "image": "x", "securityContext": good(json!({}))}]});
    let settings =
        json!({"exclusions": [{"control": "runAsNonRoot", "images": ["x"], "containers": ["a"]}]});
    let r = validate(&pod_request(spec, settings));
    assert!(r
        .message
        .unwrap()
        .contains("pod must not set securityContext.runAsNonRoot=false"));
}

#[test]
fn pod_scoped_values() {
    let spec = json!({"hostNetwork": true, "hostPID": true,
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"},
            "sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "kernel.sem", "value": "1"}]},
        "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}, {"name": "root", "hostPath": {"path": "/"}},
                    {"name": "share", "nfs": {"server": "s", "path": "/"}}],
        "containers": [{"name": "a", "image": "x", "securityContext": good(json!({}))}]});
    let settings = json!({"level": "baseline", "exclusions": [
        {"control": "hostNamespaces", "values": ["hostNetwork"]},
        {"control": "sysctls", "values": ["kernel.msgmax"]},
        {"control": "hostPathVolumes", "values": ["/var/log"]}]});
    let r = validate(&pod_request(spec.clone(), settings));
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates PodSecurity "baseline:latest": host namespaces (hostPID=true), hostPath volumes (volume "root"), forbidden sysctls (kernel.sem)"#
        )
    );
    let settings = json!({"exclusions": [
        {"control": "hostNamespaces", "values": ["hostNetwork", "hostPID"]},
        {"control": "sysctls", "values": ["kernel.msgmax", "kernel.sem"]},
        {"control": "restrictedVolumes", "values": ["/var/log", "/", "nfs"]}]});
    let r = validate(&pod_request(spec, settings));
    assert!(r.accepted, "{:?}", r.message);
    let warnings = r.warnings.unwrap();
    assert!(
        warnings.contains(
            &r#"exclusion in use: control "sysctls" excluded for "kernel.sem""#.to_owned()
        ),
        "{warnings:?}"
    );
}

#[test]
fn switching_a_control_off_is_said_too() {
    let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "a", "image": "x", "securityContext": good(json!({"readOnlyRootFilesystem": false}))}]});
    let settings = json!({"exclusions": [{"control": "readOnlyRootFilesystem", "acknowledgeControlDisabled": true}]});
    let r = validate(&pod_request(spec.clone(), settings));
    assert!(r.accepted);
    assert_eq!(
        r.warnings.unwrap(),
        [r#"exclusion in use: control "readOnlyRootFilesystem" disabled for every pod"#]
    );
    // A compliant pod relies on nothing: no note.
    let mut ok = spec;
    ok["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = json!(true);
    let r = validate(&pod_request(
        ok,
        json!({"exclusions": [{"control": "privileged", "images": ["x"], "containers": ["a"]}]}),
    ));
    assert!(r.accepted && r.warnings.is_none() && r.audit_annotations.is_none());
}

#[test]
fn a_replaced_baseline_control_stays_as_a_floor_in_its_place() {
    let spec = json!({"hostPID": true,
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {"name": "agent", "image": "vendor/agent:1", "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}))},
            {"name": "app", "image": "shop/app:3", "securityContext": good(json!({"runAsUser": 0}))}]});
    let whole = json!({"control": "capabilities_restricted", "images": ["vendor/agent:*"]});
    let r = validate(&pod_request(
        spec.clone(),
        json!({"exclusions": [whole.clone()]}),
    ));
    // Baseline's words, in baseline's place (capabilities_baseline sorts first).
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates PodSecurity "restricted:latest": non-default capabilities (container "agent" must not include "SYS_ADMIN" in securityContext.capabilities.add), host namespaces (hostPID=true), runAsUser=0 (container "app" must not set runAsUser=0)"#
        )
    );
    // An entry of the baseline control that names the value lets it through, and says so.
    let baseline = json!({"control": "capabilities_baseline", "images": ["vendor/agent:*"], "values": ["SYS_ADMIN"]});
    let mut fine = spec.clone();
    fine["hostPID"] = json!(false);
    fine["containers"][1]["securityContext"]["runAsUser"] = json!(1000);
    let r = validate(&pod_request(
        fine.clone(),
        json!({"exclusions": [whole.clone(), baseline]}),
    ));
    assert!(r.accepted, "{:?}", r.message);
    assert_eq!(
        r.warnings.unwrap(),
        [
            r#"exclusion in use: control "capabilities_restricted" excluded for container "agent""#,
            r#"exclusion in use: control "capabilities_baseline" excluded for container "agent" (SYS_ADMIN)"#
        ]
    );
    // At baseline the restricted entry means nothing; the baseline one applies as usual.
    let r = validate(&pod_request(
        fine.clone(),
        json!({"level": "baseline", "exclusions": [whole.clone()]}),
    ));
    assert!(!r.accepted);
    // Before v1.22 restricted runs capabilities_baseline itself: no floor, no doubling.
    let r = validate(&pod_request(
        fine,
        json!({"version": "v1.21", "exclusions": [whole]}),
    ));
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates PodSecurity "restricted:v1.21": non-default capabilities (container "agent" must not include "SYS_ADMIN" in securityContext.capabilities.add)"#
        )
    );
}

#[test]
fn the_floor_holds_in_the_modes_too() {
    // With a warn or audit mode the modes judge the pod (`src/modes/`), each mode by the one
    // loop when there are exclusions: the enforce mode refuses what the baseline floor
    // refuses, as without the modes, and warn and audit say it too.
    let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {"name": "agent", "image": "vendor/agent:1", "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}))}]});
    let whole = json!({"control": "capabilities_restricted", "images": ["vendor/agent:*"]});
    let reasons = r#"non-default capabilities (container "agent" must not include "SYS_ADMIN" in securityContext.capabilities.add)"#;
    for settings in [
        json!({"exclusions": [whole.clone()]}),
        json!({"exclusions": [whole.clone()], "warn": {"level": "restricted"}}),
        json!({"exclusions": [whole.clone()], "audit": {"level": "baseline", "version": "v1.30"}}),
    ] {
        let r = validate(&pod_request(spec.clone(), settings.clone()));
        let expected = format!(r#"violates PodSecurity "restricted:latest": {reasons}"#);
        assert_eq!(r.message.as_deref(), Some(expected.as_str()), "{settings}");
    }
    // Warn and audit judge the floor too, where enforce checks nothing.
    let r = validate(&pod_request(
        spec,
        json!({"level": "privileged", "exclusions": [whole],
            "warn": {"level": "restricted"}, "audit": {"level": "restricted"}}),
    ));
    assert!(r.accepted);
    let expected = format!(r#"would violate PodSecurity "restricted:latest": {reasons}"#);
    let warnings = r.warnings.unwrap_or_default();
    assert_eq!(warnings.first(), Some(&expected), "{warnings:?}");
    let annotations = r.audit_annotations.unwrap_or_default();
    assert_eq!(annotations.get("audit-violations"), Some(&expected));
}

#[test]
fn the_floor_adds_only_what_the_restricted_control_no_longer_says() {
    // The forgiven container complies at baseline; the other one is still reported by
    // restricted alone, as PSA words it.
    let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {"name": "agent", "image": "vendor/agent:1", "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}))},
            {"name": "app", "image": "shop/app:3", "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}))}]});
    let settings = json!({"exclusions": [{"control": "capabilities_restricted", "images": ["vendor/agent:*"]}]});
    let r = validate(&pod_request(spec, settings));
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates PodSecurity "restricted:latest": unrestricted capabilities (container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)"#
        )
    );
    // Pod-scoped: hostPath volumes forgiven by type are refused by path at baseline.
    let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}, {"name": "root", "hostPath": {"path": "/"}},
                    {"name": "share", "nfs": {"server": "s", "path": "/"}}],
        "containers": [{"name": "a", "image": "x", "securityContext": good(json!({}))}]});
    let settings = json!({"exclusions": [{"control": "restrictedVolumes", "values": ["hostPath", "nfs", "/var/log"]}]});
    let r = validate(&pod_request(spec, settings));
    assert_eq!(
        r.message.as_deref(),
        Some(r#"violates PodSecurity "restricted:latest": hostPath volumes (volume "root")"#)
    );
}

#[test]
fn a_container_taken_out_takes_its_own_annotations_only() {
    let with = |annotations: Value| {
        let mut spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a", "image": "vendor/agent:1", "securityContext": good(json!({}))},
                           {"name": "b", "image": "shop/app:3", "securityContext": good(json!({}))}]});
        spec["annotations"] = annotations;
        spec
    };
    let request = |spec: Value, settings: Value| {
        let mut r: Value = serde_json::from_slice(&pod_request(spec.clone(), settings)).unwrap();
        r["request"]["object"]["metadata"]["annotations"] = spec["annotations"].clone();
        r["request"]["object"]["spec"]
            .as_object_mut()
            .unwrap()
            .remove("annotations");
        validate(&serde_json::to_vec(&r).unwrap())
    };
    let settings =
        json!({"exclusions": [{"control": "appArmorProfile", "images": ["vendor/agent:*"]}]});
    let apparmor = "container.apparmor.security.beta.kubernetes.io/";
    let r = request(
        with(json!({format!("{apparmor}a"): "unconfined"})),
        settings.clone(),
    );
    assert!(r.accepted, "{:?}", r.message);
    for other in ["b", "x/a", "aa", "a/"] {
        let r = request(
            with(
                json!({format!("{apparmor}a"): "unconfined", format!("{apparmor}{other}"): "unconfined"}),
            ),
            settings.clone(),
        );
        assert_eq!(
            r.message.as_deref(),
            Some(format!(r#"violates PodSecurity "restricted:latest": forbidden AppArmor profile (annotation must not set AppArmor profile type to "{apparmor}{other}="unconfined"")"#).as_str()),
            "{other}"
        );
    }
    // The seccomp annotations (read up to v1.18) likewise.
    let seccomp = "container.seccomp.security.alpha.kubernetes.io/";
    let old = json!({"level": "baseline", "version": "v1.18",
        "exclusions": [{"control": "seccompProfile_baseline", "images": ["vendor/agent:*"]}]});
    let r = request(
        with(json!({format!("{seccomp}a"): "unconfined"})),
        old.clone(),
    );
    assert!(r.accepted, "{:?}", r.message);
    let r = request(with(json!({format!("{seccomp}b"): "unconfined"})), old);
    assert!(!r.accepted);
}

#[test]
fn seccomp_and_apparmor_values_forgive_the_named_container_only() {
    let spec = json!({"securityContext": {"runAsNonRoot": true},
        "containers": [
            {"name": "legacy", "image": "x", "securityContext": good(json!({"seccompProfile": {"type": "Unconfined"}, "appArmorProfile": {"type": "Unconfined"}}))},
            {"name": "web", "image": "y", "securityContext": good(json!({"seccompProfile": {"type": "RuntimeDefault"}}))}]});
    let settings = json!({"exclusions": [
        {"control": "seccompProfile_restricted", "images": ["x"], "containers": ["legacy"], "values": ["Unconfined"]},
        {"control": "appArmorProfile", "images": ["x"], "containers": ["legacy"], "values": ["Unconfined"]}]});
    let r = validate(&pod_request(spec.clone(), settings));
    assert!(r.accepted, "{:?}", r.message);
    let mut other = spec;
    other["containers"][1]["securityContext"]["seccompProfile"]["type"] = json!("Unconfined");
    let settings = json!({"exclusions": [
        {"control": "seccompProfile_restricted", "images": ["x"], "containers": ["legacy"], "values": ["Unconfined"]},
        {"control": "appArmorProfile", "images": ["x"], "containers": ["legacy"], "values": ["Unconfined"]}]});
    let r = validate(&pod_request(other, settings));
    assert!(r.message.unwrap().contains(
        r#"container "web" must not set securityContext.seccompProfile.type to "Unconfined""#
    ));
}
