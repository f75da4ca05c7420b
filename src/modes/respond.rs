//! The answer to an evaluated request in every mode: the enforce mode's verdict, the
//! warning and the audit annotations, as PSA's `EvaluatePod` gives them.

use kubewarden_policy_sdk::response::ValidationResponse;

use super::judge::judge;
use super::{LevelVersion, Policy, ENFORCE_POLICY_ANNOTATION, ERROR_ANNOTATION};
use crate::answer::Answer;
use crate::request::{read_pod, Evaluation};
use crate::response::{accept, note_exclusions};
use crate::response_writer::{self, Texts};
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
) -> Answer {
    let judgement = judge(settings, policy, &e.pod);
    let mut audit = judgement.audit;
    let mut warn = judgement.warn;
    let mut used = judgement.exclusions_used;
    let mut texts = Texts::default();
    let mut response = match judgement.enforce {
        None => accept(),
        Some(message) if settings.mutate && e.mutable => {
            let enforced = Settings {
                level: policy.enforce.level,
                version: policy.enforce.version,
                ..settings.clone()
            };
            let corrected = verdict::correct(&enforced, e, payload, message.plain());
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
        // The message stays in JSON (`answer.rs`): the response holds none.
        Some(message) => {
            texts.message = Some(message);
            ValidationResponse {
                accepted: false,
                ..accept()
            }
        }
    };
    // The map (and strings) of the last response, when there was one (`response_writer`).
    let mut annotations = response
        .audit_annotations
        .take()
        .unwrap_or_else(response_writer::annotations);
    let mut level_version = String::with_capacity(24);
    policy.enforce.write_to(&mut level_version);
    response_writer::set(&mut annotations, ENFORCE_POLICY_ANNOTATION, &level_version);
    let with_error = error.is_some();
    if let Some(error) = error {
        response_writer::put(&mut annotations, ERROR_ANNOTATION, error);
    }
    // Only these keys: what else the spare map held goes, a stale `error` among it
    // (`audit-violations` is a text, see `answer.rs`).
    if annotations.len() > 1 + usize::from(with_error) {
        annotations
            .retain(|k, _| k == ENFORCE_POLICY_ANNOTATION || (with_error && k == ERROR_ANNOTATION));
    }
    response.audit_annotations = Some(annotations);
    texts.audit_violations = audit;
    if response.accepted {
        if let Some(warn) = warn {
            match response.warnings.as_mut() {
                // After the mutation's own warnings.
                Some(warnings) => warnings.push(warn.plain()),
                None => texts.warning = Some(warn),
            }
        }
    }
    let response = note_exclusions(response, used);
    Answer { response, texts }
}
