//! From a request to Kubewarden's answer: messages in Pod Security Admission's words, and
//! the ValidationResponse / SettingsValidationResponse the host reads.

use std::collections::HashMap;

use kubewarden_policy_sdk::response::ValidationResponse;
use kubewarden_policy_sdk::settings::SettingsValidationResponse;

use crate::controls::{self, Violation};
use crate::exclusions::{self, Notes};
use crate::modes::Policy;
use crate::mutate;
use crate::namespace_labels::{self, Cluster};
use crate::pod::PodView;
use crate::request::{
    read_pod, Evaluation, Exemption, ObjectField, Reading, Subject, ValidationRequest,
};
use crate::settings::Settings;

/// The audit annotation Pod Security Admission sets on an exempt request.
pub const EXEMPT_ANNOTATION: &str = "exempt";

/// Judges one Kubewarden ValidationRequest. Never panics: anything that cannot be read is a
/// rejection that says what is wrong.
pub fn validate(payload: &[u8]) -> ValidationResponse {
    validate_with(payload, &crate::namespace_labels::WapcHost)
}

/// [`validate`], reading the cluster (namespace labels) through `cluster`.
pub fn validate_with(payload: &[u8], cluster: &dyn Cluster) -> ValidationResponse {
    match judge(payload, cluster) {
        Ok(response) => response,
        Err(message) => reject(message),
    }
}

fn judge(payload: &[u8], cluster: &dyn Cluster) -> Result<ValidationResponse, String> {
    let text = std::str::from_utf8(payload)
        .map_err(|e| format!("cannot read the validation request: not UTF-8 ({e})"))?;
    // One pass over the request in the common case; the raw reading explains errors and
    // serves what needs the object's JSON (see `Reading`).
    let envelope = match ValidationRequest::parse(text, Reading::OnePass) {
        Ok(envelope) if envelope.request.read_consistently() => envelope,
        _ => ValidationRequest::parse(text, Reading::Raw).map_err(|e| {
            // The field's path, cut: a hostile request could make any part of it any size.
            format!(
                "cannot read the validation request: {}",
                crate::pod::read_error(text, &e)
            )
        })?,
    };
    let settings = crate::settings_cache::settings(envelope.settings)
        .map_err(|e| format!("invalid settings: {e}"))?;
    // Namespace requests, when the levels come from their labels (see `namespace_request.rs`).
    if settings.levels_from_namespace_labels {
        if let Some(response) =
            crate::namespace_request::respond(&settings, cluster, &envelope.request)
        {
            return Ok(response);
        }
    }
    let namespace = envelope.request.namespace.clone();
    Ok(match envelope.request.subject(&settings)? {
        Subject::Pass(_) => accept(),
        Subject::Exempt(exemption) => exempt(&exemption),
        // Pod Security Admission's enforce, warn and audit modes (see `modes.rs`), their
        // levels maybe from the namespace's labels (see `namespace_labels.rs`).
        Subject::Evaluate(e) if settings.levels_from_namespace_labels => {
            namespace_labels::respond(&settings, cluster, namespace.as_deref(), &e, text)
        }
        Subject::Evaluate(e) if settings.uses_modes() => {
            crate::modes::respond(&settings, &Policy::from_settings(&settings), None, &e, text)
        }
        Subject::Evaluate(e) => {
            let judgement = judge_pod(&settings, &e.pod);
            let response = match judgement.rejection {
                None => accept(),
                Some(message) if settings.mutate && e.mutable => {
                    correct(&settings, &e, text, message)
                }
                Some(message) => reject(message),
            };
            note_exclusions(response, judgement.exclusions_used)
        }
    })
}

/// What the controls make of a pod under the settings.
pub struct Judgement {
    /// The rejection message, `None` when the pod complies.
    pub rejection: Option<String>,
    /// One note per exclusion that forgave something (the first few; the others counted).
    pub exclusions_used: Notes,
}

/// Judges a pod: the level's controls, then our extra control, with exclusions applied.
pub fn judge_pod(settings: &Settings, pod: &PodView) -> Judgement {
    // The standard's violations, then our control's, in one list: the two sentences share
    // one budget, so that the whole message stays bounded.
    let mut outcome = exclusions::evaluate(
        settings.level,
        settings.version.effective_minor(),
        pod,
        &settings.exclusions,
        settings.require_read_only_root_filesystem,
    );
    let standard = outcome.standard;
    controls::bound(&mut outcome.violations);
    let (violations, ours) = outcome.violations.split_at(standard);
    // One string for the whole message, sized once: `describe` writes each sentence into it.
    let mut message = String::new();
    if !outcome.violations.is_empty() {
        let described: usize = (outcome.violations.iter())
            .map(|v| v.reason.len() + v.detail.len() + ", ()".len())
            .sum();
        message.reserve(described + 96);
    }
    if !violations.is_empty() {
        message.push_str("violates PodSecurity \"");
        settings.push_level_version(&mut message);
        message.push_str("\": ");
        describe(&mut message, violations);
    }
    if !ours.is_empty() {
        if !message.is_empty() {
            message.push_str("; ");
        }
        message.push_str("violates requireReadOnlyRootFilesystem: ");
        describe(&mut message, ours);
    }
    Judgement {
        rejection: (!message.is_empty()).then_some(message),
        exclusions_used: outcome.used,
    }
}

