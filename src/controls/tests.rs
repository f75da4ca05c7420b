//! The table, the planner, relaxations and the details budget.

use super::budget::fit;
use super::*;
use crate::pod::PodView;

/// Every violation of the pod at `level` and `v1.<minor>`, no exclusions, their details
/// bounded: the one evaluation loop, as a rejection runs it.
fn evaluate(level: Level, minor: u32, pod: &PodView) -> Vec<Violation> {
    let mut violations = crate::exclusions::evaluate(level, minor, pod, &[], false).violations;
    bound(&mut violations);
    violations
}

/// The plan's definition, written plainly: what [`checks_at`] must give.
fn work_out_checks(level: Level, minor: u32) -> Vec<(&'static str, u32)> {
    let overridden = |id: ControlId| {
        CONTROLS
            .iter()
            .filter(|c| c.level == Level::Restricted)
            .filter_map(|c| c.revision_at(minor))
            .any(|r| r.overrides.contains(&id))
    };
    CONTROLS
        .iter()
        .filter(|c| c.level <= level)
        .filter(|c| !(level == Level::Restricted && c.level == Level::Baseline && overridden(c.id)))
        .filter_map(|c| Some((c.id.as_str(), c.revision_at(minor)?.since)))
        .collect()
}

#[test]
fn the_table_of_checks_is_worked_out_from_the_controls() {
    for level in [Level::Baseline, Level::Restricted] {
        for minor in 0..=NEWEST_KNOWN_MINOR + 2 {
            let worked_out = work_out_checks(level, minor.min(NEWEST_KNOWN_MINOR));
            assert!(!worked_out.is_empty());
            let planned: Vec<_> = checks_at(level, minor)
                .map(|(c, r)| (c.id.as_str(), r.since))
                .collect();
            assert_eq!(planned, worked_out, "{level:?} v1.{minor}");
        }
    }
}

