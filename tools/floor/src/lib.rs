//! The floor for `make bench`: a waPC guest that does the least a Kubewarden policy must do.
//!
//! - `validate` scans the whole ValidationRequest as JSON (`serde::de::IgnoredAny`: every
//!   byte is read and checked, nothing is kept) and answers a constant "accepted"
//!   ValidationResponse, or a waPC error when the payload is not JSON.
//! - `noop` answers an empty payload: the cost of one waPC round trip.
//! - `protocol_version` answers `"v1"`, as every Kubewarden policy does.

use wapc_guest::prelude::*;

const ACCEPT: &[u8] = br#"{"accepted":true,"message":null,"code":null,"mutated_object":null,"audit_annotations":null,"warnings":null}"#;

#[unsafe(no_mangle)]
pub extern "C" fn wapc_init() {
    register_function("validate", validate);
    register_function("noop", noop);
    register_function("protocol_version", protocol_version);
}

fn validate(payload: &[u8]) -> CallResult {
    serde_json::from_slice::<serde::de::IgnoredAny>(payload)?;
    Ok(ACCEPT.to_vec())
}

fn noop(_payload: &[u8]) -> CallResult {
    Ok(Vec::new())
}

fn protocol_version(_payload: &[u8]) -> CallResult {
    Ok(br#""v1""#.to_vec())
}
