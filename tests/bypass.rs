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
#[test]
fn an_unknown_pod_subresource_is_judged() {
    let mut p = compliant();
    p["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    for sub in [
        "ephemeralcontainers",
        "resize",
        "somethingnew",
        "Status",
        "exec ",
    ] {
        let mut r = request("Pod", &p, &json!({}));
        r["request"]["operation"] = json!("UPDATE");
        r["request"]["subResource"] = json!(sub);
        refused(&r, "privileged");
    }
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
