//! Every PSA reference fixture, judged by the native build at its folder's level and
//! version, as a Pod and as the pod template of every workload kind.

use pss_test_support as common;

use common::{fixture_settings, judge_fixtures, kind_names, request, wrap, KINDS};

#[test]
fn psa_fixtures_native() {
    let Some(run) = judge_fixtures(&kind_names(), |f, kind, failures| {
        let req = request(kind, &wrap(kind, &f.pod), &fixture_settings(f));
        let payload = serde_json::to_vec(&req).unwrap();
        let response = pod_security_standards::verdict::validate(&payload);
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
        1
    }) else {
        return;
    };
    println!(
        "PSA conformance (native): {} of {} fixtures x {} kinds = {} of {} verdicts as expected",
        run.fixtures - run.failures.len().min(run.fixtures),
        run.fixtures,
        KINDS.len(),
        run.judged - run.failures.len(),
        run.judged
    );
    run.assert_as_expected();
}
