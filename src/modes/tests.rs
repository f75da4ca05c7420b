//! The modes: their settings, their judgements and their answers, against enforce alone.

use super::*;
use crate::controls::test_support::pod;
use crate::pod::PodView;
use crate::verdict::tests::request;
use crate::verdict::{judge_pod, validate};
use serde_json::{json, Value};
use std::collections::HashMap;

fn settings(json: Value) -> Settings {
    Settings::from_json(&json.to_string()).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn err(json: Value) -> String {
    Settings::from_json(&json.to_string())
        .expect_err("refused")
        .to_string()
}

/// A pod's judgement in every mode, its messages read back from JSON as plain text.
struct Plain {
    enforce: Option<String>,
    audit: Option<String>,
    warn: Option<String>,
    exclusions_used: crate::exclusions::Notes,
}

fn judge(settings: &Settings, policy: &Policy, pod: &PodView) -> Plain {
    let j = super::judge(settings, policy, pod);
    let plain = |e: Option<crate::json::Escaped>| e.map(|e| e.plain());
    Plain {
        enforce: plain(j.enforce),
        audit: plain(j.audit),
        warn: plain(j.warn),
        exclusions_used: j.exclusions_used,
    }
}

fn lv(level: Level, version: PolicyVersion) -> LevelVersion {
    LevelVersion { level, version }
}

#[test]
fn settings_read_the_modes_strictly() {
    let s = settings(
        json!({"level": "privileged", "warn": {"level": "restricted"},
                            "audit": {"level": "baseline", "version": "v1.25"}}),
    );
    assert_eq!(s.level, Level::Privileged);
    assert_eq!(s.warn, Some(lv(Level::Restricted, PolicyVersion::Latest)));
    assert_eq!(s.audit, Some(lv(Level::Baseline, PolicyVersion::V1(25))));
    assert!(s.uses_modes() && !Settings::default().uses_modes());
    let s = settings(json!({"levelsFromNamespaceLabels": true, "level": "privileged"}));
    assert!(s.levels_from_namespace_labels && s.uses_modes());

    let e = err(json!({"warn": {"level": "strict"}}));
    assert_eq!(
        e,
        r#"warn.level: "strict" is not a Pod Security Standard level; allowed values: "privileged", "baseline", "restricted""#
    );
    let e = err(json!({"audit": {"level": "baseline", "version": "1.25"}}));
    assert!(
        e.starts_with(r#"audit.version: "1.25" is malformed"#),
        "{e}"
    );
    let e = err(json!({"warn": {"version": "latest"}}));
    assert!(e.starts_with("warn.level: missing"), "{e}");
    let e = err(json!({"warn": {"level": "baseline", "mode": "x"}}));
    assert!(e.starts_with("warn.mode: unknown field `mode`"), "{e}");
    let e = err(json!({"audit": "restricted"}));
    assert!(e.starts_with("audit: invalid type"), "{e}");
    let e = err(json!({"levelsFromNamespaceLabels": "yes"}));
    assert!(
        e.starts_with("levelsFromNamespaceLabels: invalid type"),
        "{e}"
    );
    let e = err(json!({"warn": {"level": "restricted"}, "level": "strict"}));
    assert!(
        e.contains(r#""privileged", "baseline", "restricted""#),
        "{e}"
    );
}

#[test]
fn settings_that_check_nothing_are_refused() {
    // Alone, `level: privileged` keeps its message of before.
    let e = err(json!({"level": "privileged"}));
    assert!(e.starts_with(r#"level: "privileged" is not accepted: it checks nothing"#));
    let e = err(json!({"level": "privileged", "warn": {"level": "privileged"}}));
    assert!(e.starts_with("settings check nothing"), "{e}");
    let e =
        err(json!({"level": "privileged", "audit": {"level": "privileged", "version": "v1.2"}}));
    assert!(e.starts_with("settings check nothing"), "{e}");
    for ok in [
        json!({"level": "privileged", "warn": {"level": "baseline"}}),
        json!({"level": "privileged", "audit": {"level": "restricted"}}),
        json!({"level": "baseline", "warn": {"level": "privileged"}}),
    ] {
        settings(ok);
    }
}

fn violating() -> PodView<'static> {
    pod(
        r#"{"spec":{"hostPID":true,"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true,"capabilities":{"add":["NET_RAW"]}}}]}}"#,
    )
}

#[test]
fn the_enforce_mode_writes_what_judge_pod_writes() {
    let pods = [
        violating(),
        pod(r#"{"spec":{"containers":[{"name":"a"}]}}"#),
        pod(
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"readOnlyRootFilesystem":true}}]}}"#,
        ),
        pod(
            r#"{"spec":{"os":{"name":"windows"},"containers":[{"name":"a","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}]}}"#,
        ),
    ];
    for json in [
        json!({}),
        json!({"level": "baseline", "version": "v1.20"}),
        json!({"requireReadOnlyRootFilesystem": false, "version": "v1.99"}),
        json!({"exclusions": [{"control": "privileged", "containers": ["app"], "images": ["docker.io/library/nginx:*"]}]}),
    ] {
        let s = settings(json.clone());
        for audit in [Level::Privileged, Level::Baseline, Level::Restricted] {
            let policy = Policy {
                audit: lv(audit, PolicyVersion::V1(24)),
                ..Policy::from_settings(&s)
            };
            for p in &pods {
                let old = judge_pod(&s, p);
                let new = judge(&s, &policy, p);
                assert_eq!(new.enforce, old.rejection, "{json}");
                assert_eq!(new.exclusions_used, old.exclusions_used, "{json}");
            }
        }
    }
}