/// The rejection message for a pod, or `None` when it complies.
pub fn rejection(settings: &Settings, pod: &PodView) -> Option<String> {
    judge_pod(settings, pod).rejection
}

/// With `mutate: true`: applies the secure defaults and judges the result again, through the
/// same reading and controls. The corrected object is returned only if it now complies;
/// otherwise the rejection names what remains.
pub(crate) fn correct(
    settings: &Settings,
    e: &Evaluation,
    payload: &str,
    message: String,
) -> ValidationResponse {
    // The object's JSON, kept raw or read again from the request.
    let Some(object) = e.object.or_else(|| raw_object(payload)) else {
        return reject(message);
    };
    let Some((mutated, warnings)) =
        mutate::secure_defaults(object, e.carrier, mutate::Defaults::for_settings(settings))
    else {
        return reject(message);
    };
    let text = mutated.to_string();
    let remaining = match read_pod(&text, e.carrier, "object") {
        Ok(pod) => rejection(settings, &pod),
        Err(error) => Some(error),
    };
    match remaining {
        Some(remaining) => reject(remaining),
        None => ValidationResponse {
            accepted: true,
            message: None,
            code: None,
            mutated_object: Some(mutated),
            audit_annotations: None,
            warnings: Some(warnings),
        },
    }
}

/// The request's object as JSON text, read again from the request. Out of line: the
/// request read is only needed here, and its frame is gone before mutating begins.
#[inline(never)]
fn raw_object(payload: &str) -> Option<&str> {
    match ValidationRequest::parse(payload, Reading::Raw)
        .ok()?
        .request
        .object?
    {
        ObjectField::Raw(raw) => Some(raw),
        ObjectField::Read(..) => None,
    }
}

/// The audit annotation that lists the exclusions a request relied on.
pub const EXCLUSIONS_ANNOTATION: &str = "exclusions";

/// Every exclusion in use is said: a warning each, and one audit annotation, so that an
/// auditor can see every exception that let a pod through.
pub(crate) fn note_exclusions(mut response: ValidationResponse, used: Notes) -> ValidationResponse {
    if used.is_empty() {
        return response;
    }
    // Bounded like every message: thousands of excluded containers are counted, not listed.
    let Notes {
        listed: mut used,
        more,
    } = used;
    if more > 0 {
        used.push(format!("and {more} more"));
    }
    response
        .audit_annotations
        .get_or_insert_with(HashMap::new)
        .insert(EXCLUSIONS_ANNOTATION.to_owned(), used.join("; "));
    response
        .warnings
        .get_or_insert_with(Vec::new)
        .extend(used.into_iter().map(|u| format!("exclusion in use: {u}")));
    response
}

/// `reason (detail), reason, ...` as Pod Security Admission joins its check results.
pub fn describe(out: &mut String, violations: &[Violation]) {
    for (i, v) in violations.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(v.reason);
        if !v.detail.is_empty() {
            out.push_str(" (");
            out.push_str(&v.detail);
            out.push(')');
        }
    }
}

/// [`accept`] as `serde_json` writes it (a unit test keeps the two equal): most requests
/// get this answer, so it is copied rather than serialized.
const ACCEPTED_JSON: &[u8] = br#"{"accepted":true,"message":null,"code":null,"mutated_object":null,"audit_annotations":null,"warnings":null}"#;

/// The response as the host reads it.
pub fn response_json(response: &ValidationResponse) -> serde_json::Result<Vec<u8>> {
    // A verdict and at most a message: the two answers written without serde.
    let plain = response.code.is_none()
        && response.mutated_object.is_none()
        && response.audit_annotations.is_none()
        && response.warnings.is_none();
    match (plain, response.accepted, &response.message) {
        (true, true, None) => Ok(ACCEPTED_JSON.to_vec()),
        // serde_json's string escaping was the largest single cost of rejecting a pod that
        // violates every control.
        (true, false, Some(message)) => {
            let (before, after) = REJECTED_JSON;
            // Room for the quotes a message usually holds, escaped.
            let escaped = message.len() + message.len() / 4 + 2;
            let mut out = Vec::with_capacity(before.len() + escaped + after.len());
            out.extend_from_slice(before);
            crate::json::write_string(&mut out, message);
            out.extend_from_slice(after);
            Ok(out)
        }
        _ => match crate::response_writer::write(response) {
            Some(json) => Ok(json),
            None => serde_json::to_vec(response),
        },
    }
}

