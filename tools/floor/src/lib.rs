//! The floor for `make bench`: a waPC guest that does the least a Kubewarden policy must do.
//!
//! - `validate` scans the whole ValidationRequest as JSON (`serde::de::IgnoredAny`: every
//!   byte is read and checked, nothing is kept) and answers a constant "accepted"
//!   ValidationResponse, or a waPC error when the payload is not JSON.
//! - `noop` answers an empty payload: the cost of one waPC round trip.
//! - `protocol_version` answers `"v1"`, as every Kubewarden policy does.
//!
//! Built with the `reject` feature (`make bench` builds both: the plain floor stays a module
//! that only scans), it also has:
//! - `reject`, which scans as `validate` does, then answers a rejection whose message is the
//!   one `set_message` last gave, written by serde_json as a serde-serialized
//!   ValidationResponse is: the least a policy pays to scan a request and reject it in so
//!   many words.

use wapc_guest::prelude::*;

const ACCEPT: &[u8] = br#"{"accepted":true,"message":null,"code":null,"mutated_object":null,"audit_annotations":null,"warnings":null}"#;

#[unsafe(no_mangle)]
pub extern "C" fn wapc_init() {
    register_function("validate", validate);
    register_function("noop", noop);
    register_function("protocol_version", protocol_version);
    #[cfg(feature = "reject")]
    {
        register_function("set_message", rejection::set_message);
        register_function("reject", rejection::reject);
    }
}

fn validate(payload: &[u8]) -> CallResult {
    serde_json::from_slice::<serde::de::IgnoredAny>(payload)?;
    Ok(ACCEPT.to_vec())
}

#[cfg(feature = "reject")]
mod rejection {
    use std::sync::Mutex;

    use wapc_guest::prelude::*;

    /// The message `reject` answers with.
    static MESSAGE: Mutex<String> = Mutex::new(String::new());

    pub fn set_message(payload: &[u8]) -> CallResult {
        let message = std::str::from_utf8(payload)?.to_owned();
        *MESSAGE.lock().map_err(|_| "poisoned")? = message;
        Ok(Vec::new())
    }

    /// A ValidationResponse's fields, in the order Kubewarden's SDK serializes them.
    #[derive(serde::Serialize)]
    struct Rejection<'m> {
        accepted: bool,
        message: &'m str,
        code: Option<u16>,
        mutated_object: Option<()>,
        audit_annotations: Option<()>,
        warnings: Option<()>,
    }

    pub fn reject(payload: &[u8]) -> CallResult {
        serde_json::from_slice::<serde::de::IgnoredAny>(payload)?;
        let message = MESSAGE.lock().map_err(|_| "poisoned")?;
        Ok(serde_json::to_vec(&Rejection {
            accepted: false,
            message: &message,
            code: None,
            mutated_object: None,
            audit_annotations: None,
            warnings: None,
        })?)
    }
}

fn noop(_payload: &[u8]) -> CallResult {
    Ok(Vec::new())
}

fn protocol_version(_payload: &[u8]) -> CallResult {
    Ok(br#""v1""#.to_vec())
}