#[test]
fn warn_and_audit_say_would_violate_in_psa_words() {
    let s = settings(
        json!({"level": "privileged", "requireReadOnlyRootFilesystem": false,
                            "warn": {"level": "baseline"}, "audit": {"level": "baseline", "version": "v1.30"}}),
    );
    let j = judge(&s, &Policy::from_settings(&s), &violating());
    assert_eq!(j.enforce, None);
    assert_eq!(
        j.warn.as_deref(),
        Some(
            r#"would violate PodSecurity "baseline:latest": non-default capabilities (container "app" must not include "NET_RAW" in securityContext.capabilities.add), host namespaces (hostPID=true), privileged (container "app" must not set securityContext.privileged=true)"#
        )
    );
    assert_eq!(
        j.audit.as_deref(),
        Some(
            r#"would violate PodSecurity "baseline:v1.30": non-default capabilities (container "app" must not include "NET_RAW" in securityContext.capabilities.add), host namespaces (hostPID=true), privileged (container "app" must not set securityContext.privileged=true)"#
        )
    );
    // Our control is judged in every mode that checks something.
    let s = settings(json!({"level": "privileged", "warn": {"level": "restricted"}}));
    let j = judge(
        &s,
        &Policy::from_settings(&s),
        &pod(r#"{"spec":{"containers":[{"name":"a"}]}}"#),
    );
    let warn = j.warn.unwrap();
    assert!(
        warn.starts_with(
            r#"would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false"#
        ),
        "{warn}"
    );
    assert!(warn.ends_with(r#"; would violate requireReadOnlyRootFilesystem: readOnlyRootFilesystem != true (container "a" must set securityContext.readOnlyRootFilesystem=true)"#), "{warn}");
}

#[test]
fn a_mode_no_stricter_than_enforce_at_its_version_finds_what_enforce_finds() {
    // Judged in full and taken from enforce, the same answers, on pods that pass and
    // pods that fail, with and without our control.
    let pods = [
        violating(),
        pod(
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"readOnlyRootFilesystem":true}}]}}"#,
        ),
        pod(
            r#"{"spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"readOnlyRootFilesystem":true}}]}}"#,
        ),
        pod(
            r#"{"spec":{"os":{"name":"windows"},"securityContext":{"runAsNonRoot":true},"containers":[{"name":"a","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}]}}"#,
        ),
    ];
    for rofs in [true, false] {
        for (enforce, version) in [
            ("restricted", "latest"),
            ("restricted", "v1.24"),
            ("baseline", "v1.99"),
        ] {
            let s = settings(
                json!({"level": enforce, "version": version, "requireReadOnlyRootFilesystem": rofs,
                "warn": {"level": "baseline", "version": version}, "audit": {"level": enforce, "version": version}}),
            );
            for p in &pods {
                let j = judge(&s, &Policy::from_settings(&s), p);
                if j.enforce.is_none() {
                    assert_eq!((j.warn, j.audit), (None, None));
                }
                // The same modes judged in full: a privileged enforce finds nothing.
                let full = Policy {
                    enforce: LevelVersion::PRIVILEGED,
                    ..Policy::from_settings(&s)
                };
                let all = judge(&s, &full, p);
                if j.enforce.is_none() {
                    assert_eq!((all.warn, all.audit), (None, None), "{enforce}:{version}");
                }
            }
        }
    }
}

