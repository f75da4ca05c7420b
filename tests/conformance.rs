//! Every PSA reference fixture, judged by the native build at its folder's level and
//! version, as a Pod and as the pod template of every workload kind.

use pss_test_support as common;

use common::{fixture_settings, load_fixtures, request, wrap, KINDS};

#[test]
fn psa_fixtures_native() {
    let Some(fixtures) = load_fixtures() else {
        return;
    };
    let mut failures = Vec::new();
    let mut judged = 0;
    for f in &fixtures {
        for (kind, ..) in KINDS {
            let req = request(kind, &wrap(kind, &f.pod), &fixture_settings(f));
            let payload = serde_json::to_vec(&req).unwrap();
            let response = pod_security_standards::verdict::validate(&payload);
            judged += 1;
            if response.accepted != f.expect_pass {
                failures.push(format!(
                    "{} as {kind}: expected {}, got accepted={} ({:?})",
                    f.path.display(),
                    if f.expect_pass { "pass" } else { "fail" },
                    response.accepted,
                    response.message
                ));
            }
            // A rejection always names the level and version it was judged at.
            if !response.accepted {
                let label = format!("violates PodSecurity \"{}:{}\": ", f.level, f.version);
                let message = response.message.clone().unwrap_or_default();
                if !message.starts_with(&label) {
                    failures.push(format!("{}: message {message:?}", f.path.display()));
                }
            }
        }
    }
    println!(
        "PSA conformance (native): {} of {} fixtures x {} kinds = {} of {judged} verdicts as expected",
        fixtures.len() - failures.len().min(fixtures.len()),
        fixtures.len(),
        KINDS.len(),
        judged - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
