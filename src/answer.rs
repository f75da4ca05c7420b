//! An answer on its way to the host: the ValidationResponse, and the texts the modes wrote
//! straight into JSON, which the response does not hold. The waPC edge writes the two
//! together; a caller that needs the response itself (the native API, tests) gets it with
//! the texts read back into place.

use std::collections::HashMap;

use kubewarden_policy_sdk::response::ValidationResponse;

use crate::modes::AUDIT_VIOLATIONS_ANNOTATION;
use crate::response::response_json;
use crate::response_writer::{self, Texts};

/// A response and the texts written for it as JSON (see [`Texts`]).
#[derive(Debug)]
pub struct Answer {
    pub response: ValidationResponse,
    pub texts: Texts,
}

impl From<ValidationResponse> for Answer {
    fn from(response: ValidationResponse) -> Answer {
        Answer {
            response,
            texts: Texts::default(),
        }
    }
}

impl Answer {
    /// The response with the texts in place: the message, the `audit-violations`
    /// annotation, the warning before the others.
    pub fn into_response(self) -> ValidationResponse {
        let Answer {
            mut response,
            texts,
        } = self;
        if let Some(message) = texts.message {
            response.message = Some(message.plain());
        }
        if let Some(audit) = texts.audit_violations {
            (response.audit_annotations.get_or_insert_with(HashMap::new))
                .insert(AUDIT_VIOLATIONS_ANNOTATION.to_owned(), audit.plain());
        }
        if let Some(warning) = texts.warning {
            (response.warnings.get_or_insert_with(Vec::new)).insert(0, warning.plain());
        }
        response
    }

    /// The answer's JSON as the host reads it, and the response, whose audit annotations
    /// may serve the next one (`response_writer::recycle`).
    pub fn written(self) -> (serde_json::Result<Vec<u8>>, ValidationResponse) {
        if self.texts.is_empty() {
            let json = response_json(&self.response);
            return (json, self.response);
        }
        match response_writer::write(&self.response, &self.texts) {
            Some(json) => (Ok(json), self.response),
            // A mutation goes through serde, its texts in place.
            None => {
                let response = self.into_response();
                (serde_json::to_vec(&response), response)
            }
        }
    }
}
