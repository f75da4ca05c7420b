//! A catalogue of attempts to slip a forbidden pod past the policy. Each test says why the
//! request must be refused; where the reference implementation (Pod Security Admission,
//! PSA) accepts, the test pins the acceptance and says why that is safe.
//!
//! Unless a test says otherwise: default settings (`restricted:latest`, read-only root
//! filesystem required), a CREATE in namespace "default" by "alice", and the pod checked as a
//! Pod and as the template of every workload kind.

use pss_test_support as common;

use common::{request, wrap, KINDS};
use pod_security_standards::verdict::validate;
use serde_json::{json, Value};

/// The verdict on a request given as JSON text (so that tests can write what `Value`
/// cannot hold: duplicate keys, odd numbers).
fn judge_text(text: &str) -> (bool, String) {
    let r = validate(text.as_bytes());
    let message = r.message.unwrap_or_default();
    if !r.accepted {
        assert!(!message.is_empty(), "a rejection without a reason");
    }
    (r.accepted, message)
}

fn judge(req: &Value) -> (bool, String) {
    judge_text(&req.to_string())
}

fn refused(req: &Value, says: &str) {
    let (accepted, message) = judge(req);
    assert!(!accepted, "accepted: {req}");
    assert!(message.contains(says), "{says:?} missing from {message}");
}

fn allowed(req: &Value) {
    let (accepted, message) = judge(req);
    assert!(accepted, "refused: {message}\n{req}");
}

/// A restricted-compliant container (read-only root filesystem included).
use pss_test_support::pods::compliant_container as container;

/// A restricted-compliant pod with one container of each kind.
fn compliant() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"initContainers": [container("i")], "containers": [container("c")],
                 "ephemeralContainers": [container("e")]}})
}

/// The pod as a request of every kind, with `settings`.
fn every_kind(pod: &Value, settings: Value) -> Vec<Value> {
    KINDS
        .iter()
        .map(|(kind, ..)| request(kind, &wrap(kind, pod), &settings))
        .collect()
}

fn refused_as_every_kind(pod: &Value, settings: Value, says: &str) {
    for req in every_kind(pod, settings) {
        refused(&req, says);
    }
}

fn allowed_as_every_kind(pod: &Value, settings: Value) {
    for req in every_kind(pod, settings) {
        allowed(&req);
    }
}

const LISTS: [&str; 3] = ["initContainers", "containers", "ephemeralContainers"];

#[test]
fn the_compliant_pod_is_allowed() {
    allowed_as_every_kind(&compliant(), json!({}));
}

/// Init and ephemeral containers run on the node like any other container: a forbidden
/// setting hidden in one of them is as forbidden as in a regular container.
#[test]
fn forbidden_settings_hidden_in_init_or_ephemeral_containers() {
    let cases: [(&str, Value, &str); 10] = [
        ("privileged", json!(true), "privileged"),
        (
            "capabilities",
            json!({"drop": ["ALL"], "add": ["SYS_ADMIN"]}),
            "unrestricted capabilities",
        ),
        ("procMount", json!("Unmasked"), "procMount"),
        ("seLinuxOptions", json!({"type": "spc_t"}), "seLinuxOptions"),
        ("runAsUser", json!(0), "runAsUser=0"),
        (
            "allowPrivilegeEscalation",
            json!(true),
            "allowPrivilegeEscalation != false",
        ),
        (
            "seccompProfile",
            json!({"type": "Unconfined"}),
            "seccompProfile",
        ),
        (
            "appArmorProfile",
            json!({"type": "Unconfined"}),
            "forbidden AppArmor profile",
        ),
        (
            "windowsOptions",
            json!({"hostProcess": true}),
            "hostProcess",
        ),
        ("runAsNonRoot", json!(false), "runAsNonRoot != true"),
    ];
    for list in ["initContainers", "ephemeralContainers"] {
        for (field, value, says) in &cases {
            let mut p = compliant();
            p["spec"][list][0]["securityContext"][field] = value.clone();
            refused_as_every_kind(&p, json!({}), says);
        }
        let mut p = compliant();
        p["spec"][list][0]["ports"] = json!([{"containerPort": 80, "hostPort": 80}]);
        refused_as_every_kind(&p, json!({}), "hostPort");
        let mut p = compliant();
        p["spec"][list][0]["startupProbe"] = json!({"httpGet": {"port": 80, "host": "10.0.0.1"}});
        refused_as_every_kind(&p, json!({}), "probe or lifecycle host");
        // The AppArmor annotation of an init or ephemeral container counts as well.
        let mut p = compliant();
        let name = p["spec"][list][0]["name"].as_str().unwrap().to_owned();
        p["metadata"]["annotations"] =
            json!({format!("container.apparmor.security.beta.kubernetes.io/{name}"): "unconfined"});
        refused_as_every_kind(&p, json!({}), "forbidden AppArmor profile");
    }
}

/// PSA compares the dropped capability with "ALL" exactly; the container runtime does too,
/// so any other spelling drops nothing.
#[test]
fn drop_all_in_another_spelling_drops_nothing() {
    for drop in [
        json!(["all"]),
        json!([" ALL"]),
        json!(["ALL "]),
        json!(["All"]),
        json!(["CAP_ALL"]),
        json!(["ＡLL"]),
        json!([]),
    ] {
        for list in LISTS {
            let mut p = compliant();
            p["spec"][list][0]["securityContext"]["capabilities"]["drop"] = drop.clone();
            refused_as_every_kind(&p, json!({}), "unrestricted capabilities");
        }
    }
    // A string where the list belongs is not a list holding it.
    let mut p = compliant();
    p["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"] = json!("ALL");
    refused(&request("Pod", &p, &json!({})), "cannot read the Pod");
}

