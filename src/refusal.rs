//! Why a request is refused before any pod is judged, as types: a request that cannot be
//! read ([`BadRequest`]) and settings that cannot be read ([`SettingsError`]). Each one's
//! `Display` is the message the response carries; [`Refusal::code`] is the HTTP status
//! Kubernetes would answer with.
//!
//! A pod that violates its level is not a `Refusal`: that is the policy's ordinary answer
//! (see `response.rs`), with no code, as the API server then says 403 Forbidden itself.

use std::fmt;

use kubewarden_policy_sdk::response::ValidationResponse;

use crate::settings::SettingsError;

/// A request that cannot be read, or that does not say what it is about: Kubernetes'
/// `NewBadRequest`, which Pod Security Admission answers an object it cannot decode with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest {
    field: Option<String>,
    message: String,
}

impl BadRequest {
    /// HTTP 400 Bad Request.
    pub const CODE: u16 = 400;

    /// A request that cannot be read at all (not UTF-8, not JSON, not a ValidationRequest).
    pub fn new(message: String) -> Self {
        BadRequest {
            field: None,
            message,
        }
    }

    /// A request whose field `field` (`request.object`, `request.kind`...) is at fault.
    pub fn at(field: impl Into<String>, message: String) -> Self {
        BadRequest {
            field: Some(field.into()),
            message,
        }
    }

    /// The request's field at fault, when one is.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The message, as the response carries it.
    pub fn into_message(self) -> String {
        self.message
    }
}

impl fmt::Display for BadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BadRequest {}

/// Why a request is refused without judging its pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The request cannot be read: the caller's fault.
    BadRequest(BadRequest),
    /// The policy's settings cannot be read: the policy's fault, not the request's.
    Settings(SettingsError),
}

impl Refusal {
    /// HTTP 500 Internal Server Error: Kubernetes' answer when an admission plugin cannot
    /// do its work through no fault of the request.
    pub const SETTINGS_CODE: u16 = 500;

    /// The HTTP status Kubernetes would answer with.
    pub fn code(&self) -> u16 {
        match self {
            Refusal::BadRequest(_) => BadRequest::CODE,
            Refusal::Settings(_) => Self::SETTINGS_CODE,
        }
    }

    /// The response: refused, with the message and the code.
    pub fn into_response(self) -> ValidationResponse {
        let code = self.code();
        let message = match self {
            Refusal::BadRequest(e) => e.into_message(),
            Refusal::Settings(e) => format!("invalid settings: {e}"),
        };
        let mut response = crate::response::reject(message);
        response.code = Some(code);
        response
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::BadRequest(e) => e.fmt(f),
            Refusal::Settings(e) => write!(f, "invalid settings: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

impl From<BadRequest> for Refusal {
    fn from(e: BadRequest) -> Self {
        Refusal::BadRequest(e)
    }
}

impl From<SettingsError> for Refusal {
    fn from(e: SettingsError) -> Self {
        Refusal::Settings(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_says_its_text_and_code() {
        let cases = [
            (
                "unreadable request",
                Refusal::from(BadRequest::new("cannot read".to_owned())),
                "cannot read",
                400,
            ),
            (
                "a field at fault",
                BadRequest::at("request.kind", "request.kind is missing".to_owned()).into(),
                "request.kind is missing",
                400,
            ),
            (
                "settings",
                SettingsError::new("level: bad").into(),
                "invalid settings: level: bad",
                500,
            ),
        ];
        for (name, refusal, text, code) in cases {
            assert_eq!(refusal.to_string(), text, "{name}");
            let response = refusal.into_response();
            assert!(!response.accepted, "{name}");
            assert_eq!(response.message.as_deref(), Some(text), "{name}");
            assert_eq!(response.code, Some(code), "{name}");
        }
        let e = BadRequest::at("request.object", "x".to_owned());
        assert_eq!(e.field(), Some("request.object"));
        assert_eq!(BadRequest::new("x".to_owned()).field(), None);
    }
}
