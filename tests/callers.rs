//! The built `policy.wasm` called the way each of Kubewarden's components calls it, each
//! request shape built as that component's source builds it (kubewarden-controller
//! monorepo), and judged against admission of the same object:
//! - policy-server, admission: the API server's AdmissionReview, read into
//!   `crates/policy-evaluator/src/admission_request.rs`'s `AdmissionRequest` and written
//!   again (unknown fields dropped, `None` fields omitted), then wrapped with the settings
//!   by `runtimes/wapc/runtime.rs` as `{"request", "settings"}`;
//! - the audit-scanner: `internal/audit-scanner/scanner/admission_request.go`'s
//!   `newAdmissionRequest` (CREATE, empty `userInfo`, `resource.resource` = the Kind), sent
//!   to policy-server's `/audit` endpoint, which forwards it as above;
//! - `kwctl run`: `crates/kwctl/src/command/run/evaluator.rs`'s `build_validate_request`
//!   takes an AdmissionReview's `request` (when `kind` is `AdmissionReview`) or the file
//!   as the request, and forwards it as above;
//! - the Rancher UI: settings built from `questions-ui.yml` as `rancher/kubewarden-ui`'s
//!   `Questions` component builds them (every question's default at its dotted path; a new
//!   sequence entry from every `sequence_questions` default, `addSequence`).
//!
//! Needs the built module: `make policy.wasm` (`make test` builds it first).

use pss_test_support as common;

use common::host::{policy_path, WasmPolicy};
use common::{wrap, KINDS};
use serde_json::{json, Map, Value};

fn policy() -> WasmPolicy {
    WasmPolicy::load(&policy_path()).unwrap_or_else(|e| panic!("{e}"))
}

/// The fields of policy-evaluator's `AdmissionRequest`; anything else is dropped on the way.
const FORWARDED: [&str; 15] = [
    "uid",
    "kind",
    "resource",
    "subResource",
    "requestKind",
    "requestResource",
    "requestSubResource",
    "name",
    "namespace",
    "operation",
    "userInfo",
    "object",
    "oldObject",
    "dryRun",
    "options",
];

