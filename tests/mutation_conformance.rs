//! Mutation never produces a non-compliant object: for every PSA reference fixture at
//! `restricted`, whatever `mutate: true` returns is itself accepted with `mutate: false`,
//! and a pod that already complies is never mutated.

use pss_test_support as common;

use common::{load_fixtures, request, wrap};
use pod_security_standards::verdict::validate;
use serde_json::json;

#[test]
fn mutated_fixtures_comply_on_their_own() {
    let Some(fixtures) = load_fixtures() else {
        return;
    };
    let (mut mutated_count, mut judged, mut failures) = (0, 0, Vec::new());
    for f in fixtures.iter().filter(|f| f.level == "restricted") {
        for kind in ["Pod", "Deployment", "CronJob"] {
            let object = wrap(kind, &f.pod);
            let settings =
                |mutate| json!({"level": "restricted", "version": f.version, "mutate": mutate});
            let plain =
                validate(&serde_json::to_vec(&request(kind, &object, &settings(false))).unwrap());
            let mutating =
                validate(&serde_json::to_vec(&request(kind, &object, &settings(true))).unwrap());
            judged += 1;
            let name = format!("{} as {kind}", f.path.display());
            if plain.accepted && mutating.mutated_object.is_some() {
                failures.push(format!("{name}: a compliant object was mutated"));
            }
            if !mutating.accepted && mutating.mutated_object.is_some() {
                failures.push(format!("{name}: a rejection carried a mutated object"));
            }
            if let Some(mutated) = mutating.mutated_object {
                mutated_count += 1;
                let again = validate(
                    &serde_json::to_vec(&request(kind, &mutated, &settings(false))).unwrap(),
                );
                if !again.accepted {
                    failures.push(format!(
                        "{name}: the mutated object is rejected: {:?}",
                        again.message
                    ));
                }
            }
        }
    }
    println!("mutation: {mutated_count} of {judged} restricted fixture requests corrected; all corrected objects comply");
    assert!(
        mutated_count > 0,
        "no fixture was corrected: the test proves nothing"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
