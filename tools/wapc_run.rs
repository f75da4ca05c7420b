//! Judges one request with the built policy through a waPC host, the way policy-server
//! does, and prints the AdmissionResponse in the shape `kwctl run` prints it. Used by
//! `e2e.bats` where `kwctl` is not installed.
//!
//! Usage: wapc-run <policy.wasm> <request.json> [settings-json] [session.yml]
//! The request file holds an AdmissionRequest, or an AdmissionReview with a `request`. The
//! session, in the format of `kwctl run --record-host-capabilities-interactions`, holds
//! what the host capabilities answer (the resources of metadata.yml's
//! `contextAwareResources` granted, as policy-server grants them); without one, every
//! host capability call is an error.

#[path = "../tests/common/host.rs"]
#[allow(dead_code)]
mod host;

use std::path::Path;
use std::process::ExitCode;

use serde_json::{json, Value};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wapc-run: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [policy, request_path, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: wapc-run <policy.wasm> <request.json> [settings-json] [session.yml]".to_owned(),
        );
    };
    let settings: Value = match rest.first() {
        Some(text) => {
            serde_json::from_str(text).map_err(|e| format!("settings are not JSON: {e}"))?
        }
        None => json!({}),
    };
    let text = std::fs::read_to_string(request_path)
        .map_err(|e| format!("cannot read {request_path}: {e}"))?;
    let document: Value =
        serde_json::from_str(&text).map_err(|e| format!("{request_path} is not JSON: {e}"))?;
    let request = match document.get("request") {
        Some(r) => r.clone(),
        None => document,
    };

    let capabilities = match rest.get(1) {
        Some(session) => {
            let text = std::fs::read_to_string(session)
                .map_err(|e| format!("cannot read {session}: {e}"))?;
            Some(host::HostCapabilities::from_metadata().with_session(&text)?)
        }
        None => None,
    };
    let policy = host::WasmPolicy::load_with(Path::new(policy), capabilities)?;
    let settings_answer = policy.call("validate_settings", settings.to_string().as_bytes())?;
    let settings_answer: Value = serde_json::from_slice(&settings_answer)
        .map_err(|e| format!("validate_settings answered non-JSON: {e}"))?;
    if settings_answer["valid"] != true {
        return Err(format!(
            "invalid settings: {}",
            settings_answer["message"]
                .as_str()
                .unwrap_or("(no message)")
        ));
    }
    let response = policy.validate(&json!({"request": request, "settings": settings}))?;

    let mut admission = json!({
        "uid": request.get("uid").cloned().unwrap_or(Value::Null),
        "allowed": response["accepted"],
    });
    if let Some(message) = response.get("message").filter(|m| !m.is_null()) {
        admission["status"] = json!({"message": message});
    }
    if let Some(mutated) = response.get("mutated_object").filter(|m| !m.is_null()) {
        use base64::Engine;
        let original = request.get("object").cloned().unwrap_or(Value::Null);
        let patch = json_patch::diff(&original, mutated);
        let patch = serde_json::to_vec(&patch).map_err(|e| e.to_string())?;
        admission["patchType"] = json!("JSONPatch");
        admission["patch"] = json!(base64::engine::general_purpose::STANDARD.encode(patch));
    }
    for (from, to) in [
        ("audit_annotations", "auditAnnotations"),
        ("warnings", "warnings"),
    ] {
        if let Some(v) = response.get(from).filter(|v| !v.is_null()) {
            admission[to] = v.clone();
        }
    }
    println!("{admission}");
    Ok(())
}