#[test]
fn a_warning_is_worked_out_only_when_enforce_lets_the_pod_through() {
    let s = settings(
        json!({"level": "baseline", "warn": {"level": "restricted"}, "audit": {"level": "restricted"}}),
    );
    let j = judge(&s, &Policy::from_settings(&s), &violating());
    assert!(j.enforce.is_some() && j.audit.is_some());
    assert_eq!(j.warn, None);
    // Warn reuses what audit found, and what enforce found nothing in.
    let p = pod(
        r#"{"spec":{"containers":[{"name":"a","securityContext":{"readOnlyRootFilesystem":true,"capabilities":{"add":["NET_ADMIN"]}}}]}}"#,
    );
    let s = settings(
        json!({"level": "privileged", "warn": {"level": "restricted"}, "audit": {"level": "restricted", "version": "v1.21"}}),
    );
    let j = judge(&s, &Policy::from_settings(&s), &p);
    let (warn, audit) = (j.warn.unwrap(), j.audit.unwrap());
    assert!(
        warn.contains("unrestricted capabilities") && !warn.contains("non-default"),
        "{warn}"
    );
    // v1.21: capabilities_restricted does not exist yet; the baseline control judges.
    assert!(audit.contains("non-default capabilities"), "{audit}");
    assert_eq!(
        warn.split_once("\": ").unwrap().1.split(", ").next(),
        Some("allowPrivilegeEscalation != false (container \"a\" must set securityContext.allowPrivilegeEscalation=false)")
    );
}