/// `add: ["ALL"]` asks for every capability: refused at both levels, in PSA's words of each
/// version (baseline's `non-default capabilities`; restricted's own check from v1.22).
#[test]
fn adding_all_capabilities() {
    let mut p = compliant();
    p["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["ALL"]);
    refused_as_every_kind(&p, json!({}), "unrestricted capabilities");
    refused_as_every_kind(&p, json!({"level": "baseline"}), "non-default capabilities");
    refused_as_every_kind(&p, json!({"version": "v1.21"}), "non-default capabilities");
    // Lower case, or with the CAP_ prefix, is not in the default set either.
    for cap in ["sys_admin", "CAP_SYS_ADMIN", "chown"] {
        let mut p = compliant();
        p["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = json!([cap]);
        refused(
            &request("Pod", &p, &json!({"level": "baseline"})),
            "non-default capabilities",
        );
    }
}

/// A pod-level `runAsNonRoot: true` does not cover a container that names user 0: from v1.23
/// PSA's `runAsUser` control refuses it. Before v1.23 PSA had no such control and accepts
/// the pod; that is safe because the kubelet refuses to start a container whose user is 0
/// under `runAsNonRoot: true` (CreateContainerConfigError).
#[test]
fn pod_run_as_non_root_with_a_container_run_as_user_0() {
    for list in LISTS {
        let mut p = compliant();
        p["spec"]["securityContext"] = json!({"runAsNonRoot": true});
        p["spec"][list][0]["securityContext"]["runAsUser"] = json!(0);
        refused_as_every_kind(&p, json!({}), "runAsUser=0");
        refused_as_every_kind(&p, json!({"version": "v1.23"}), "runAsUser=0");
        allowed(&request("Pod", &p, &json!({"version": "v1.22"})));
        // `-0` is no way around it: JSON's -0 is not an integer to serde, so the pod cannot
        // be read (Kubernetes would read user 0).
        let text = request("Pod", &p, &json!({}))
            .to_string()
            .replace(r#""runAsUser":0"#, r#""runAsUser":-0"#);
        let (accepted, message) = judge_text(&text);
        assert!(!accepted, "{message}");
    }
}

/// The seccomp annotations and the `seccompProfile` field. From v1.19 PSA reads only the
/// field (`seccompProfileBaseline_1_19`, `seccompProfileRestricted`) and ignores the
/// annotations, which Kubernetes stopped honouring (the kubelet ignores them since v1.27);
/// up to v1.18 it reads only the annotations. This policy does exactly that, so:
/// - annotation `unconfined`, field `RuntimeDefault`: accepted from v1.19, as PSA does (the
///   field is what the runtime applies), refused at v1.18;
/// - annotation `runtime/default`, field `Unconfined`: refused from v1.19 (the field wins);
///   accepted at baseline v1.18, as PSA does, where the API server of that time copied the
///   annotation into the field or refused the mismatch.
#[test]
fn seccomp_annotation_and_field_disagree() {
    let with = |annotation: &str, field: &str| {
        let mut p = compliant();
        p["metadata"]["annotations"] =
            json!({"seccomp.security.alpha.kubernetes.io/pod": annotation});
        p["spec"]["securityContext"] = json!({"seccompProfile": {"type": field}});
        p
    };
    let says_unconfined = with("unconfined", "RuntimeDefault");
    allowed_as_every_kind(&says_unconfined, json!({}));
    allowed_as_every_kind(
        &says_unconfined,
        json!({"level": "baseline", "version": "v1.19"}),
    );
    refused_as_every_kind(
        &says_unconfined,
        json!({"level": "baseline", "version": "v1.18"}),
        "seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")",
    );

    let field_unconfined = with("runtime/default", "Unconfined");
    refused_as_every_kind(
        &field_unconfined,
        json!({}),
        "seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")",
    );
    refused_as_every_kind(
        &field_unconfined,
        json!({"level": "baseline", "version": "v1.19"}),
        "seccompProfile",
    );
    allowed_as_every_kind(
        &field_unconfined,
        json!({"level": "baseline", "version": "v1.18"}),
    );
}

/// `os.name: windows` relaxes only the Linux-only restricted controls (from v1.25). A
/// privileged container, a hostPath volume or a host namespace is a baseline violation on
/// any OS: PSA checks them without looking at the OS, and so does this policy.
#[test]
fn windows_pods_with_linux_escapes() {
    let windows = || {
        let mut p = compliant();
        p["spec"]["os"] = json!({"name": "windows"});
        p
    };
    for level in ["baseline", "restricted"] {
        let settings = json!({"level": level});
        let mut p = windows();
        p["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
        refused_as_every_kind(&p, settings.clone(), "privileged");
        let mut p = windows();
        p["spec"]["volumes"] = json!([{"name": "root", "hostPath": {"path": "/"}}]);
        let says = if level == "baseline" {
            "hostPath volumes"
        } else {
            "restricted volume types"
        };
        refused_as_every_kind(&p, settings.clone(), says);
        let mut p = windows();
        p["spec"]["hostPID"] = json!(true);
        refused_as_every_kind(&p, settings.clone(), "host namespaces (hostPID=true)");
        let mut p = windows();
        p["spec"]["securityContext"] = json!({"windowsOptions": {"hostProcess": true}});
        refused_as_every_kind(&p, settings, "hostProcess");
    }
    // The relaxation needs exactly "windows".
    let mut p = compliant();
    p["spec"]["os"] = json!({"name": "Windows"});
    p["spec"]["ephemeralContainers"][0]["securityContext"]["allowPrivilegeEscalation"] =
        json!(true);
    refused_as_every_kind(&p, json!({}), "allowPrivilegeEscalation != false");
}

/// A volume with two sources, one allowed and one forbidden. The API server refuses such a
/// volume ("may not specify more than 1 volume type"). PSA's `restrictedVolumes` accepts it
/// (its switch stops at the allowed source); this policy refuses it: fail closed. At
/// baseline `hostPathVolumes` sees the hostPath, as in PSA.
#[test]
fn a_volume_with_two_sources() {
    let mut p = compliant();
    p["spec"]["volumes"] =
        json!([{"name": "v", "configMap": {"name": "cm"}, "hostPath": {"path": "/"}}]);
    refused_as_every_kind(
        &p,
        json!({}),
        "restricted volume types (volume \"v\" uses restricted volume type \"hostPath\")",
    );
    refused_as_every_kind(&p, json!({"level": "baseline"}), "hostPath volumes");
    p["spec"]["volumes"] =
        json!([{"name": "v", "emptyDir": {}, "nfs": {"server": "s", "path": "/"}}]);
    refused_as_every_kind(&p, json!({}), "restricted volume types");
    // nfs is allowed at baseline.
    allowed_as_every_kind(&p, json!({"level": "baseline"}));
}

/// Explicit `null` is "unset", as Kubernetes' decoder reads it: it never stands for a
/// compliant value, and where an object must be (a container) it is unreadable.
#[test]
fn explicit_nulls_where_objects_are_expected() {
    for list in LISTS {
        for (path, says) in [
            (
                &["securityContext"][..],
                "allowPrivilegeEscalation != false",
            ),
            (
                &["securityContext", "capabilities"][..],
                "unrestricted capabilities",
            ),
            (
                &["securityContext", "capabilities", "drop"][..],
                "unrestricted capabilities",
            ),
            (&["securityContext", "seccompProfile"][..], "seccompProfile"),
            (
                &["securityContext", "runAsNonRoot"][..],
                "runAsNonRoot != true",
            ),
        ] {
            let mut p = compliant();
            let mut at = &mut p["spec"][list][0];
            for key in &path[..path.len() - 1] {
                at = &mut at[*key];
            }
            at[path[path.len() - 1]] = Value::Null;
            refused_as_every_kind(&p, json!({}), says);
        }
        // A container that is null cannot be read.
        let mut p = compliant();
        p["spec"][list] = json!([null]);
        refused(&request("Pod", &p, &json!({})), "cannot read the Pod");
    }
    // A null pod security context leaves every container to answer for itself.
    let mut p = compliant();
    p["spec"]["securityContext"] = Value::Null;
    allowed_as_every_kind(&p, json!({}));
    p["spec"]["containers"][0]["securityContext"]["runAsNonRoot"] = Value::Null;
    refused_as_every_kind(&p, json!({}), "runAsNonRoot != true");
    // `privileged: null` is unset, which is allowed (as in Kubernetes and PSA).
    let mut p = compliant();
    p["spec"]["containers"][0]["securityContext"]["privileged"] = Value::Null;
    allowed_as_every_kind(&p, json!({}));
    // A workload whose template is null carries no pod to check: refused, not skipped.
    let mut d = wrap("Deployment", &compliant());
    d["spec"]["template"] = Value::Null;
    refused(
        &request("Deployment", &d, &json!({})),
        "has no spec.template",
    );
    // A Pod whose spec is null has nothing to check: PSA accepts it and so does this
    // policy; the API server refuses a pod without containers anyway.
    let mut p = compliant();
    p["spec"] = Value::Null;
    allowed(&request("Pod", &p, &json!({})));
}

/// A value of the wrong type is never read as a default: the pod cannot be read, and is
/// refused with the path of the field (Kubernetes' decoder refuses it too).
#[test]
fn numbers_where_strings_are_expected_and_the_reverse() {
    let cases: [(&str, &[&str], Value); 12] = [
        ("container name", &["name"], json!(5)),
        ("image", &["image"], json!(5)),
        ("procMount", &["securityContext", "procMount"], json!(1)),
        (
            "capability",
            &["securityContext", "capabilities", "add"],
            json!([1]),
        ),
        (
            "seccomp type",
            &["securityContext", "seccompProfile", "type"],
            json!(0),
        ),
        (
            "privileged as a string",
            &["securityContext", "privileged"],
            json!("true"),
        ),
        (
            "privileged as a number",
            &["securityContext", "privileged"],
            json!(1),
        ),
        (
            "runAsUser as a string",
            &["securityContext", "runAsUser"],
            json!("0"),
        ),
        (
            "runAsUser as a float",
            &["securityContext", "runAsUser"],
            json!(0.0),
        ),
        (
            "runAsUser too big",
            &["securityContext", "runAsUser"],
            json!(u64::MAX),
        ),
        (
            "host port as a string",
            &["ports"],
            json!([{"hostPort": "80"}]),
        ),
        (
            "host port as a float",
            &["ports"],
            json!([{"hostPort": 80.5}]),
        ),
    ];
    for list in LISTS {
        for (what, path, value) in &cases {
            let mut p = compliant();
            let mut at = &mut p["spec"][list][0];
            for key in &path[..path.len() - 1] {
                at = &mut at[*key];
            }
            at[path[path.len() - 1]] = value.clone();
            for req in every_kind(&p, json!({})) {
                let (accepted, message) = judge(&req);
                assert!(!accepted, "{what} in {list}");
                assert!(message.starts_with("cannot read the "), "{what}: {message}");
            }
        }
    }
    for (what, field, value) in [
        ("hostPID as a string", "hostPID", json!("true")),
        ("hostNetwork as a number", "hostNetwork", json!(1)),
        ("runtimeClassName as a number", "runtimeClassName", json!(1)),
        (
            "sysctls as an object",
            "securityContext",
            json!({"sysctls": {"name": "kernel.msgmax"}}),
        ),
        (
            "a sysctl name as a number",
            "securityContext",
            json!({"sysctls": [{"name": 1}]}),
        ),
    ] {
        let mut p = compliant();
        p["spec"][field] = value;
        let (accepted, message) = judge(&request("Pod", &p, &json!({})));
        assert!(
            !accepted && message.starts_with("cannot read the Pod"),
            "{what}: {message}"
        );
    }
    // An annotation value that is not a string.
    let mut p = compliant();
    p["metadata"]["annotations"] = json!({"container.apparmor.security.beta.kubernetes.io/c": 1});
    refused(&request("Pod", &p, &json!({})), "cannot read the Pod");
}

/// `request.kind` and `request.resource` name different things: the policy cannot know which
/// the API server acts on, so it refuses rather than guess (a Pod sent as a ConfigMap would
/// otherwise pass unchecked).
#[test]
fn request_kind_and_resource_disagree() {
    let mut p = compliant();
    p["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    let base = request("Pod", &p, &json!({}));
    for (kind, resource) in [
        (
            json!({"group": "", "version": "v1", "kind": "ConfigMap"}),
            json!({"group": "", "version": "v1", "resource": "pods"}),
        ),
        (
            json!({"group": "", "version": "v1", "kind": "Pod"}),
            json!({"group": "", "version": "v1", "resource": "configmaps"}),
        ),
        (
            json!({"group": "apps", "version": "v1", "kind": "Pod"}),
            json!({"group": "", "version": "v1", "resource": "pods"}),
        ),
        (
            json!({"group": "", "version": "v1", "kind": "Pod"}),
            json!({"group": "apps", "version": "v1", "resource": "deployments"}),
        ),
    ] {
        let mut r = base.clone();
        r["request"]["kind"] = kind;
        r["request"]["resource"] = resource;
        refused(&r, "disagree");
    }
    // No kind at all: cannot tell what it is.
    let mut r = base.clone();
    r["request"]["kind"] = Value::Null;
    refused(&r, "request.kind is missing");
}

/// An UPDATE without `oldObject` cannot be shown to be insignificant: it is judged like a
/// CREATE (PSA would have the old object from the API server).
#[test]
fn an_update_without_old_object_is_judged() {
    let mut p = compliant();
    p["spec"]["initContainers"][0]["securityContext"]["privileged"] = json!(true);
    for mut req in every_kind(&p, json!({})) {
        req["request"]["operation"] = json!("UPDATE");
        refused(&req, "privileged");
        req["request"]["oldObject"] = Value::Null;
        refused(&req, "privileged");
    }
    // An old object that cannot be read makes the update significant too.
    let mut r = request("Pod", &p, &json!({}));
    r["request"]["operation"] = json!("UPDATE");
    r["request"]["oldObject"] = json!({"spec": {"containers": 5}});
    refused(&r, "privileged");
}

/// A pod UPDATE that changes no image and no container count is let through, as PSA does:
/// the API server refuses any other change to an existing pod's containers, so nothing
/// forbidden can be added that way. Adding an ephemeral container is judged.
#[test]
fn pod_updates_follow_psa_significance() {
    let mut p = compliant();
    p["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    let mut r = request("Pod", &p, &json!({}));
    r["request"]["operation"] = json!("UPDATE");
    r["request"]["oldObject"] = p.clone();
    allowed(&r);
    let mut newer = p.clone();
    newer["spec"]["containers"][0]["image"] = json!("nginx:2");
    r["request"]["object"] = newer;
    refused(&r, "privileged");
    // A new ephemeral container (the `ephemeralcontainers` subresource) is judged.
    let mut with_debug = compliant();
    with_debug["spec"]["ephemeralContainers"]
        .as_array_mut()
        .unwrap()
        .push(
            json!({"name": "debug", "image": "busybox", "securityContext": {"privileged": true}}),
        );
    let mut r = request("Pod", &with_debug, &json!({}));
    r["request"]["operation"] = json!("UPDATE");
    r["request"]["subResource"] = json!("ephemeralcontainers");
    r["request"]["oldObject"] = compliant();
    refused(&r, "privileged");
}

/// A pod subresource the policy does not know may change the pod spec: it is judged. Only
/// the subresources PSA lets through unchecked (they cannot change the spec) pass.
/// `ephemeralcontainers` and `resize` are judged as the API server stores them, which takes
/// the stored pod (`oldObject`): without it they are refused (see
/// `a_subresource_update_without_a_readable_old_object_is_refused`).
#[test]
fn an_unknown_pod_subresource_is_judged() {
    let mut p = compliant();
    p["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    for sub in ["somethingnew", "Status", "exec "] {
        let mut r = request("Pod", &p, &json!({}));
        r["request"]["operation"] = json!("UPDATE");
        r["request"]["subResource"] = json!(sub);
        refused(&r, "privileged");
    }
    for sub in ["ephemeralcontainers", "resize"] {
        let mut r = request("Pod", &p, &json!({}));
        r["request"]["operation"] = json!("UPDATE");
        r["request"]["subResource"] = json!(sub);
        refused(&r, "request.oldObject is missing");
    }
    // With the stored pod, a debug container added to it is judged with the whole pod.
    let mut debugged = p.clone();
    debugged["spec"]["ephemeralContainers"]
        .as_array_mut()
        .unwrap()
        .push(container("debug"));
    let mut r = request("Pod", &debugged, &json!({}));
    r["request"]["operation"] = json!("UPDATE");
    r["request"]["subResource"] = json!("ephemeralcontainers");
    r["request"]["oldObject"] = p.clone();
    refused(&r, "privileged");
    for sub in [
        "status",
        "exec",
        "attach",
        "log",
        "binding",
        "eviction",
        "portforward",
        "proxy",
    ] {
        let mut r = request("Pod", &p, &json!({}));
        r["request"]["operation"] = json!("UPDATE");
        r["request"]["subResource"] = json!(sub);
        allowed(&r);
    }
}

/// The object's own `kind` says something else than the request: which one the API server
/// stores is unknown, so the request is refused.
#[test]
fn an_object_kind_that_disagrees_with_the_request() {
    for (kind, ..) in KINDS {
        let mut object = wrap(kind, &compliant());
        for wrong in ["Deployment", "pod", "ConfigMap", ""] {
            if wrong == kind {
                continue;
            }
            object["kind"] = json!(wrong);
            refused(
                &request(kind, &object, &json!({})),
                "does not match the request's kind",
            );
        }
    }
    // Without a `kind` the object is read as the request says.
    let mut p = compliant();
    p.as_object_mut().unwrap().remove("kind");
    p["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    refused(&request("Pod", &p, &json!({})), "privileged");
}

/// Duplicate keys. Kubernetes' decoder (a fork of Go's encoding/json) keeps the last value
/// of a repeated key, and decodes a repeated object into the one already decoded (merging
/// the two); either way the stored pod may carry what one of the copies says. This policy
/// refuses a repeated field of the pod (serde's derive: "duplicate field") and a repeated
/// key on the way from a workload to its template, so it never judges a copy the API server
/// would not store. Annotations are a map: serde keeps the last value, as Kubernetes does.
#[test]
fn duplicate_keys() {
    let pod_text = |container: &str, annotations: &str| -> String {
        let req = request("Pod", &compliant(), &json!({})).to_string();
        let c = container_text("c");
        req.replacen(&c, container, 1).replacen(
            r#""metadata":{"name":"p"}"#,
            &format!(r#""metadata":{{"name":"p","annotations":{annotations}}}"#),
            1,
        )
    };
    let c = container_text("c");
    // Two securityContexts: Kubernetes would keep `privileged: true` (merge) or drop it
    // (last wins); the policy refuses both orders.
    for twice in [
        r#""securityContext":{"privileged":true},"securityContext":"#,
        r#""securityContext":{"runAsNonRoot":true},"securityContext":"#,
    ] {
        let evil = c.replacen(r#""securityContext":"#, twice, 1);
        let (accepted, message) = judge_text(&pod_text(&evil, "{}"));
        assert!(!accepted, "{evil}");
        assert!(
            message.contains("duplicate field `securityContext`"),
            "{message}"
        );
    }
    // The same key twice inside the security context.
    let evil = c.replacen(
        r#""allowPrivilegeEscalation":false"#,
        r#""privileged":true,"allowPrivilegeEscalation":false,"privileged":false"#,
        1,
    );
    let (accepted, message) = judge_text(&pod_text(&evil, "{}"));
    assert!(
        !accepted && message.contains("duplicate field `privileged`"),
        "{message}"
    );
    // Two `spec`s in a Deployment: Kubernetes merges them, so hostPID from the first one
    // would be stored; the policy refuses.
    let dep = request("Deployment", &wrap("Deployment", &compliant()), &json!({})).to_string();
    let evil = dep.replacen(
        r#""spec":{"selector""#,
        r#""spec":{"template":{"spec":{"hostPID":true,"containers":[]}}},"spec":{"selector""#,
        1,
    );
    assert_ne!(dep, evil);
    let (accepted, message) = judge_text(&evil);
    assert!(
        !accepted && message.contains("duplicate field `spec`"),
        "{message}"
    );
    // A repeated annotation: the last value counts, as in Kubernetes.
    let key = "container.apparmor.security.beta.kubernetes.io/c";
    let (accepted, message) = judge_text(&pod_text(
        &c,
        &format!(r#"{{"{key}":"unconfined","{key}":"runtime/default"}}"#),
    ));
    assert!(accepted, "{message}");
    let (accepted, message) = judge_text(&pod_text(
        &c,
        &format!(r#"{{"{key}":"runtime/default","{key}":"unconfined"}}"#),
    ));
    assert!(
        !accepted && message.contains("forbidden AppArmor profile"),
        "{message}"
    );
    // A volume naming hostPath twice: refused whichever copy is null (Kubernetes would keep
    // the last; refusing when the last is null is stricter, never looser).
    for volume in [
        r#"{"name":"v","hostPath":null,"hostPath":{"path":"/"}}"#,
        r#"{"name":"v","hostPath":{"path":"/"},"hostPath":null}"#,
    ] {
        let text = pod_text(&c, "{}").replacen(
            r#""containers":"#,
            &format!(r#""volumes":[{volume}],"containers":"#),
            1,
        );
        let (accepted, message) = judge_text(&text);
        assert!(
            !accepted && message.contains("restricted volume types"),
            "{message}"
        );
    }
    // A key spelt with escapes is the same key.
    let evil = c.replacen(
        r#""allowPrivilegeEscalation":false"#,
        r#""allowPrivilegeEscalation":false,"privil\u0065ged":true"#,
        1,
    );
    let (accepted, message) = judge_text(&pod_text(&evil, "{}"));
    assert!(!accepted && message.contains("privileged"), "{message}");
    // The request's own fields: a second `object` is refused.
    let req = request("Pod", &compliant(), &json!({})).to_string();
    let mut p = compliant();
    p["spec"]["hostPID"] = json!(true);
    let evil = req.replacen(r#""object":"#, &format!(r#""object":{p},"object":"#), 1);
    let (accepted, message) = judge_text(&evil);
    assert!(
        !accepted && message.contains("duplicate field `object`"),
        "{message}"
    );
}

/// The container as `serde_json` writes it inside a request (keys sorted).
fn container_text(name: &str) -> String {
    container(name).to_string()
}

/// Bytes that are not one JSON document are refused, never half-read.
#[test]
fn trailing_garbage_and_odd_encodings() {
    let text = request("Pod", &compliant(), &json!({})).to_string();
    for evil in [
        format!("{text} {{}}"),
        format!("{text}x"),
        format!("\u{feff}{text}"),
        text.replacen(r#""object":{"#, r#""object":{} {"#, 1),
    ] {
        let (accepted, _) = judge_text(&evil);
        assert!(!accepted, "{evil}");
    }
    // An operation spelt otherwise is not DELETE or CONNECT: judged.
    let mut p = compliant();
    p["spec"]["hostIPC"] = json!(true);
    let mut r = request("Pod", &p, &json!({}));
    r["request"]["operation"] = json!("delete");
    refused(&r, "host namespaces");
    // An exemption needs the exact name.
    r["request"]["operation"] = json!("CREATE");
    r["request"]["namespace"] = json!("kube-system ");
    refused_exempt_spoof(&r);
}

fn refused_exempt_spoof(r: &Value) {
    let mut r = r.clone();
    r["settings"] = json!({"exemptions": {"namespaces": ["kube-system"]}});
    refused(&r, "host namespaces");
}

// --- What the API server stores: `pods/ephemeralcontainers` and `pods/resize` ---------------

/// A running pod whose containers comply on their own: no pod-level security context
/// (each container sets `runAsNonRoot` and its seccomp profile itself).
fn stored_pod() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
        "spec": {"containers": [container("app")]}})
}

/// `pod` with one more ephemeral container, "debug", whose security context is `sc`.
fn with_debug(pod: &Value, sc: Value) -> Value {
    let mut p = pod.clone();
    p["spec"]["ephemeralContainers"] =
        json!([{"name": "debug", "image": "busybox", "securityContext": sc}]);
    p
}

/// An UPDATE of the `sub` subresource of a pod: the object the client sent, and the pod the
/// API server has stored (`oldObject`), when given.
fn subresource_update(sub: &str, sent: &Value, stored: Option<&Value>, settings: Value) -> Value {
    let mut r = request("Pod", sent, &settings);
    r["request"]["operation"] = json!("UPDATE");
    r["request"]["subResource"] = json!(sub);
    if let Some(stored) = stored {
        r["request"]["oldObject"] = stored.clone();
    }
    r
}

/// A debug container that sets only what a container must set itself at restricted.
fn debug_context() -> Value {
    json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
           "readOnlyRootFilesystem": true})
}

/// For `pods/ephemeralcontainers` the API server keeps only the new ephemeral containers
/// of what the client sent and restores everything else from the stored pod
/// (dropNonEphemeralContainerUpdates). A policy deployed as a mutating webhook sees the
/// object before that: pod-level fields sent along must not vouch for the debug container.
#[test]
fn a_debug_container_does_not_borrow_pod_fields_the_api_server_drops() {
    let stored = stored_pod();
    let mut sent = with_debug(&stored, debug_context());
    sent["spec"]["securityContext"] =
        json!({"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}});
    let r = subresource_update("ephemeralcontainers", &sent, Some(&stored), json!({}));
    refused(
        &r,
        r#"runAsNonRoot != true (pod or container "debug" must set securityContext.runAsNonRoot=true)"#,
    );
    refused(&r, r#"seccompProfile (pod or container "debug" must set"#);
    // When the stored pod itself has those fields, they do cover the debug container.
    let mut stored = stored_pod();
    stored["spec"]["securityContext"] = sent["spec"]["securityContext"].clone();
    allowed(&subresource_update(
        "ephemeralcontainers",
        &with_debug(&stored, debug_context()),
        Some(&stored),
        json!({}),
    ));
}

/// `os.name: windows` and `hostUsers: false` relax restricted controls; sent along with a
/// debug container (the API server drops them, and both are immutable anyway) they relax
/// nothing.
#[test]
fn pod_level_relaxations_sent_with_a_debug_container_are_not_believed() {
    let stored = stored_pod();
    let mut sent = with_debug(&stored, json!({"runAsNonRoot": true}));
    sent["spec"]["os"] = json!({"name": "windows"});
    refused(
        &subresource_update("ephemeralcontainers", &sent, Some(&stored), json!({})),
        r#"allowPrivilegeEscalation != false (container "debug" must set"#,
    );
    let mut root = container("debug");
    root["securityContext"]["runAsUser"] = json!(0);
    root["securityContext"]["runAsNonRoot"] = json!(false);
    let mut sent = stored.clone();
    sent["spec"]["ephemeralContainers"] = json!([root]);
    sent["spec"]["hostUsers"] = json!(false);
    refused(
        &subresource_update("ephemeralcontainers", &sent, Some(&stored), json!({})),
        r#"runAsUser=0 (container "debug" must not set runAsUser=0)"#,
    );
}

/// An exempt runtime class is the stored pod's, not what the client writes beside a
/// privileged debug container.
#[test]
fn an_exempt_runtime_class_sent_with_a_debug_container_is_not_believed() {
    let settings = json!({"exemptions": {"runtimeClasses": ["kata"]}});
    let stored = stored_pod();
    let mut sent = with_debug(&stored, json!({"privileged": true}));
    sent["spec"]["runtimeClassName"] = json!("kata");
    refused(
        &subresource_update(
            "ephemeralcontainers",
            &sent,
            Some(&stored),
            settings.clone(),
        ),
        r#"privileged (container "debug" must not set securityContext.privileged=true)"#,
    );
    // A pod stored with the exempt class is exempt, as in PSA.
    let mut stored = stored_pod();
    stored["spec"]["runtimeClassName"] = json!("kata");
    let sent = with_debug(&stored, json!({"privileged": true}));
    allowed(&subresource_update(
        "ephemeralcontainers",
        &sent,
        Some(&stored),
        settings,
    ));
}

/// Annotations are restored from the stored pod too. An annotation is an insignificant
/// update (accepted on a running pod), so one can be planted first for a container that
/// does not exist yet, then the container added with an object that leaves it out.
#[test]
fn an_annotation_of_the_stored_pod_counts_for_a_debug_container() {
    let mut stored = stored_pod();
    stored["metadata"]["annotations"] =
        json!({"container.apparmor.security.beta.kubernetes.io/debug": "unconfined"});
    let mut sent = with_debug(&stored, container("debug")["securityContext"].clone());
    sent["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("annotations");
    refused(
        &subresource_update("ephemeralcontainers", &sent, Some(&stored), json!({})),
        "forbidden AppArmor profile",
    );
}

/// Without the stored pod a subresource update cannot be judged as the API server will
/// store it: refused, with the reason, never judged on what the client sent.
#[test]
fn a_subresource_update_without_a_readable_old_object_is_refused() {
    let sent = with_debug(&compliant(), container("debug")["securityContext"].clone());
    for sub in ["ephemeralcontainers", "resize"] {
        for (stored, says) in [
            (None, "request.oldObject is missing"),
            (Some(Value::Null), "request.oldObject is missing"),
            (
                Some(json!({"spec": {"containers": 5}})),
                "cannot read the Pod in request.oldObject",
            ),
            (
                Some(wrap("Deployment", &compliant())),
                r#"request.oldObject.kind "Deployment" does not match"#,
            ),
        ] {
            let r = subresource_update(sub, &sent, stored.as_ref(), json!({}));
            refused(&r, says);
        }
    }
}

/// `pods/resize` stores the old pod with new resources only: nothing a control reads can
/// change, so a resize is the stored pod, and (as in PSA) insignificant. What the client
/// sends besides the resources counts for nothing, either way.
#[test]
fn a_resize_is_the_stored_pod() {
    let mut stored = compliant();
    stored["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    let mut sent = compliant();
    sent["spec"]["containers"][0]["resources"] = json!({"limits": {"cpu": "2"}});
    sent["spec"]["containers"][0]["image"] = json!("nginx:2");
    allowed(&subresource_update(
        "resize",
        &sent,
        Some(&stored),
        json!({}),
    ));
    // The other way round: a clean stored pod, and a client asking for privileges.
    let mut sent = stored.clone();
    sent["spec"]["containers"][0]["image"] = json!("nginx:2");
    allowed(&subresource_update(
        "resize",
        &sent,
        Some(&compliant()),
        json!({}),
    ));
}

// --- An exclusion forgives what it names, never the baseline floor ---------------------------

/// At restricted, `restrictedVolumes` replaces baseline's `hostPathVolumes`. Switching it
/// off, or forgiving the type `hostPath`, still leaves a hostPath of `/` refused at baseline
/// unless the path itself is named.
#[test]
fn excluding_restricted_volumes_keeps_the_host_path_floor() {
    let mut p = compliant();
    p["spec"]["volumes"] = json!([{"name": "root", "hostPath": {"path": "/"}}]);
    for settings in [
        json!({"exclusions": [{"control": "restrictedVolumes", "acknowledgeControlDisabled": true}]}),
        json!({"exclusions": [{"control": "restrictedVolumes", "values": ["hostPath"]}]}),
    ] {
        refused_as_every_kind(&p, settings, r#"hostPath volumes (volume "root")"#);
    }
    for settings in [
        json!({"exclusions": [{"control": "restrictedVolumes", "values": ["/"]}]}),
        json!({"exclusions": [{"control": "restrictedVolumes", "values": ["hostPath"]},
                              {"control": "hostPathVolumes", "values": ["/"]}]}),
    ] {
        allowed_as_every_kind(&p, settings);
    }
}

/// At restricted, `capabilities_restricted` replaces `capabilities_baseline`. An exclusion
/// that selects the mesh's image without naming values does not let it add SYS_ADMIN: that
/// is refused in baseline's words. Values named on the entry are forgiven at both.
#[test]
fn excluding_restricted_capabilities_for_an_image_keeps_the_baseline_floor() {
    let mesh = |caps: Value| {
        let mut p = compliant();
        p["spec"]["initContainers"][0]["name"] = json!("istio-init");
        p["spec"]["initContainers"][0]["image"] = json!("docker.io/istio/proxyv2:1.22.0");
        p["spec"]["initContainers"][0]["securityContext"]["capabilities"] =
            json!({"drop": ["ALL"], "add": caps});
        p
    };
    let selector = json!({"control": "capabilities_restricted",
        "images": ["docker.io/istio/proxyv2:*"], "containers": ["istio-init"]});
    let evil = mesh(json!(["SYS_ADMIN"]));
    refused_as_every_kind(
        &evil,
        json!({"exclusions": [selector]}),
        r#"non-default capabilities (container "istio-init" must not include "SYS_ADMIN" in securityContext.capabilities.add)"#,
    );
    refused_as_every_kind(
        &evil,
        json!({"exclusions": [{"control": "capabilities_restricted", "images": ["docker.io/istio/proxyv2:*"]}]}),
        "non-default capabilities",
    );
    refused_as_every_kind(
        &evil,
        json!({"exclusions": [{"control": "capabilities_restricted", "acknowledgeControlDisabled": true}]}),
        "non-default capabilities",
    );
    // The common case: the values named, forgiven at restricted and at baseline alike.
    let mut with_values = selector.clone();
    with_values["values"] = json!(["NET_ADMIN", "NET_RAW"]);
    allowed_as_every_kind(
        &mesh(json!(["NET_ADMIN", "NET_RAW"])),
        json!({"exclusions": [with_values]}),
    );
    // A whole-container exclusion needs the baseline entry too, naming what it forgives.
    let mut baseline = selector.clone();
    baseline["control"] = json!("capabilities_baseline");
    baseline["values"] = json!(["NET_ADMIN", "NET_RAW", "SYS_ADMIN"]);
    allowed_as_every_kind(
        &mesh(json!(["NET_ADMIN", "NET_RAW", "SYS_ADMIN"])),
        json!({"exclusions": [selector, baseline]}),
    );
}

/// The same for `seccompProfile_restricted` (over `seccompProfile_baseline`) and
/// `procMount_restricted` (over `procMount`): an image exclusion forgives what only
/// restricted asks for, not `Unconfined` or `Unmasked`, unless the value is named.
#[test]
fn excluding_restricted_seccomp_or_proc_mount_keeps_the_baseline_floor() {
    for (field, value, control, says) in [
        (
            "seccompProfile",
            json!({"type": "Unconfined"}),
            "seccompProfile_restricted",
            r#"seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")"#,
        ),
        (
            "procMount",
            json!("Unmasked"),
            "procMount_restricted",
            r#"procMount (container "c" must not set securityContext.procMount to "Unmasked")"#,
        ),
    ] {
        let mut p = compliant();
        p["spec"]["containers"][0]["image"] = json!("registry.example.com/legacy:1");
        p["spec"]["containers"][0]["securityContext"][field] = value;
        let entry = json!({"control": control, "images": ["registry.example.com/legacy:*"]});
        refused_as_every_kind(&p, json!({"exclusions": [entry.clone()]}), says);
        let mut named = entry;
        named["values"] = json!(["Unconfined", "Unmasked"]);
        allowed_as_every_kind(&p, json!({"exclusions": [named]}));
    }
}

// --- Image patterns match what the runtime runs --------------------------------------------

const DIGEST: &str = "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1";

/// `runAsUser: 0` in container "c", running `image`, forgiven for the images `patterns`.
fn root_container_forgiven(image: &str, patterns: Value) -> (Value, Value) {
    let mut p = compliant();
    p["spec"]["containers"][0]["image"] = json!(image);
    p["spec"]["containers"][0]["securityContext"]["runAsUser"] = json!(0);
    (
        p,
        json!({"exclusions": [{"control": "runAsUser", "images": patterns}]}),
    )
}

/// The runtime pulls the digest and ignores the tag: a pattern that names a tag does not
/// vouch for whatever digest is written after it.
#[test]
fn a_tagged_pattern_does_not_match_a_pinned_digest() {
    let image = format!("registry.example.com/node-agent:1.4.0@{DIGEST}");
    let (p, settings) =
        root_container_forgiven(&image, json!(["registry.example.com/node-agent:1.4.*"]));
    refused_as_every_kind(&p, settings, "runAsUser=0");
    let (p, settings) = root_container_forgiven(
        &image,
        json!([format!("registry.example.com/node-agent@{DIGEST}")]),
    );
    allowed_as_every_kind(&p, settings);
}

/// A first path component with an upper-case letter is a registry host to the runtime
/// (`EVILHOST/node-agent:1` is pulled from EVILHOST), not a Docker Hub namespace.
#[test]
fn an_upper_case_first_component_names_a_registry() {
    let (p, settings) =
        root_container_forgiven("EVILHOST/node-agent:1", json!(["docker.io/*/node-agent:*"]));
    refused_as_every_kind(&p, settings, "runAsUser=0");
    let (p, settings) =
        root_container_forgiven("EVILHOST/node-agent:1", json!(["EVILHOST/node-agent:*"]));
    allowed_as_every_kind(&p, settings);
    // A reference the runtime cannot pull is matched by nothing.
    let (p, settings) =
        root_container_forgiven("docker.io/Team/node-agent:1", json!(["docker.io/*/*:*"]));
    refused_as_every_kind(&p, settings, "runAsUser=0");
}

/// Any pod may call a container "istio-init": a name alone names no image, so an entry
/// that selects by name alone is refused, with what to write instead.
#[test]
fn a_container_name_alone_forgives_no_image() {
    let settings = json!({"exclusions": [{"control": "privileged", "containers": ["istio-init"]}]});
    let mut p = compliant();
    p["spec"]["initContainers"][0]["name"] = json!("istio-init");
    p["spec"]["initContainers"][0]["image"] = json!("evil.example/anything:1");
    p["spec"]["initContainers"][0]["securityContext"]["privileged"] = json!(true);
    refused_as_every_kind(&p, settings.clone(), "exclusions[0].containers");
    let r = pod_security_standards::verdict::validate_settings(
        settings["exclusions"].to_string().as_bytes(),
    );
    assert!(!r.valid);
    let r = pod_security_standards::verdict::validate_settings(settings.to_string().as_bytes());
    assert!(!r.valid);
    let message = r.message.unwrap_or_default();
    assert!(message.contains("add `images`"), "{message}");
}

/// Patterns that are accepted but cannot mean what they seem to (`*` is only
/// docker.io/library/*:latest) or can never match a reference the runtime pulls are
/// refused by validate_settings, naming the field and what to write.
#[test]
fn image_patterns_that_cannot_be_meant_are_refused() {
    for (pattern, says) in [
        ("*", "docker.io/library/*:latest"),
        ("*:*", "docker.io/library/*:*"),
        ("?*", "docker.io/library/"),
        ("*/node-agent:*", "docker.io/*/node-agent:*"),
        ("docker.io/Team/app:*", "lower case"),
        ("nginx@sha256:abcd", "digest"),
        ("nginx:1.0@sha256:abcd", "digest"),
        ("nginx:-1", "tag"),
    ] {
        let settings =
            json!({"exclusions": [{"control": "runAsUser", "images": ["nginx:*", pattern]}]});
        let r = pod_security_standards::verdict::validate_settings(settings.to_string().as_bytes());
        assert!(!r.valid, "{pattern} accepted");
        let message = r.message.unwrap_or_default();
        assert!(
            message.starts_with(&format!(
                "exclusions[0].images[1]: invalid image pattern {pattern:?}"
            )),
            "{pattern}: {message}"
        );
        assert!(
            message.contains(says),
            "{pattern}: {says:?} missing from {message}"
        );
    }
}
