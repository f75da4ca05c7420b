//! A request end to end through `validate`: messages, exemptions, refusals, settings,
//! mutation and bounds. `request` builds the Pod CREATE the other modules' tests send too.

use super::*;
use crate::response::{response_json, EXEMPT_ANNOTATION};
use serde_json::{json, Value};

/// A Pod CREATE in namespace "team-a" by "alice", as a ValidationRequest's bytes.
pub(crate) fn request(object: Value, settings: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "settings": settings,
        "request": {
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "operation": "CREATE", "namespace": "team-a",
            "userInfo": {"username": "alice"},
            "object": object,
        }
    }))
    .unwrap()
}

fn pod(security_context: Value) -> Value {
    json!({"kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": security_context}]}})
}

fn compliant() -> Value {
    json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true,
           "seccompProfile": {"type": "RuntimeDefault"}, "readOnlyRootFilesystem": true})
}

#[test]
fn compliant_pod_is_accepted_quietly() {
    let r = validate(&request(pod(compliant()), json!({})));
    assert!(r.accepted);
    assert_eq!(r.message, None);
    assert_eq!(r.audit_annotations, None);
}

#[test]
fn messages_use_psa_words_then_our_sentence() {
    let mut sc = compliant();
    sc["privileged"] = json!(true);
    sc["readOnlyRootFilesystem"] = json!(false);
    let r = validate(&request(pod(sc.clone()), json!({"version": "v1.30"})));
    assert!(!r.accepted);
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates PodSecurity "restricted:v1.30": privileged (container "app" must not set securityContext.privileged=true); violates requireReadOnlyRootFilesystem: readOnlyRootFilesystem != true (container "app" must set securityContext.readOnlyRootFilesystem=true)"#
        )
    );
    let r = validate(&request(
        pod(sc.clone()),
        json!({"requireReadOnlyRootFilesystem": false, "level": "baseline"}),
    ));
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)"#
        )
    );
    sc["privileged"] = json!(false);
    let r = validate(&request(pod(sc), json!({})));
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates requireReadOnlyRootFilesystem: readOnlyRootFilesystem != true (container "app" must set securityContext.readOnlyRootFilesystem=true)"#
        )
    );
}

