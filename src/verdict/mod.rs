//! From a request to Kubewarden's answer: reads the request ([`crate::request`]), finds its
//! settings, decides which path judges it (a Namespace, the modes, levels from namespace
//! labels, or the plain level with mutation) and judges its pod through the controls with
//! exclusions applied. The answers themselves are built in `response.rs`, a rejection's
//! words in `message/`, refusals of unreadable requests in `refusal.rs`.

use kubewarden_policy_sdk::response::ValidationResponse;
use kubewarden_policy_sdk::settings::SettingsValidationResponse;

use crate::answer::Answer;
use crate::controls::Level;
use crate::exclusions::{self, Notes, Outcome};
use crate::message;
use crate::modes::Policy;
use crate::mutate;
use crate::namespace::{self, Cluster};
use crate::pod::PodView;
use crate::refusal::{BadRequest, Refusal};
use crate::request::{read_pod, Evaluation, ObjectField, Reading, Subject, ValidationRequest};
use crate::response::{accept, exempt, note_exclusions, reject, settings_answer};
use crate::settings::{Settings, SettingsError};

/// Judges one Kubewarden ValidationRequest. Never panics: anything that cannot be read is a
/// rejection that says what is wrong, with the code Kubernetes would answer with.
pub fn validate(payload: &[u8]) -> ValidationResponse {
    answer(payload).into_response()
}

/// [`validate`], reading the cluster (namespace labels) through `cluster`.
pub fn validate_with(payload: &[u8], cluster: &dyn Cluster) -> ValidationResponse {
    answer_with(payload, cluster).into_response()
}

/// [`validate`] as the waPC edge writes it: the modes' texts stay in JSON (`answer.rs`).
pub fn answer(payload: &[u8]) -> Answer {
    answer_with(payload, &namespace::WapcHost)
}

/// [`answer`], reading the cluster (namespace labels) through `cluster`.
pub fn answer_with(payload: &[u8], cluster: &dyn Cluster) -> Answer {
    match judge(payload, cluster) {
        Ok(answer) => answer,
        Err(refusal) => refusal.into_response().into(),
    }
}

fn judge(payload: &[u8], cluster: &dyn Cluster) -> Result<Answer, Refusal> {
    let text = std::str::from_utf8(payload).map_err(|e| {
        BadRequest::new(format!(
            "cannot read the validation request: not UTF-8 ({e})"
        ))
    })?;
    // One pass over the request in the common case; the raw reading explains errors and
    // serves what needs the object's JSON (see `Reading`).
    let envelope = match ValidationRequest::parse(text, Reading::OnePass) {
        Ok(envelope) if envelope.request.read_consistently() => envelope,
        _ => ValidationRequest::parse(text, Reading::Raw).map_err(|e| {
            // The field's path, cut: a hostile request could make any part of it any size.
            BadRequest::new(format!(
                "cannot read the validation request: {}",
                crate::pod::read_error(text, &e)
            ))
        })?,
    };
    let settings = crate::settings_cache::settings(envelope.settings)?;
    // Namespace requests, when the levels come from their labels (see `namespace/request.rs`).
    if settings.levels_from_namespace_labels {
        if let Some(response) = namespace::request::respond(&settings, cluster, &envelope.request) {
            return Ok(response.into());
        }
    }
    let namespace = envelope.request.namespace.clone();
    Ok(match envelope.request.subject(&settings)? {
        Subject::Pass(_) => accept().into(),
        Subject::Exempt(exemption) => exempt(&exemption).into(),
        // Pod Security Admission's enforce, warn and audit modes (see `src/modes/`), their
        // levels maybe from the namespace's labels (see `namespace/levels.rs`).
        Subject::Evaluate(e) if settings.levels_from_namespace_labels => {
            namespace::levels::respond(&settings, cluster, namespace.as_deref(), &e, text)
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
            note_exclusions(response, judgement.exclusions_used).into()
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
    let (mut outcome, standard) = evaluate(
        settings,
        settings.level,
        settings.version.effective_minor(),
        pod,
    );
    Judgement {
        rejection: message::rejection_message(settings, &mut outcome.violations, standard),
        exclusions_used: outcome.used,
    }
}

/// What a pod violates at `level` and `minor`, exclusions applied: the standard's
/// violations, then our control's when the settings require it, in one list (the two
/// sentences of a message share one budget); and how many of them are the standard's.
pub(crate) fn evaluate(
    settings: &Settings,
    level: Level,
    minor: u32,
    pod: &PodView,
) -> (Outcome, usize) {
    let outcome = exclusions::evaluate(
        level,
        minor,
        pod,
        &settings.exclusions,
        settings.require_read_only_root_filesystem,
    );
    let standard = outcome.standard;
    (outcome, standard)
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
        // Our own correction unreadable: refused with its text, not as a bad request.
        Err(error) => Some(error.into_message()),
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

/// Checks settings as `validate_settings` receives them (the settings object itself).
pub fn validate_settings(payload: &[u8]) -> SettingsValidationResponse {
    settings_answer(
        std::str::from_utf8(payload)
            .map_err(|e| SettingsError::new(format!("settings are not UTF-8: {e}")))
            .and_then(Settings::from_json),
    )
}

#[cfg(test)]
pub(crate) mod tests;
