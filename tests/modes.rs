//! Every PSA reference fixture judged through the modes: with enforce `privileged` and warn
//! (or audit) at the fixture's level and version, a failing fixture is accepted with PSA's
//! warning (or audit annotation), `would violate PodSecurity "<level>:<version>": ` and the
//! very reasons and details the enforce mode refuses it with; a passing one gets neither.
//! As a Pod and as the template of every workload kind, natively; as a Pod through the
//! compiled `policy.wasm` too.

use pss_test_support as common;

use common::host::{policy_path, WasmPolicy};
use common::{fixture_settings, judge_fixtures, kind_names, request, wrap, Fixture};
use serde_json::{json, Value};

fn modes_settings(f: &Fixture, warn: bool, audit: bool) -> Value {
    let mode = json!({"level": f.level, "version": f.version});
    let mut settings = json!({"level": "privileged", "requireReadOnlyRootFilesystem": false});
    if warn {
        settings["warn"] = mode.clone();
    }
    if audit {
        settings["audit"] = mode;
    }
    settings
}

/// What the warn and audit modes must say of the fixture: PSA's words around the enforce
/// mode's reasons and details; `None` for a fixture that passes.
fn expected(f: &Fixture, enforce: &Value) -> Result<Option<String>, String> {
    if f.expect_pass {
        return Ok(None);
    }
    let label = format!("violates PodSecurity \"{}:{}\": ", f.level, f.version);
    let message = enforce["message"].as_str().unwrap_or("");
    let detail = message
        .strip_prefix(&label)
        .ok_or_else(|| format!("enforce message {message:?}"))?;
    Ok(Some(format!(
        "would violate PodSecurity \"{}:{}\": {detail}",
        f.level, f.version
    )))
}

/// Checks one modes response against the expected warning and audit text.
fn check(response: &Value, want: &Option<String>, warn: bool, audit: bool) -> Result<(), String> {
    if response["accepted"] != true {
        return Err(format!("not accepted: {response}"));
    }
    let warning: Vec<&str> = response["warnings"]
        .as_array()
        .map(|w| w.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let want_warnings: Vec<&str> = match want {
        Some(w) if warn => vec![w.as_str()],
        _ => vec![],
    };
    if warning != want_warnings {
        return Err(format!("warnings {warning:?}, expected {want_warnings:?}"));
    }
    let annotations = &response["audit_annotations"];
    let violations = annotations["audit-violations"].as_str();
    let want_audit = want.as_deref().filter(|_| audit);
    if violations != want_audit {
        return Err(format!(
            "audit-violations {violations:?}, expected {want_audit:?}"
        ));
    }
    if annotations["enforce-policy"] != "privileged:latest" {
        return Err(format!("enforce-policy: {annotations}"));
    }
    Ok(())
}

fn judge(request: &Value) -> Value {
    let payload = serde_json::to_vec(request).unwrap();
    serde_json::to_value(pod_security_standards::verdict::validate(&payload)).unwrap()
}

#[test]
fn psa_fixtures_through_the_modes_native() {
    let Some(run) = judge_fixtures(&kind_names(), |f, kind, failures| {
        let object = wrap(kind, &f.pod);
        let enforce = judge(&request(kind, &object, &fixture_settings(f)));
        let want = match expected(f, &enforce) {
            Ok(want) => want,
            Err(e) => {
                failures.push(format!("{} as {kind}: {e}", f.path.display()));
                return 0;
            }
        };
        // Warn and audit together, then (for a Pod) each alone.
        let alone: &[(bool, bool)] = if kind == "Pod" {
            &[(true, true), (true, false), (false, true)]
        } else {
            &[(true, true)]
        };
        for &(warn, audit) in alone {
            let response = judge(&request(kind, &object, &modes_settings(f, warn, audit)));
            if let Err(e) = check(&response, &want, warn, audit) {
                failures.push(format!(
                    "{} as {kind} (warn {warn}, audit {audit}): {e}",
                    f.path.display()
                ));
            }
        }
        alone.len()
    }) else {
        return;
    };
    println!(
        "PSA fixtures through the modes (native): {} of {} answers as PSA's ({} fixtures)",
        run.judged - run.failures.len(),
        run.judged,
        run.fixtures
    );
    run.assert_as_expected();
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn psa_fixtures_through_the_modes_wasm() {
    // Loaded with the first fixture: skipping the fixtures needs no module.
    let mut policy = None;
    let Some(run) = judge_fixtures(&["Pod"], |f, _, failures| {
        let policy = policy.get_or_insert_with(|| {
            WasmPolicy::load(&policy_path()).unwrap_or_else(|e| panic!("{e}"))
        });
        let validate = |settings: &Value| {
            policy
                .validate(&request("Pod", &f.pod, settings))
                .unwrap_or_else(|e| panic!("{}: {e}", f.path.display()))
        };
        let enforce = validate(&fixture_settings(f));
        let result = expected(f, &enforce)
            .and_then(|want| check(&validate(&modes_settings(f, true, true)), &want, true, true));
        if let Err(e) = result {
            failures.push(format!("{}: {e}", f.path.display()));
        }
        1
    }) else {
        return;
    };
    run.assert_as_expected();
}
