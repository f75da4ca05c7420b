//! Every PSA reference fixture, judged by the compiled `policy.wasm` inside a waPC host (the
//! way policy-server runs it), as a Pod and as the pod template of every workload kind.

use pss_test_support as common;

use common::host::{policy_path, WasmPolicy};
use common::{fixture_settings, judge_fixtures, kind_names, request, wrap, KINDS};

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn psa_fixtures_wasm() {
    // Loaded with the first fixture: skipping the fixtures needs no module.
    let mut policy = None;
    let Some(run) = judge_fixtures(&kind_names(), |f, kind, failures| {
        let policy = policy.get_or_insert_with(|| {
            WasmPolicy::load(&policy_path()).unwrap_or_else(|e| panic!("{e}"))
        });
        let req = request(kind, &wrap(kind, &f.pod), &fixture_settings(f));
        let response = policy
            .validate(&req)
            .unwrap_or_else(|e| panic!("{}: {e}", f.path.display()));
        if response["accepted"].as_bool() != Some(f.expect_pass) {
            failures.push(format!(
                "{} as {kind}: expected {}, got {response}",
                f.path.display(),
                if f.expect_pass { "pass" } else { "fail" },
            ));
        }
        1
    }) else {
        return;
    };
    println!(
        "PSA conformance (wasm): {} of {} verdicts as expected ({} fixtures x {} kinds)",
        run.judged - run.failures.len(),
        run.judged,
        run.fixtures,
        KINDS.len()
    );
    run.assert_as_expected();
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn exports_the_kubewarden_functions() {
    let policy = WasmPolicy::load(&policy_path()).unwrap_or_else(|e| panic!("{e}"));
    let version: serde_json::Value =
        serde_json::from_slice(&policy.call("protocol_version", b"").unwrap()).unwrap();
    assert_eq!(version, serde_json::json!("v1"));
    let ok: serde_json::Value =
        serde_json::from_slice(&policy.call("validate_settings", b"{}").unwrap()).unwrap();
    assert_eq!(ok["valid"], true);
    let bad: serde_json::Value = serde_json::from_slice(
        &policy
            .call("validate_settings", br#"{"level":"privileged"}"#)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(bad["valid"], false);
    assert!(bad["message"].as_str().unwrap().contains("privileged"));
    // Garbage never traps the module: it is a rejection that says why.
    let garbage = policy.call("validate", b"\xff{not json").unwrap();
    let garbage: serde_json::Value = serde_json::from_slice(&garbage).unwrap();
    assert_eq!(garbage["accepted"], false);
    assert!(garbage["message"]
        .as_str()
        .unwrap()
        .starts_with("cannot read the validation request"));
}
