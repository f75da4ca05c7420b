//! The answer to an evaluated request in every mode: the enforce mode's verdict, the
//! warning and the audit annotations, as PSA's `EvaluatePod` gives them.

use kubewarden_policy_sdk::response::ValidationResponse;

use super::judge::judge;
use super::{
    LevelVersion, Policy, AUDIT_VIOLATIONS_ANNOTATION, ENFORCE_POLICY_ANNOTATION, ERROR_ANNOTATION,
};
use crate::request::{read_pod, Evaluation};
use crate::response::{accept, note_exclusions, reject};
use crate::response_writer;
use crate::settings::Settings;
use crate::verdict;

/// Answers an evaluated request in every mode, as PSA's `EvaluatePod` does: the enforce
/// mode refuses (or, with `mutate: true`, corrects), the audit mode's violation and the
/// enforce mode's level and version go to audit annotations, the warn mode's violation to a
/// warning on a request that is let through. `error` is PSA's audit annotation for labels
/// that could not be read.
pub fn respond(
    settings: &Settings,
    policy: &Policy,
    error: Option<String>,
    e: &Evaluation,
    payload: &str,
) -> ValidationResponse {
    let judgement = judge(settings, policy, &e.pod);
    let mut audit = judgement.audit;
    let mut warn = judgement.warn;
    let mut used = judgement.exclusions_used;
    let mut response = match judgement.enforce {
        None => accept(),
        Some(message) if settings.mutate && e.mutable => {
            let enforced = Settings {
                level: policy.enforce.level,
                version: policy.enforce.version,
                ..settings.clone()
            };
            let corrected = verdict::correct(&enforced, e, payload, message);
            // The warn and audit modes judge the object as it will be stored.
            if let Some(object) = corrected.mutated_object.as_ref() {
                let text = object.to_string();
                if let Ok(pod) = read_pod(&text, e.carrier, "object") {
                    let others = Policy {
                        enforce: LevelVersion::PRIVILEGED,
                        ..*policy
                    };
                    let again = judge(settings, &others, &pod);
                    audit = again.audit;
                    warn = again.warn;
                    used.merge(again.exclusions_used);
                }
            }
            corrected
        }
        Some(message) => reject(message),
    };
    // The map (and strings) of the last response, when there was one (`response_writer`).
    let mut annotations = response
        .audit_annotations
        .take()
        .unwrap_or_else(response_writer::annotations);
    let mut level_version = String::with_capacity(24);
    policy.enforce.push_to(&mut level_version);
    response_writer::set(&mut annotations, ENFORCE_POLICY_ANNOTATION, &level_version);
    let wanted = [
        (AUDIT_VIOLATIONS_ANNOTATION, audit),
        (ERROR_ANNOTATION, error),
    ];
    let set = wanted.iter().filter(|(_, v)| v.is_some()).count();
    for (key, value) in wanted {
        match value {
            Some(value) => response_writer::put(&mut annotations, key, value),
            // (Looked for only when the map holds more than enforce-policy.)
            None if annotations.len() > 1 => {
                annotations.remove(key);
            }
            None => {}
        }
    }
    // Only PSA's keys: what else the spare map held goes.
    if annotations.len() > 1 + set {
        annotations.retain(|k, _| {
            [
                ENFORCE_POLICY_ANNOTATION,
                AUDIT_VIOLATIONS_ANNOTATION,
                ERROR_ANNOTATION,
            ]
            .contains(&k.as_str())
        });
    }
    response.audit_annotations = Some(annotations);
    if response.accepted {
        if let Some(warn) = warn {
            response.warnings.get_or_insert_with(Vec::new).push(warn);
        }
    }
    note_exclusions(response, used)
}