#[test]
fn a_newer_version_is_judged_as_latest_and_named_as_written() {
    let r = validate(&request(
        pod(json!({"privileged": true})),
        json!({"version": "v1.99", "level": "baseline"}),
    ));
    assert!(r
        .message
        .unwrap()
        .starts_with(r#"violates PodSecurity "baseline:v1.99": privileged"#));
}

#[test]
fn exemptions_say_which_applied() {
    let payload = request(
        pod(json!({"privileged": true})),
        json!({"exemptions": {"namespaces": ["team-a"]}}),
    );
    let r = validate(&payload);
    assert!(r.accepted);
    assert_eq!(
        r.message.as_deref(),
        Some(r#"exempt from PodSecurity: namespace "team-a" is listed in exemptions.namespaces"#)
    );
    assert_eq!(r.audit_annotations.unwrap()[EXEMPT_ANNOTATION], "namespace");
}

#[test]
fn unreadable_input_is_rejected_never_accepted() {
    let r = validate(b"\xff\xfe");
    assert!(!r.accepted);
    assert!(r.message.unwrap().contains("not UTF-8"));
    let r = validate(b"{\"request\": 5}");
    assert!(!r.accepted);
    assert!(r
        .message
        .unwrap()
        .starts_with("cannot read the validation request"));
    let r = validate(b"");
    assert!(!r.accepted);
}

#[test]
fn refusals_carry_the_code_kubernetes_would() {
    let mut no_kind: Value = serde_json::from_slice(&request(pod(compliant()), json!({}))).unwrap();
    no_kind["request"]["kind"] = Value::Null;
    let mut no_object: Value =
        serde_json::from_slice(&request(pod(compliant()), json!({}))).unwrap();
    no_object["request"]["object"] = Value::Null;
    let mut other_kind: Value =
        serde_json::from_slice(&request(pod(compliant()), json!({}))).unwrap();
    other_kind["request"]["object"]["kind"] = json!("Deployment");
    let cases: [(&str, Vec<u8>, bool, Option<u16>); 9] = [
        ("not UTF-8", b"\xff\xfe".to_vec(), false, Some(400)),
        ("not JSON", b"{not json".to_vec(), false, Some(400)),
        (
            "not a ValidationRequest",
            b"{\"request\": 5}".to_vec(),
            false,
            Some(400),
        ),
        (
            "no kind",
            serde_json::to_vec(&no_kind).unwrap(),
            false,
            Some(400),
        ),
        (
            "no object",
            serde_json::to_vec(&no_object).unwrap(),
            false,
            Some(400),
        ),
        (
            "the object's kind is another",
            serde_json::to_vec(&other_kind).unwrap(),
            false,
            Some(400),
        ),
        (
            "invalid settings",
            request(pod(compliant()), json!({"level": "privileged"})),
            false,
            Some(500),
        ),
        // The policy's ordinary answers carry no code (the API server says 403 itself).
        (
            "a violating pod",
            request(pod(json!({"privileged": true})), json!({})),
            false,
            None,
        ),
        (
            "a compliant pod",
            request(pod(compliant()), json!({})),
            true,
            None,
        ),
    ];
    for (name, payload, accepted, code) in cases {
        let r = validate(&payload);
        assert_eq!(
            (r.accepted, r.code),
            (accepted, code),
            "{name}: {:?}",
            r.message
        );
        let json: Value = serde_json::from_slice(&response_json(&r).unwrap()).unwrap();
        assert_eq!(json["code"], json!(code), "{name}");
    }
}

#[test]
fn invalid_settings_reject_every_request() {
    let r = validate(&request(pod(compliant()), json!({"level": "privileged"})));
    assert!(!r.accepted);
    assert!(r
        .message
        .unwrap()
        .starts_with(r#"invalid settings: level: "privileged" is not accepted"#));
    let r = validate(&request(pod(compliant()), json!({"mode": "audit"})));
    assert!(!r.accepted);
}

#[test]
fn settings_validation_answers() {
    assert!(validate_settings(b"{}").valid);
    assert!(validate_settings(br#"{"level":"baseline","version":"v1.0"}"#).valid);
    let bad = validate_settings(br#"{"version":"v2.0"}"#);
    assert!(!bad.valid);
    assert!(bad
        .message
        .unwrap()
        .starts_with(r#"version: "v2.0" is malformed"#));
    assert!(!validate_settings(b"\xff").valid);
    assert!(!validate_settings(b"not json").valid);
}

#[test]
fn mutation_corrects_what_can_be_corrected_and_says_so() {
    let bare = pod(Value::Null);
    let r = validate(&request(bare.clone(), json!({"mutate": true})));
    assert!(r.accepted, "{:?}", r.message);
    let mutated = r.mutated_object.expect("mutated object");
    assert_eq!(mutated["spec"]["securityContext"]["runAsNonRoot"], true);
    assert_eq!(r.warnings.expect("warnings").len(), 5);
    // The corrected object passes on its own, without mutation.
    let again = validate(&request(mutated, json!({})));
    assert!(again.accepted, "{:?}", again.message);
    // Without the setting nothing is mutated.
    let r = validate(&request(bare, json!({})));
    assert!(!r.accepted);
    assert!(r.mutated_object.is_none());
}

#[test]
fn mutation_never_admits_what_it_cannot_correct() {
    let r = validate(&request(
        pod(json!({"privileged": true})),
        json!({"mutate": true}),
    ));
    assert!(!r.accepted);
    assert!(r.mutated_object.is_none());
    // The remaining violations are those of the corrected object.
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"violates PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true)"#
        )
    );
}

#[test]
fn compliant_exempt_and_pod_updates_are_not_mutated() {
    let r = validate(&request(pod(compliant()), json!({"mutate": true})));
    assert!(r.accepted && r.mutated_object.is_none() && r.warnings.is_none());
    let r = validate(&request(
        pod(Value::Null),
        json!({"mutate": true, "exemptions": {"namespaces": ["team-a"]}}),
    ));
    assert!(r.accepted && r.mutated_object.is_none());
    let mut update: Value =
        serde_json::from_slice(&request(pod(Value::Null), json!({"mutate": true}))).unwrap();
    update["request"]["operation"] = json!("UPDATE");
    let r = validate(&serde_json::to_vec(&update).unwrap());
    assert!(
        !r.accepted,
        "an existing pod's spec cannot be changed: judge only"
    );
    assert!(r.mutated_object.is_none());
}

#[test]
fn request_errors_and_exclusion_notes_are_bounded() {
    let huge = format!(r#"{{"request":"{}"}}"#, "x".repeat(100_000));
    let r = validate(huge.as_bytes());
    assert!(!r.accepted);
    assert!(r.message.unwrap().len() < 1024);
    let containers: Vec<Value> = (0..500)
        .map(|i| json!({"name": format!("c{i}"), "image": "x", "securityContext": {"privileged": true}}))
        .collect();
    let payload = serde_json::to_vec(&json!({
        "settings": {"level": "baseline", "requireReadOnlyRootFilesystem": false,
                     "exclusions": [{"control": "privileged", "images": ["x"]}]},
        "request": {"kind": {"group": "", "kind": "Pod"}, "operation": "CREATE",
                    "object": {"spec": {"containers": containers}}}
    }))
    .unwrap();
    let r = validate(&payload);
    assert!(r.accepted, "{:?}", r.message);
    let warnings = r.warnings.unwrap();
    assert_eq!(warnings.len(), 11);
    assert_eq!(warnings[10], "exclusion in use: and 490 more");
}

#[test]
fn both_sentences_are_bounded_together_and_cut_once() {
    // Ten containers with 200-byte names: every container control's list is about 2 KB,
    // far past the details' budget, and readOnlyRootFilesystem is violated too.
    let containers: Vec<Value> = (0..10)
        .map(|i| json!({"name": format!("{i}{}", "n".repeat(199)), "image": "x"}))
        .collect();
    let pod = json!({"spec": {"containers": containers}}).to_string();
    let pod = PodView::from_json(&pod).unwrap();
    let message = rejection(&Settings::default(), &pod).expect("rejected");
    let (standard, extra) = message
        .split_once("; violates requireReadOnlyRootFilesystem: ")
        .expect("both sentences");
    assert!(
        extra.starts_with("readOnlyRootFilesystem != true"),
        "{extra}"
    );
    assert!(standard.len() + extra.len() < crate::controls::MAX_DETAILS_BYTES + 256);
    // One cut, made once: never a cut of a cut.
    assert_eq!(message.matches("...").count(), 1, "{message}");
    assert!(!message.contains("...."), "{message}");
}