#[test]
fn table_is_in_message_order() {
    // Baseline first, then restricted; inside each, byte order of the ID.
    let keys: Vec<_> = CONTROLS.iter().map(|c| (c.level, c.id.as_str())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn revisions_strictly_increase_and_overrides_name_baseline_controls() {
    for c in CONTROLS {
        assert!(!c.revisions.is_empty(), "{}", c.id);
        assert!(
            c.revisions.windows(2).all(|w| w[0].since < w[1].since),
            "{}",
            c.id
        );
        assert!(c.revisions.iter().all(|r| r.since <= NEWEST_KNOWN_MINOR));
        for r in c.revisions {
            for o in r.overrides {
                assert_eq!(c.level, Level::Restricted);
                let target = &CONTROLS[o.index()];
                assert_eq!(target.level, Level::Baseline);
            }
        }
    }
    let newest = CONTROLS
        .iter()
        .flat_map(|c| c.revisions.iter().map(|r| r.since))
        .max();
    assert_eq!(newest, Some(NEWEST_KNOWN_MINOR));
}

fn ids(level: Level, minor: u32) -> Vec<&'static str> {
    checks_at(level, minor)
        .map(|(c, _)| c.id.as_str())
        .collect()
}

#[test]
fn overrides_apply_only_where_the_restricted_revision_exists() {
    let r10 = ids(Level::Restricted, 10);
    assert!(r10.contains(&"capabilities_baseline"));
    assert!(r10.contains(&"seccompProfile_baseline"));
    assert!(!r10.contains(&"hostPathVolumes"));
    assert!(!r10.contains(&"runAsUser"));
    let r22 = ids(Level::Restricted, 22);
    assert!(!r22.contains(&"capabilities_baseline"));
    assert!(r22.contains(&"capabilities_restricted"));
    let newest = ids(Level::Restricted, NEWEST_KNOWN_MINOR);
    assert!(!newest.contains(&"procMount"));
    assert!(newest.contains(&"procMount_restricted"));
    assert!(newest.contains(&"hostProbesAndHostLifecycle"));
    assert!(!ids(Level::Baseline, NEWEST_KNOWN_MINOR).contains(&"runAsNonRoot"));
    assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
    // Future versions are evaluated as the newest known one.
    assert_eq!(ids(Level::Restricted, 99), newest);
}

#[test]
fn relaxations_apply_from_their_revision_only() {
    use crate::controls::test_support::pod;
    let windows = pod(r#"{"spec":{"os":{"name":"windows"},"containers":[{"name":"a"}]}}"#);
    let at = |minor| evaluate(Level::Restricted, minor, &windows);
    let ids_at = |minor| -> Vec<_> { at(minor).iter().map(|v| v.reason).collect() };
    assert_eq!(
        ids_at(24),
        [
            "allowPrivilegeEscalation != false",
            "unrestricted capabilities",
            "runAsNonRoot != true",
            "seccompProfile"
        ]
    );
    assert_eq!(ids_at(25), ["runAsNonRoot != true"]);
    // "Windows" is not "windows": no relaxation for a misspelt OS.
    let linux = pod(r#"{"spec":{"os":{"name":"Windows"},"containers":[{"name":"a"}]}}"#);
    assert_eq!(
        evaluate(Level::Restricted, NEWEST_KNOWN_MINOR, &linux).len(),
        4
    );

    let userns = pod(
        r#"{"spec":{"hostUsers":false,"securityContext":{"runAsUser":0,"runAsNonRoot":false,"seccompProfile":{"type":"RuntimeDefault"}},
        "containers":[{"name":"a","securityContext":{"procMount":"Unmasked","allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}"#,
    );
    let reasons = |level, minor| -> Vec<_> {
        evaluate(level, minor, &userns)
            .iter()
            .map(|v| v.reason)
            .collect()
    };
    assert_eq!(reasons(Level::Baseline, 34), ["procMount"]);
    assert!(reasons(Level::Baseline, 35).is_empty());
    assert_eq!(
        reasons(Level::Restricted, 34),
        ["procMount", "runAsNonRoot != true", "runAsUser=0"]
    );
    // procMount_restricted has no user-namespace relaxation.
    assert_eq!(reasons(Level::Restricted, 35), ["procMount"]);
}

#[test]
fn relaxed_restricted_revisions_fall_back_to_the_baseline_they_replace() {
    use crate::controls::test_support::pod;
    let windows = |sc: &str| {
        pod(&format!(
            r#"{{"spec":{{"os":{{"name":"windows"}},"securityContext":{{"runAsNonRoot":true}},
            "containers":[{{"name":"a","securityContext":{sc}}}]}}}}"#
        ))
    };
    let reasons = |level, minor, p: &PodView| -> Vec<_> {
        evaluate(level, minor, p).iter().map(|v| v.reason).collect()
    };
    // Nothing set: the relaxation stands, at restricted as at baseline.
    let bare = windows("{}");
    assert!(reasons(Level::Restricted, 25, &bare).is_empty());
    // What baseline refuses, restricted refuses too, in baseline's words.
    let caps = windows(r#"{"capabilities":{"add":["SYS_ADMIN"]}}"#);
    assert_eq!(
        reasons(Level::Baseline, NEWEST_KNOWN_MINOR, &caps),
        ["non-default capabilities"]
    );
    assert_eq!(
        reasons(Level::Restricted, NEWEST_KNOWN_MINOR, &caps),
        ["non-default capabilities"]
    );
    let seccomp = windows(r#"{"seccompProfile":{"type":"Unconfined"}}"#);
    assert_eq!(reasons(Level::Baseline, 25, &seccomp), ["seccompProfile"]);
    assert_eq!(reasons(Level::Restricted, 25, &seccomp), ["seccompProfile"]);
    // What only restricted asks for (drop ALL, a profile at all) is still relaxed.
    let allowed = windows(r#"{"capabilities":{"add":["CHOWN"]},"seccompProfile":{}}"#);
    assert_eq!(
        reasons(Level::Baseline, NEWEST_KNOWN_MINOR, &allowed),
        ["seccompProfile"]
    );
    let allowed = windows(r#"{"capabilities":{"add":["CHOWN"]}}"#);
    assert!(reasons(Level::Restricted, NEWEST_KNOWN_MINOR, &allowed).is_empty());
    // The fallback is exact: the replaced baseline controls have no revision newer than
    // the relaxed revisions that fall back to them.
    for c in CONTROLS {
        for r in c.revisions.iter().filter(|r| r.relaxed != Relaxed::Never) {
            for id in r.overrides {
                let target = &CONTROLS[id.index()];
                assert!(target.revisions.iter().all(|t| t.since <= r.since), "{id}");
            }
        }
    }
}

#[test]
fn details_fit_a_total_budget() {
    let mut vs: Vec<Violation> = (0..20)
        .map(|i| Violation::of(["reason-a", "reason-b"][i % 2]).text(&"d".repeat(500)))
        .collect();
    fit(&mut vs, MAX_DETAILS_BYTES);
    let total: usize = vs
        .iter()
        .map(|v| {
            v.reason.len()
                + 2
                + if v.detail.is_empty() {
                    0
                } else {
                    v.detail.len() + 3
                }
        })
        .sum();
    assert!(total <= MAX_DETAILS_BYTES, "{total}");
    // Every reason is kept; the first details whole, one cut, the rest dropped.
    assert_eq!(vs.len(), 20);
    assert_eq!(vs[0].detail.len(), 500);
    assert!(vs.iter().any(|v| v.detail.ends_with("...")));
    assert!(vs[19].detail.is_empty());
    // Under the budget nothing changes.
    let mut small = vec![Violation::of("a").text("x")];
    fit(&mut small, MAX_DETAILS_BYTES);
    assert_eq!(small[0].detail, "x");
}