/// What serde_json writes around a plain rejection's message.
const REJECTED_JSON: (&[u8], &[u8]) = (
    br#"{"accepted":false,"message":"#,
    br#","code":null,"mutated_object":null,"audit_annotations":null,"warnings":null}"#,
);

pub(crate) fn accept() -> ValidationResponse {
    ValidationResponse {
        accepted: true,
        message: None,
        code: None,
        mutated_object: None,
        audit_annotations: None,
        warnings: None,
    }
}

pub(crate) fn reject(message: String) -> ValidationResponse {
    ValidationResponse {
        accepted: false,
        message: Some(message),
        code: None,
        mutated_object: None,
        audit_annotations: None,
        warnings: None,
    }
}

fn exempt(exemption: &Exemption) -> ValidationResponse {
    let (kind, message) = match exemption {
        Exemption::Namespace(ns) => (
            "namespace",
            format!("exempt from PodSecurity: namespace {ns:?} is listed in exemptions.namespaces"),
        ),
        Exemption::Username(user) => (
            "user",
            format!("exempt from PodSecurity: user {user:?} is listed in exemptions.usernames"),
        ),
        Exemption::RuntimeClass(rc) => (
            "runtimeClass",
            format!("exempt from PodSecurity: runtimeClassName {rc:?} is listed in exemptions.runtimeClasses"),
        ),
    };
    ValidationResponse {
        accepted: true,
        message: Some(message),
        code: None,
        mutated_object: None,
        audit_annotations: Some(HashMap::from([(
            EXEMPT_ANNOTATION.to_owned(),
            kind.to_owned(),
        )])),
        warnings: None,
    }
}

/// Checks settings as `validate_settings` receives them (the settings object itself).
pub fn validate_settings(payload: &[u8]) -> SettingsValidationResponse {
    let result = std::str::from_utf8(payload)
        .map_err(|e| format!("settings are not UTF-8: {e}"))
        .and_then(Settings::from_json);
    match result {
        Ok(_) => SettingsValidationResponse {
            valid: true,
            message: None,
        },
        Err(message) => SettingsValidationResponse {
            valid: false,
            message: Some(message),
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
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
            Some(
                r#"exempt from PodSecurity: namespace "team-a" is listed in exemptions.namespaces"#
            )
        );
        assert_eq!(r.audit_annotations.unwrap()[EXEMPT_ANNOTATION], "namespace");
    }

    #[test]
    fn a_plain_rejection_is_written_as_serde_writes_it() {
        let every_byte: String = (0u8..0x80).map(char::from).collect();
        for message in [
            "",
            "plain",
            "violates PodSecurity \"restricted:latest\": privileged (container \"a\" must not set securityContext.privileged=true)",
            "back\\slash, slash /, tab\t, newline\n, return\r, \u{8}\u{c}\u{0}\u{1f}\u{7f}",
            "ünïcödé 日本語 😀 and a long run of plain text after it, longer than a word",
            &every_byte,
        ] {
            let rejection = reject(message.to_owned());
            assert_eq!(
                String::from_utf8(response_json(&rejection).unwrap()).unwrap(),
                serde_json::to_string(&rejection).unwrap(),
                "{message:?}"
            );
        }
        // Anything more than a message goes through serde.
        let mut warned = reject("no".to_owned());
        warned.warnings = Some(vec!["w".to_owned()]);
        let json: Value = serde_json::from_slice(&response_json(&warned).unwrap()).unwrap();
        assert_eq!(
            (json["accepted"].as_bool(), &json["warnings"][0]),
            (Some(false), &json!("w"))
        );
    }

    #[test]
    fn the_plain_acceptance_is_written_as_serde_writes_it() {
        assert_eq!(
            String::from_utf8(response_json(&accept()).unwrap()).unwrap(),
            serde_json::to_string(&accept()).unwrap()
        );
        let mut warned = accept();
        warned.warnings = Some(vec!["w".to_owned()]);
        let json: Value = serde_json::from_slice(&response_json(&warned).unwrap()).unwrap();
        assert_eq!(json["warnings"][0], "w");
        let json: Value =
            serde_json::from_slice(&response_json(&reject("no".to_owned())).unwrap()).unwrap();
        assert_eq!(
            (&json["accepted"], &json["message"]),
            (&json!(false), &json!("no"))
        );
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
        assert!(standard.len() + extra.len() < controls::MAX_DETAILS_BYTES + 256);
        // One cut, made once: never a cut of a cut.
        assert_eq!(message.matches("...").count(), 1, "{message}");
        assert!(!message.contains("...."), "{message}");
    }

    #[test]
    fn describe_joins_like_psa() {
        let v = vec![
            Violation::of("a").text("x"),
            Violation::of("b"),
            Violation::of("c").text("y"),
        ];
        let mut out = "start: ".to_owned();
        describe(&mut out, &v);
        assert_eq!(out, "start: a (x), b, c (y)");
    }
}
