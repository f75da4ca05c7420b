//! Kubewarden policy enforcing the Kubernetes Pod Security Standards.
//!
//! A request travels one way: the waPC edge (this file) -> [`request`] (what the request is
//! about, where its pod is; a request that cannot be read is a [`refusal`]) -> [`pod`] (a
//! borrowed view of the pod) -> [`controls`] (one pure function per control) -> [`verdict`]
//! (which path judges the request: the plain level, the [`modes`], or levels from the
//! [`namespace`]), which answers with [`message`] (a rejection in PSA's words) and
//! [`response`] (the ValidationResponse and its JSON); the modes' messages, written
//! straight into JSON, travel beside the response in an [`answer`].

// A panic in the module is a trap, and a trap is an outage: outside tests, every failure
// is a value the caller turns into a rejection.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
// Module docs name the private files a module is made of, for a contributor reading the
// source or `cargo doc --document-private-items`.
#![allow(rustdoc::private_intra_doc_links)]

pub mod answer;
pub mod bounds;
pub mod controls;
pub mod exclusions;
pub mod image;
pub mod json;
pub mod list;
pub mod message;
pub mod modes;
pub mod mutate;
pub mod namespace;
pub mod pod;
pub mod refusal;
pub mod request;
pub mod response;
pub mod response_writer;
pub mod settings;
pub mod settings_cache;
pub mod verdict;

use kubewarden_policy_sdk::wapc_guest::prelude::*;

#[unsafe(no_mangle)]
pub extern "C" fn wapc_init() {
    register_function("validate", validate);
    register_function("validate_settings", validate_settings);
    register_function(
        "protocol_version",
        kubewarden_policy_sdk::protocol_version_guest,
    );
}

fn validate(payload: &[u8]) -> CallResult {
    let (json, response) = verdict::answer(payload).written();
    // The response's audit annotations serve the next one.
    response_writer::recycle(response);
    Ok(json?)
}

fn validate_settings(payload: &[u8]) -> CallResult {
    Ok(serde_json::to_vec(&verdict::validate_settings(payload))?)
}