/// The request as policy-evaluator forwards it: known fields only, `null` ones omitted
/// (`skip_serializing_if = "Option::is_none"`), `userInfo` always present.
fn forwarded(request: &Value) -> Value {
    let mut out = Map::new();
    for key in FORWARDED {
        if let Some(value) = request.get(key).filter(|v| !v.is_null()) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    out.entry("userInfo").or_insert(json!({}));
    Value::Object(out)
}

/// One `validate` call as policy-server (or kwctl) makes it: (accepted, message).
fn judge(policy: &WasmPolicy, request: &Value, settings: &Value) -> (bool, String) {
    let response = policy
        .validate(&json!({"request": forwarded(request), "settings": settings}))
        .unwrap_or_else(|e| panic!("{e}"));
    let accepted = response["accepted"]
        .as_bool()
        .unwrap_or_else(|| panic!("no verdict: {response}"));
    let message = response["message"].as_str().unwrap_or("").to_owned();
    (accepted, message)
}

/// What the API server sends for `operation` on an object of `kind`.
fn admission(kind: &str, object: &Value, operation: &str) -> Value {
    let (_, group, resource) = KINDS.iter().find(|(k, ..)| *k == kind).copied().unwrap();
    json!({
        "uid": "b1e0c2d6-0000-4000-8000-000000000001",
        "kind": {"group": group, "version": "v1", "kind": kind},
        "resource": {"group": group, "version": "v1", "resource": resource},
        "requestKind": {"group": group, "version": "v1", "kind": kind},
        "requestResource": {"group": group, "version": "v1", "resource": resource},
        "name": "w",
        "namespace": "default",
        "operation": operation,
        "userInfo": {"username": "alice", "uid": "1", "groups": ["system:authenticated"]},
        "object": object,
        "oldObject": null,
        "dryRun": false,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
    })
}

/// `newAdmissionRequest` of the audit-scanner for an object of `kind`.
fn audit_scanner(kind: &str, object: &Value) -> Value {
    let (_, group, _) = KINDS.iter().find(|(k, ..)| *k == kind).copied().unwrap();
    let gvk = json!({"group": group, "version": "v1", "kind": kind});
    json!({
        "uid": "",
        "kind": gvk,
        "resource": {"group": group, "version": "v1", "resource": kind},
        "requestKind": gvk,
        "name": "w",
        "namespace": "default",
        "operation": "CREATE",
        "userInfo": {},
        "object": object,
        "oldObject": null,
        "options": null,
    })
}

/// kwctl run's reading of a request file: an AdmissionReview's request, or the file itself.
fn kwctl_run_file(file: &Value) -> Value {
    if file["kind"] == "AdmissionReview" {
        file["request"].clone()
    } else {
        file.clone()
    }
}

fn privileged_pod() -> Value {
    json!({"metadata": {"name": "p"}, "spec": {
        "hostPID": true,
        "containers": [{"name": "app", "image": "busybox:1.36",
            "securityContext": {"privileged": true, "runAsUser": 0}}]}})
}

fn compliant_pod() -> Value {
    pss_test_support::pods::compliant_pod(&[], &["app"], &[])
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn the_audit_scanner_gets_admissions_verdict_and_message_for_every_kind() {
    let policy = policy();
    let settings = json!({});
    for (kind, ..) in KINDS {
        for (name, pod, expect_accepted) in [
            ("privileged", privileged_pod(), false),
            ("compliant", compliant_pod(), true),
        ] {
            let object = wrap(kind, &pod);
            let admitted = judge(&policy, &admission(kind, &object, "CREATE"), &settings);
            let audited = judge(&policy, &audit_scanner(kind, &object), &settings);
            assert_eq!(admitted.0, expect_accepted, "{name} {kind}: {}", admitted.1);
            assert_eq!(
                audited, admitted,
                "{name} {kind}: audit differs from admission"
            );
        }
    }
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn a_resource_that_is_neither_admissions_nor_the_scanners_is_still_refused() {
    let policy = policy();
    let object = wrap("Deployment", &compliant_pod());
    let mut request = audit_scanner("Deployment", &object);
    for resource in ["Pod", "deployment", "Deployments", "StatefulSet"] {
        request["resource"]["resource"] = json!(resource);
        let (accepted, message) = judge(&policy, &request, &json!({}));
        assert!(!accepted, "{resource}");
        assert!(message.contains("disagree"), "{resource}: {message}");
    }
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn an_unreadable_request_is_a_bad_request_and_a_violation_is_not() {
    let policy = policy();
    let code = |request: &Value| {
        let response = policy
            .validate(&json!({"request": forwarded(request), "settings": {}}))
            .unwrap_or_else(|e| panic!("{e}"));
        (response["accepted"].as_bool(), response["code"].as_u64())
    };
    let violating = admission("Pod", &privileged_pod(), "CREATE");
    let mut no_object = violating.clone();
    no_object["object"] = Value::Null;
    let mut unreadable = violating.clone();
    unreadable["object"]["spec"]["containers"] = json!("app");
    for (name, request, expected) in [
        ("a violating pod", &violating, (Some(false), None)),
        ("no object", &no_object, (Some(false), Some(400))),
        ("an unreadable pod", &unreadable, (Some(false), Some(400))),
    ] {
        assert_eq!(code(request), expected, "{name}");
    }
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn policy_server_admission_create_update_and_subresource() {
    let policy = policy();
    let settings = json!({"level": "baseline", "requireReadOnlyRootFilesystem": false});
    let pod = |image: &str, privileged: bool| {
        json!({"metadata": {"name": "p", "labels": {"a": "1"}}, "spec": {"containers": [
            {"name": "app", "image": image, "securityContext": {"privileged": privileged}}]}})
    };

    let create = admission("Pod", &pod("nginx:1", true), "CREATE");
    let (accepted, message) = judge(&policy, &create, &settings);
    assert!(!accepted);
    assert_eq!(
        message,
        r#"violates PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)"#
    );

    // An UPDATE that changes only labels of an old non-compliant pod is not significant.
    let mut relabel = admission("Pod", &pod("nginx:1", true), "UPDATE");
    relabel["object"]["metadata"]["labels"]["a"] = json!("2");
    relabel["oldObject"] = pod("nginx:1", true);
    assert_eq!(judge(&policy, &relabel, &settings), (true, String::new()));
    // An image change is.
    let mut reimage = relabel.clone();
    reimage["object"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    assert_eq!(
        judge(&policy, &reimage, &settings),
        (false, message.clone())
    );

    // The ephemeralcontainers subresource: a privileged debug container.
    let mut debug = admission("Pod", &pod("nginx:1", false), "UPDATE");
    debug["subResource"] = json!("ephemeralcontainers");
    debug["oldObject"] = pod("nginx:1", false);
    debug["object"]["spec"]["ephemeralContainers"] = json!([{"name": "debugger",
        "image": "busybox", "securityContext": {"privileged": true}}]);
    let (accepted, message) = judge(&policy, &debug, &settings);
    assert!(!accepted);
    assert!(
        message.contains(r#"container "debugger" must not set securityContext.privileged=true"#),
        "{message}"
    );
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn kwctl_run_of_a_request_and_of_a_review_gives_admissions_answer() {
    let policy = policy();
    for file in ["pod_privileged.json", "deployment_privileged.json"] {
        let path = format!("{}/test_data/{file}", env!("CARGO_MANIFEST_DIR"));
        let request: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let review = json!({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1",
            "request": request});
        let settings = json!({});
        let admitted = judge(&policy, &request, &settings);
        assert!(!admitted.0, "{file}");
        assert_eq!(
            judge(&policy, &kwctl_run_file(&request), &settings),
            admitted
        );
        assert_eq!(
            judge(&policy, &kwctl_run_file(&review), &settings),
            admitted
        );
    }
    // The audit fixtures (an AdmissionReview the scanner would POST) answer as admission.
    for (audit, admission_file) in [
        ("audit_pod_privileged.json", "pod_privileged.json"),
        (
            "audit_deployment_privileged.json",
            "deployment_privileged.json",
        ),
    ] {
        let read = |f: &str| -> Value {
            let path = format!("{}/test_data/{f}", env!("CARGO_MANIFEST_DIR"));
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
        };
        assert_eq!(
            judge(&policy, &kwctl_run_file(&read(audit)), &json!({})),
            judge(&policy, &kwctl_run_file(&read(admission_file)), &json!({})),
            "{audit}"
        );
    }
}

/// `questions-ui.yml` read as the Rancher UI reads it.
fn questions() -> Vec<Value> {
    let path = format!("{}/questions-ui.yml", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    doc["questions"].as_array().cloned().unwrap_or_default()
}

/// Sets `value` at a dotted variable path (`exemptions.namespaces`), as lodash's `set` does.
fn set_path(settings: &mut Value, variable: &str, value: Value) {
    let mut at = settings;
    let mut parts = variable.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            at[part] = value;
            return;
        }
        if !at[part].is_object() {
            at[part] = json!({});
        }
        at = &mut at[part];
    }
}

/// validate_settings through the module: (valid, message).
fn validate_settings(policy: &WasmPolicy, settings: &Value) -> (bool, String) {
    let answer = policy
        .call("validate_settings", settings.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    let valid = answer["valid"]
        .as_bool()
        .unwrap_or_else(|| panic!("{answer}"));
    (valid, answer["message"].as_str().unwrap_or("").to_owned())
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn every_settings_object_the_rancher_ui_builds_is_accepted_or_refused_actionably() {
    let policy = policy();
    let questions = questions();
    assert!(!questions.is_empty(), "questions-ui.yml has no questions");
    let mut defaults = json!({});
    for q in &questions {
        let variable = q["variable"].as_str().expect("a question without variable");
        set_path(&mut defaults, variable, q["default"].clone());
    }
    assert_eq!(
        validate_settings(&policy, &defaults),
        (true, String::new()),
        "{defaults}"
    );
    // The modes left at their defaults (`privileged`) are no modes: the answers are those
    // of a policy deployed without settings, audit annotations and all.
    let answer = |settings: &Value, pod: &Value| {
        let request = forwarded(&admission("Pod", pod, "CREATE"));
        (policy.validate(&json!({"request": request, "settings": settings})))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    for pod in [compliant_pod(), privileged_pod()] {
        assert_eq!(
            answer(&defaults, &pod),
            answer(&json!({}), &pod),
            "{defaults}"
        );
    }
    // A rollout step picked in the UI: enforce privileged, warn restricted.
    let mut rollout = defaults.clone();
    set_path(&mut rollout, "level", json!("privileged"));
    set_path(&mut rollout, "warn.level", json!("restricted"));
    assert_eq!(validate_settings(&policy, &rollout), (true, String::new()));
    let warned = answer(&rollout, &privileged_pod());
    assert_eq!(warned["accepted"], true, "{warned}");
    assert!(
        warned["warnings"][0]
            .as_str()
            .is_some_and(|w| w.starts_with(r#"would violate PodSecurity "restricted:latest": "#)),
        "{warned}"
    );
    // Every level privileged: refused, saying what to set.
    set_path(&mut rollout, "warn.level", json!("privileged"));
    let (valid, message) = validate_settings(&policy, &rollout);
    assert!(
        !valid && message.contains("settings check nothing"),
        "{message}"
    );

    let sequences: Vec<&Value> = questions
        .iter()
        .filter(|q| {
            q["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("sequence["))
        })
        .collect();
    assert!(!sequences.is_empty(), "no sequence question: exclusions?");
    for q in sequences {
        let variable = q["variable"].as_str().unwrap();
        // The control is picked from a list: the policy's own control names, all of them.
        let control = q["sequence_questions"]
            .as_array()
            .and_then(|subs| subs.iter().find(|s| s["variable"] == "control"))
            .expect("a control question");
        let offered: Vec<&str> = control["options"]
            .as_array()
            .map(|o| o.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let known: Vec<&str> = pod_security_standards::controls::all_named()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(offered, known, "questions-ui.yml control options");
        // addSequence: every sequence question at its default.
        let mut entry = json!({});
        for sub in q["sequence_questions"].as_array().unwrap() {
            entry[sub["variable"].as_str().unwrap()] = sub["default"].clone();
        }
        let mut settings = defaults.clone();
        set_path(&mut settings, variable, json!([entry.clone()]));
        let (valid, message) = validate_settings(&policy, &settings);
        assert!(
            !valid,
            "an entry naming no control was accepted: {settings}"
        );
        assert!(
            message.contains(&format!("{variable}[0].control: empty; choose the control")),
            "{message}"
        );

        // Then filled in, as a user does, leaving the other fields at their defaults.
        let filled = [
            json!({"control": "capabilities_restricted", "values": ["NET_ADMIN", "NET_RAW"],
                "images": ["docker.io/istio/proxyv2:*"]}),
            json!({"control": "privileged", "images": ["docker.io/library/nginx:*"]}),
            json!({"control": "hostPathVolumes", "values": ["/var/log"]}),
            json!({"control": "runAsUser", "acknowledgeControlDisabled": true}),
        ];
        for fill in filled {
            let mut e = entry.clone();
            for (k, v) in fill.as_object().unwrap() {
                e[k] = v.clone();
            }
            let mut settings = defaults.clone();
            set_path(&mut settings, variable, json!([e]));
            assert_eq!(
                validate_settings(&policy, &settings),
                (true, String::new()),
                "{settings}"
            );
        }

        // A control alone, the checkbox left at its default: refused, saying which box to tick.
        let mut e = entry.clone();
        e["control"] = json!("runAsUser");
        let mut settings = defaults.clone();
        set_path(&mut settings, variable, json!([e]));
        let (valid, message) = validate_settings(&policy, &settings);
        assert!(!valid);
        assert!(
            message.contains("Acknowledge that the control is disabled"),
            "{message}"
        );
    }
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn errors_name_the_field_never_a_position_in_json_the_host_wrote() {
    // policy-server and kwctl write the request and the settings again themselves: a line
    // and column would point into text the user never saw.
    let policy = policy();
    let mut pod = compliant_pod();
    pod["spec"]["containers"][0]["securityContext"]["privileged"] = json!("yes");
    let (accepted, message) = judge(&policy, &admission("Pod", &pod, "CREATE"), &json!({}));
    assert!(!accepted);
    assert!(
        message.ends_with(
            "spec.containers[0].securityContext.privileged: invalid type: string \"yes\", expected a boolean"
        ),
        "{message}"
    );
    let mut request = admission("Pod", &compliant_pod(), "CREATE");
    request["operation"] = json!(5);
    let (accepted, message) = judge(&policy, &request, &json!({}));
    assert!(!accepted);
    assert!(!message.contains(" at line "), "{message}");
    assert!(
        message.contains("request.operation: invalid type"),
        "{message}"
    );

    let (valid, message) = validate_settings(&policy, &json!({"exemptions": {"namespaces": [1]}}));
    assert!(!valid);
    assert_eq!(
        message,
        "exemptions.namespaces[0]: invalid type: integer `1`, expected a string"
    );
}
