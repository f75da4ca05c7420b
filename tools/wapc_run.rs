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

use pss_test_support::host;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use serde_json::{json, Value};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wapc-run: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [policy, request_path, rest @ ..] = args.as_slice() else {
        bail!("usage: wapc-run <policy.wasm> <request.json> [settings-json] [session.yml]");
    };
    let settings: Value = match rest.first() {
        Some(text) => serde_json::from_str(text).context("settings are not JSON")?,
        None => json!({}),
    };
    let text = std::fs::read_to_string(request_path)
        .with_context(|| format!("cannot read {request_path}"))?;
    let document: Value =
        serde_json::from_str(&text).with_context(|| format!("{request_path} is not JSON"))?;
    // kwctl run takes an AdmissionReview or its bare request alike.
    let request = match document.get("request") {
        Some(r) => r.clone(),
        None => document,
    };

    let capabilities = match rest.get(1) {
        Some(session) => {
            let text = std::fs::read_to_string(session)
                .with_context(|| format!("cannot read {session}"))?;
            Some(
                host::HostCapabilities::from_metadata()
                    .with_session(&text)
                    .map_err(anyhow::Error::msg)?,
            )
        }
        None => None,
    };
    let policy =
        host::WasmPolicy::load_with(Path::new(policy), capabilities).map_err(anyhow::Error::msg)?;
    let settings_answer = policy
        .call("validate_settings", settings.to_string().as_bytes())
        .map_err(anyhow::Error::msg)?;
    let settings_answer: Value =
        serde_json::from_slice(&settings_answer).context("validate_settings answered non-JSON")?;
    if settings_answer["valid"] != true {
        return Err(anyhow!(
            "invalid settings: {}",
            settings_answer["message"]
                .as_str()
                .unwrap_or("(no message)")
        ));
    }
    let response = policy
        .validate(&json!({"request": request, "settings": settings}))
        .map_err(anyhow::Error::msg)?;

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
        let patch = serde_json::to_vec(&patch)?;
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
