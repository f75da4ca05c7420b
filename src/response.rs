//! The answers the host reads: a ValidationResponse (accepted, rejected, exempt, with the
//! exclusions a request relied on) and its JSON, and the SettingsValidationResponse.
//! What to answer is decided in `verdict/`; the words of a rejection are `message/`'s.

use std::collections::HashMap;

use kubewarden_policy_sdk::response::ValidationResponse;
use kubewarden_policy_sdk::settings::SettingsValidationResponse;

use crate::exclusions::Notes;
use crate::request::Exemption;
use crate::settings::SettingsError;

/// The audit annotation Pod Security Admission sets on an exempt request.
pub const EXEMPT_ANNOTATION: &str = "exempt";

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
        _ => match crate::response_writer::write(response, &Default::default()) {
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

/// The plain acceptance: nothing to say.
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

/// A plain rejection: the message alone, no code (see `refusal.rs` for those with one).
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

/// An exempt request: accepted, saying which exemption applied, in PSA's audit annotation.
pub(crate) fn exempt(exemption: &Exemption) -> ValidationResponse {
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

/// The answer to `validate_settings`: valid, or why not.
pub fn settings_answer<T>(result: Result<T, SettingsError>) -> SettingsValidationResponse {
    match result {
        Ok(_) => SettingsValidationResponse {
            valid: true,
            message: None,
        },
        Err(error) => SettingsValidationResponse {
            valid: false,
            message: Some(error.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

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
}