fn privileged_pod() -> Value {
    json!({"kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}})
}

#[test]
fn responses_carry_psa_warnings_and_audit_annotations() {
    let r = validate(&request(
        privileged_pod(),
        json!({"level": "privileged", "warn": {"level": "baseline"}, "audit": {"level": "baseline"},
               "requireReadOnlyRootFilesystem": false}),
    ));
    assert!(r.accepted);
    let text = r#"would violate PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)"#;
    assert_eq!(r.warnings, Some(vec![text.to_owned()]));
    let annotations = r.audit_annotations.unwrap();
    assert_eq!(annotations[AUDIT_VIOLATIONS_ANNOTATION], text);
    assert_eq!(annotations[ENFORCE_POLICY_ANNOTATION], "privileged:latest");
    assert_eq!(annotations.len(), 2);

    // Refused: no warning; the audit annotation and enforce-policy still.
    let r = validate(&request(
        privileged_pod(),
        json!({"level": "baseline", "version": "v1.30", "warn": {"level": "restricted"}, "audit": {"level": "restricted"}}),
    ));
    assert!(!r.accepted);
    assert_eq!(r.warnings, None);
    let annotations = r.audit_annotations.unwrap();
    assert_eq!(annotations[ENFORCE_POLICY_ANNOTATION], "baseline:v1.30");
    assert!(annotations[AUDIT_VIOLATIONS_ANNOTATION].starts_with(
        r#"would violate PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true), allowPrivilegeEscalation != false"#
    ));

    // Compliant everywhere: only enforce-policy.
    let compliant = json!({"kind": "Pod", "spec": {"containers": [{"name": "app", "securityContext": {"readOnlyRootFilesystem": true}}]}});
    let r = validate(&request(
        compliant,
        json!({"level": "baseline", "audit": {"level": "baseline"}}),
    ));
    assert!(r.accepted && r.warnings.is_none(), "{r:?}");
    assert_eq!(
        r.audit_annotations,
        Some(HashMap::from([(
            ENFORCE_POLICY_ANNOTATION.to_owned(),
            "baseline:latest".to_owned()
        )]))
    );
}

#[test]
fn a_recycled_map_carries_nothing_over() {
    let settings = json!({"level": "privileged", "audit": {"level": "baseline"}, "warn": {"level": "baseline"}});
    let r = validate(&request(privileged_pod(), settings.clone()));
    assert!(r
        .audit_annotations
        .as_ref()
        .unwrap()
        .contains_key(AUDIT_VIOLATIONS_ANNOTATION));
    let mut stale = r;
    stale
        .audit_annotations
        .as_mut()
        .unwrap()
        .insert("exclusions".into(), "x".into());
    // An `error` of a namespace whose labels could not be read, no longer true.
    (stale.audit_annotations.as_mut().unwrap()).insert(ERROR_ANNOTATION.into(), "y".into());
    crate::response_writer::recycle(stale);
    let compliant = json!({"kind": "Pod", "spec": {"containers": [{"name": "app", "securityContext": {"readOnlyRootFilesystem": true}}]}});
    let r = validate(&request(compliant, settings));
    assert_eq!(
        r.audit_annotations,
        Some(HashMap::from([(
            ENFORCE_POLICY_ANNOTATION.to_owned(),
            "privileged:latest".to_owned()
        )]))
    );
}

#[test]
fn exemptions_exempt_every_mode_and_settings_of_before_answer_as_before() {
    let r = validate(&request(
        privileged_pod(),
        json!({"level": "privileged", "warn": {"level": "baseline"}, "exemptions": {"namespaces": ["team-a"]}}),
    ));
    assert!(r.accepted && r.warnings.is_none());
    assert_eq!(r.audit_annotations.unwrap()["exempt"], "namespace");
    let r = validate(&request(privileged_pod(), json!({"level": "baseline"})));
    assert!(!r.accepted && r.audit_annotations.is_none());
}

#[test]
fn workloads_are_refused_on_enforce_and_warned_like_pods() {
    let deployment =
        json!({"kind": "Deployment", "spec": {"template": {"spec": privileged_pod()["spec"]}}});
    let payload = |settings: Value| {
        serde_json::to_vec(&json!({"settings": settings, "request": {
            "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "operation": "CREATE", "namespace": "team-a", "object": deployment}}))
        .unwrap()
    };
    let r = validate(&payload(
        json!({"level": "baseline", "audit": {"level": "baseline"}}),
    ));
    assert!(!r.accepted);
    assert!(r
        .message
        .unwrap()
        .starts_with(r#"violates PodSecurity "baseline:latest": privileged"#));
    let r = validate(&payload(
        json!({"level": "privileged", "warn": {"level": "baseline"}}),
    ));
    assert!(r.accepted);
    assert!(r.warnings.unwrap()[0]
        .starts_with(r#"would violate PodSecurity "baseline:latest": privileged"#));
}

#[test]
fn exclusions_apply_in_every_mode_and_are_noted_once() {
    let r = validate(&request(
        privileged_pod(),
        json!({"level": "baseline", "warn": {"level": "baseline", "version": "v1.10"},
               "audit": {"level": "baseline", "version": "v1.0"}, "requireReadOnlyRootFilesystem": false,
               "exclusions": [{"control": "privileged", "containers": ["app"], "images": ["docker.io/library/nginx:*"]}]}),
    ));
    assert!(r.accepted, "{r:?}");
    let warnings = r.warnings.unwrap();
    assert_eq!(
        warnings,
        ["exclusion in use: control \"privileged\" excluded for container \"app\""]
    );
    assert!(!r
        .audit_annotations
        .unwrap()
        .contains_key(AUDIT_VIOLATIONS_ANNOTATION));
}

#[test]
fn warnings_judge_the_object_as_it_will_be_stored() {
    let bare = json!({"kind": "Pod", "spec": {"containers": [{"name": "app", "image": "nginx"}]}});
    let r = validate(&request(
        bare,
        json!({"mutate": true, "warn": {"level": "restricted"}, "audit": {"level": "restricted"}}),
    ));
    assert!(r.accepted && r.mutated_object.is_some(), "{r:?}");
    // The secure defaults made it compliant: no PSA warning, no audit violation.
    let warnings = r.warnings.unwrap();
    assert!(
        warnings.iter().all(|w| !w.contains("would violate")),
        "{warnings:?}"
    );
    let annotations = r.audit_annotations.unwrap();
    assert_eq!(annotations[ENFORCE_POLICY_ANNOTATION], "restricted:latest");
    assert!(!annotations.contains_key(AUDIT_VIOLATIONS_ANNOTATION));
    // What the defaults cannot fix is still refused; the audit judged the object as sent.
    let r = validate(&request(
        privileged_pod(),
        json!({"mutate": true, "audit": {"level": "baseline"}}),
    ));
    assert!(!r.accepted);
    assert!(r.audit_annotations.unwrap()[AUDIT_VIOLATIONS_ANNOTATION].contains("privileged"));
}

#[test]
fn a_message_taken_from_another_mode_is_the_message_judged_alone() {
    // Each case: the modes, and the mode whose message is then taken from another's.
    let alone = |mode: &str, level: &str, version: &str, rofs: bool| {
        json!({"level": "privileged", "requireReadOnlyRootFilesystem": rofs,
            mode: {"level": level, "version": version}})
    };
    let only_ours = pod(
        r#"{"spec":{"containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}}}]}}"#,
    );
    let cases: [(&str, Value, &str, Value, PodView); 4] = [
        (
            "audit from a refusing enforce",
            json!({"audit": {"level": "restricted"}}),
            "audit",
            alone("audit", "restricted", "latest", true),
            violating(),
        ),
        (
            "audit from enforce, our control alone",
            json!({"audit": {"level": "restricted"}}),
            "audit",
            alone("audit", "restricted", "latest", true),
            only_ours,
        ),
        (
            "warn from audit, enforce passing",
            json!({"level": "baseline", "requireReadOnlyRootFilesystem": false,
                "audit": {"level": "restricted", "version": "v1.30"},
                "warn": {"level": "restricted", "version": "v1.30"}}),
            "warn",
            alone("warn", "restricted", "v1.30", false),
            pod(r#"{"spec":{"containers":[{"name":"a"}]}}"#),
        ),
        (
            "audit from enforce at another version finding the same",
            json!({"version": "v1.30", "audit": {"level": "restricted", "version": "v1.29"}}),
            "audit",
            alone("audit", "restricted", "v1.29", true),
            violating(),
        ),
    ];
    for (name, modes, mode, reference, pod) in cases {
        let (s, r) = (settings(modes), settings(reference));
        let taken = judge(&s, &Policy::from_settings(&s), &pod);
        let judged = judge(&r, &Policy::from_settings(&r), &pod);
        let [taken, judged] =
            [taken, judged].map(|j| if mode == "warn" { j.warn } else { j.audit });
        assert!(taken.is_some(), "{name}: nothing found");
        assert_eq!(taken, judged, "{name}");
    }
}

#[test]
fn level_and_version_are_written_as_psa_prints_them() {
    let cases = [
        ("latest", PolicyVersion::Latest, "restricted:latest"),
        ("one digit", PolicyVersion::V1(0), "restricted:v1.0"),
        ("two digits", PolicyVersion::V1(25), "restricted:v1.25"),
        (
            "the largest",
            PolicyVersion::V1(u32::MAX),
            "restricted:v1.4294967295",
        ),
    ];
    for (name, version, expected) in cases {
        let mut out = String::new();
        lv(Level::Restricted, version).write_to(&mut out);
        assert_eq!(out, expected, "{name}");
        assert_eq!(
            out,
            format!("restricted:{version}"),
            "{name}: as PolicyVersion displays"
        );
    }
}
