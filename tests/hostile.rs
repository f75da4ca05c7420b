//! Bounded cost under hostile size: whatever the size or shape of what the policy is given,
//! it ends in a clean answer (an acceptance, or a rejection that says why) and a rejection
//! message stays under 4 KiB.
//!
//! Timings are not asserted here (machines differ). `measure_hostile_cases` (ignored; run
//! it by hand, see its comment) prints the time and peak memory of every case natively and
//! through the waPC host on the built `policy.wasm`.

use pss_test_support as common;
use pss_test_support::bench_requests as bench;

use common::{fixture_settings, load_fixtures, request, wrap, KINDS};
use pod_security_standards::verdict::validate;
use serde_json::{json, Value};

/// The bound on a whole rejection message.
const MAX_MESSAGE: usize = 4096;

/// Judges and checks the answer is well formed and bounded; returns (accepted, message).
fn judge(payload: &[u8]) -> (bool, String) {
    let r = validate(payload);
    let message = r.message.clone().unwrap_or_default();
    if !r.accepted {
        assert!(!message.is_empty(), "a rejection without a reason");
    }
    assert!(
        message.len() <= MAX_MESSAGE,
        "message of {} bytes: {}...",
        message.len(),
        &message[..message.len().min(300)]
    );
    (r.accepted, message)
}

fn rejected(payload: &[u8], says: &[&str]) -> String {
    let (accepted, message) = judge(payload);
    assert!(!accepted, "accepted");
    for s in says {
        assert!(message.contains(s), "{s:?} missing from {message}");
    }
    message
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
}

fn pod_request(object: &Value, settings: Value) -> Vec<u8> {
    serde_json::to_vec(&request("Pod", object, &settings)).unwrap()
}

/// A restricted-compliant container (read-only root filesystem included).
use pss_test_support::pods::compliant_container as good;

/// A container that breaks every container-level control, with `long` in every value it
/// can put in a message.
fn evil(name: &str, long: &str) -> Value {
    json!({"name": name, "image": "nginx",
        "ports": [{"containerPort": 80, "hostPort": 80}],
        "livenessProbe": {"httpGet": {"port": 80, "host": long}},
        "lifecycle": {"preStop": {"tcpSocket": {"port": 80, "host": format!("{long}2")}}},
        "securityContext": {
            "privileged": true, "allowPrivilegeEscalation": true, "runAsNonRoot": false,
            "runAsUser": 0, "readOnlyRootFilesystem": false, "procMount": long,
            "capabilities": {"add": [long, "SYS_ADMIN"], "drop": []},
            "seccompProfile": {"type": long}, "appArmorProfile": {"type": long},
            "seLinuxOptions": {"type": long, "user": "u", "role": "r"},
            "windowsOptions": {"hostProcess": true}}})
}

/// A pod breaking every control of every version, `n` containers of each kind, every value
/// and name `long`-ish: the longest message the policy can be made to write.
fn worst_pod(n: usize, long: &str) -> Value {
    let containers = |prefix: &str| -> Vec<Value> {
        (0..n)
            .map(|i| evil(&format!("{prefix}{i}{long}"), long))
            .collect()
    };
    let mut annotations = serde_json::Map::new();
    annotations.insert(
        "seccomp.security.alpha.kubernetes.io/pod".into(),
        json!(long),
    );
    for i in 0..n {
        for prefix in ["i", "c", "e"] {
            let name = format!("{prefix}{i}{long}");
            annotations.insert(
                format!("container.apparmor.security.beta.kubernetes.io/{name}"),
                json!(long),
            );
            annotations.insert(
                format!("container.seccomp.security.alpha.kubernetes.io/{name}"),
                json!(long),
            );
        }
    }
    let volumes: Vec<Value> = (0..n)
        .flat_map(|i| {
            [
                json!({"name": format!("h{i}{long}"), "hostPath": {"path": "/"}}),
                json!({"name": format!("n{i}{long}"), "nfs": {"server": "s", "path": "/"}}),
                json!({"name": format!("u{i}{long}"), format!("x{i}{long}"): {}}),
            ]
        })
        .collect();
    let sysctls: Vec<Value> = (0..n)
        .map(|i| json!({"name": format!("kernel.{i}{long}"), "value": "1"}))
        .collect();
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "annotations": annotations},
        "spec": {
            "hostNetwork": true, "hostPID": true, "hostIPC": true,
            "securityContext": {"runAsNonRoot": false, "runAsUser": 0, "sysctls": sysctls,
                "seccompProfile": {"type": long}, "appArmorProfile": {"type": long},
                "seLinuxOptions": {"type": long, "user": "u", "role": "r"},
                "windowsOptions": {"hostProcess": true}},
            "initContainers": containers("i"),
            "containers": containers("c"),
            "ephemeralContainers": containers("e"),
            "volumes": volumes}})
}

#[test]
fn the_worst_message_stays_under_4_kib_at_every_level_and_version() {
    for (n, long) in [
        (1, "x".to_owned()),
        (12, "y".repeat(40)),
        (12, "z".repeat(300)),
        (3, "é".repeat(5000)),
    ] {
        let worst = worst_pod(n, &long);
        for level in ["baseline", "restricted"] {
            for version in [
                "v1.0", "v1.18", "v1.22", "v1.25", "v1.31", "v1.34", "latest",
            ] {
                let settings = json!({"level": level, "version": version});
                let message = rejected(&pod_request(&worst, settings), &["privileged"]);
                if n > MAX_LIST_ITEMS_SHOWN {
                    assert!(message.contains(" more"), "{message}");
                }
                // Still a PSA message, with its reasons.
                assert!(
                    message.starts_with(&format!("violates PodSecurity \"{level}:{version}\": "))
                );
                assert!(message.contains("host namespaces"), "{message}");
            }
        }
    }
}

const MAX_LIST_ITEMS_SHOWN: usize = pod_security_standards::controls::MAX_LIST_ITEMS;

/// 10,000 containers, each breaking a control of its own kind: init containers are
/// privileged, containers use host ports and add capabilities, ephemeral ones run as root.
fn ten_thousand_containers() -> Vec<u8> {
    let list = |prefix: &str, sc: &str, extra: &str| {
        raw_list(10_000 / 3 + 1, |i| {
            format!(r#"{{"name":"{prefix}{i}","image":"busybox"{extra},"securityContext":{sc}}}"#)
        })
    };
    let spec = format!(
        r#"{{"initContainers":{},"containers":{},"ephemeralContainers":{}}}"#,
        list("i", r#"{"privileged":true}"#, ""),
        list(
            "c",
            r#"{"capabilities":{"add":["SYS_ADMIN"]}}"#,
            r#","ports":[{"containerPort":80,"hostPort":80}]"#
        ),
        list("e", r#"{"runAsUser":0}"#, ""),
    );
    raw_request(&raw_pod(&spec), None)
}

#[test]
fn ten_thousand_containers_are_judged_and_summed_up() {
    let message = rejected(
        &ten_thousand_containers(),
        &[
            r#"privileged (containers "i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9" and 3324 more must not set securityContext.privileged=true)"#,
            r#"hostPort (containers "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9" and 3324 more use hostPort 80)"#,
            r#"runAsUser=0 (containers "e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9" and 3324 more must not set runAsUser=0)"#,
            "violates requireReadOnlyRootFilesystem",
        ],
    );
    assert!(message.len() < MAX_MESSAGE);
    // 10,000 compliant containers are accepted.
    let good = good("c").to_string();
    let spec = format!(r#"{{"containers":{}}}"#, raw_list(10_000, |_| good.clone()));
    let (accepted, message) = judge(&raw_request(&raw_pod(&spec), None));
    assert!(accepted, "{message}");
}

/// A 1 MiB annotation: refused as an AppArmor profile, ignored when it means nothing.
#[test]
fn a_one_mib_annotation_is_cut_in_the_message() {
    let mib = "u".repeat(1 << 20);
    let mut p = pod(json!({"containers": [good("c")]}));
    p["metadata"]["annotations"] = json!({"container.apparmor.security.beta.kubernetes.io/c": mib});
    let message = rejected(
        &pod_request(&p, json!({})),
        &["forbidden AppArmor profile (annotation must not set AppArmor profile type to \"container.apparmor.security.beta.kubernetes.io/c=\"uuu"],
    );
    assert!(message.contains(" more bytes)"), "{message}");
    // Up to v1.18 the seccomp annotations are what count.
    p["metadata"]["annotations"] = json!({"seccomp.security.alpha.kubernetes.io/pod": mib});
    rejected(
        &pod_request(&p, json!({"level": "baseline", "version": "v1.18"})),
        &["seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"uuu"],
    );
    // Anywhere else it means nothing.
    p["metadata"]["annotations"] = json!({"example.com/notes": mib});
    let (accepted, message) = judge(&pod_request(&p, json!({})));
    assert!(accepted, "{message}");
}

/// `[[[...]]]` (or `{"a":{"a":...}}`) `depth` deep.
fn nested(depth: usize, object: bool) -> String {
    if object {
        format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
    } else {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }
}

/// JSON nested 10,000 deep, in every place the policy reads or skips.
fn deep_cases() -> Vec<(&'static str, Vec<u8>, bool)> {
    let deep = nested(10_000, true);
    let compliant = pod(json!({"containers": [good("c")]})).to_string();
    let with = |inner: &str| -> Vec<u8> {
        format!(
            r#"{{"settings": {{}}, "request": {{"kind": {{"group": "", "version": "v1", "kind": "Pod"}},
            "resource": {{"group": "", "version": "v1", "resource": "pods"}}, "operation": "CREATE",
            "namespace": "default", "userInfo": {{"username": "alice"}}, "object": {inner}}}}}"#
        )
        .into_bytes()
    };
    // `"spec":{<open><deep><close>, ...}`
    let in_pod = |open: &str, close: &str| {
        with(&compliant.replacen(
            r#""spec":{"#,
            &format!(r#""spec":{{{open}{deep}{close},"#),
            1,
        ))
    };
    vec![
        // (what, payload, accepted)
        (
            "the whole payload",
            nested(10_000, false).into_bytes(),
            false,
        ),
        (
            "an unknown envelope field",
            format!(r#"{{"deep": {deep}, "request": {{}}}}"#).into_bytes(),
            false,
        ),
        (
            "the settings",
            format!(r#"{{"settings": {{"exemptions": {deep}}}, "request": {{}}}}"#).into_bytes(),
            false,
        ),
        // A Pod of nothing but an unknown field: nothing to check (the API server refuses a
        // pod without containers anyway).
        ("the object", with(&deep), true),
        (
            "a field the policy skips",
            in_pod(r#""affinity":"#, ""),
            true,
        ),
        // Under a key the policy does not know: skipped, whatever it holds.
        (
            "an unknown key in a field the policy reads",
            in_pod(r#""securityContext":"#, ""),
            true,
        ),
        // Where the policy expects a string: refused at the first level.
        (
            "a field the policy reads",
            in_pod(r#""securityContext":{"seLinuxOptions":{"type":"#, "}}"),
            false,
        ),
        (
            "a volume source",
            with(&compliant.replacen(
                r#""spec":{"#,
                &format!(r#""spec":{{"volumes":[{{"name":"v","emptyDir":{deep}}}],"#),
                1,
            )),
            true,
        ),
        (
            "an annotation",
            with(&compliant.replacen(
                r#""metadata":{"#,
                &format!(r#""metadata":{{"annotations":{{"a":{deep}}},"#),
                1,
            )),
            false,
        ),
    ]
}

#[test]
fn json_nested_10000_deep_is_answered_cleanly() {
    for (what, payload, accept) in deep_cases() {
        let (accepted, message) = judge(&payload);
        assert_eq!(accepted, accept, "{what}: {message}");
    }
    // The same for a workload UPDATE, whose old and new templates are compared.
    let deep: Value = serde_json::from_str(&nested(100, true)).unwrap();
    let mut p = pod(json!({"containers": [good("c")]}));
    p["spec"]["affinity"] = deep;
    let mut text =
        serde_json::to_string(&request("Deployment", &wrap("Deployment", &p), &json!({}))).unwrap();
    let old = serde_json::to_string(&wrap("Deployment", &p)).unwrap();
    let nested_old = old.replacen(
        r#""affinity":"#,
        &format!(r#""affinity":{},"x":"#, nested(10_000, true)),
        1,
    );
    text = text.replacen(
        r#""operation":"CREATE""#,
        &format!(r#""operation":"UPDATE","oldObject":{nested_old}"#),
        1,
    );
    let (accepted, message) = judge(text.as_bytes());
    assert!(accepted, "{message}");
}

/// A Pod request around an object given as JSON text (built as text: fast for huge pods),
/// CREATE, or UPDATE when `old` is given; default settings.
fn raw_request(object: &str, old: Option<&str>) -> Vec<u8> {
    let (operation, old) = match old {
        Some(o) => ("UPDATE", format!(r#","oldObject":{o}"#)),
        None => ("CREATE", String::new()),
    };
    format!(
        r#"{{"settings":{{}},"request":{{"uid":"1","kind":{{"group":"","version":"v1","kind":"Pod"}},"resource":{{"group":"","version":"v1","resource":"pods"}},"operation":"{operation}","namespace":"default","userInfo":{{"username":"alice"}},"object":{object}{old}}}}}"#
    )
    .into_bytes()
}

/// A Pod object with `spec` (JSON text) and no annotations.
fn raw_pod(spec: &str) -> String {
    format!(r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p"}},"spec":{spec}}}"#)
}

/// `count` copies of `item(i)`, joined with commas, in brackets.
fn raw_list(count: usize, item: impl Fn(usize) -> String) -> String {
    let mut out = String::from("[");
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item(i));
    }
    out.push(']');
    out
}

/// Requests of about 20 MiB, each of a different shape: (what, payload, accepted).
fn twenty_mib_cases() -> Vec<(&'static str, Vec<u8>, bool)> {
    const SIZE: usize = 20 << 20;
    let huge = "h".repeat(SIZE);
    let good = good("c").to_string();
    vec![
        (
            "a 20 MiB container name",
            raw_request(
                &raw_pod(&format!(
                    r#"{{"containers":[{{"name":"{huge}","securityContext":{{"privileged":true}}}}]}}"#
                )),
                None,
            ),
            false,
        ),
        (
            "20 MiB of privileged containers",
            raw_request(
                &raw_pod(&format!(
                    r#"{{"containers":{}}}"#,
                    raw_list(SIZE / 58, |i| format!(
                        r#"{{"name":"c{i:07}","securityContext":{{"privileged":true}}}}"#
                    ))
                )),
                None,
            ),
            false,
        ),
        (
            // The most containers 20 MiB can hold.
            "20 MiB of empty containers",
            raw_request(
                &raw_pod(&format!(
                    r#"{{"containers":{}}}"#,
                    raw_list(SIZE / 3, |_| "{}".into())
                )),
                None,
            ),
            false,
        ),
        (
            "20 MiB of forbidden sysctls",
            raw_request(
                &raw_pod(&format!(
                    r#"{{"securityContext":{{"sysctls":{}}},"containers":[{good}]}}"#,
                    raw_list(SIZE / 40, |i| format!(
                        r#"{{"name":"kernel.k{i:08}","value":"1"}}"#
                    ))
                )),
                None,
            ),
            false,
        ),
        (
            "20 MiB of volumes",
            raw_request(
                &raw_pod(&format!(
                    r#"{{"volumes":{},"containers":[{good}]}}"#,
                    raw_list(SIZE / 40, |i| format!(
                        r#"{{"name":"v{i:08}","nfs":{{"path":"/"}}}}"#
                    ))
                )),
                None,
            ),
            false,
        ),
        (
            "a 20 MiB string for a boolean",
            raw_request(
                &raw_pod(&format!(
                    r#"{{"containers":[{{"name":"c","securityContext":{{"privileged":"{huge}"}}}}]}}"#
                )),
                None,
            ),
            false,
        ),
        (
            "a 20 MiB object kind",
            raw_request(
                &format!(r#"{{"kind":"{huge}","spec":{{"containers":[{good}]}}}}"#),
                None,
            ),
            false,
        ),
        (
            // 10 MiB of ephemeral containers before and after, none changed: PSA lets it
            // through; each new one is looked up among the old ones.
            "a 20 MiB pod update",
            {
                let pod = raw_pod(&format!(
                    r#"{{"containers":[{good}],"ephemeralContainers":{}}}"#,
                    raw_list(SIZE / 2 / 40, |i| format!(
                        r#"{{"name":"e{i:08}","image":"busybox"}}"#
                    ))
                ));
                raw_request(&pod, Some(&pod))
            },
            true,
        ),
    ]
}

#[test]
fn twenty_mib_requests_are_answered_cleanly() {
    for (what, payload, accept) in twenty_mib_cases() {
        assert!(payload.len() > 10 << 20, "{what}: {} bytes", payload.len());
        let (accepted, message) = judge(&payload);
        assert_eq!(accepted, accept, "{what}: {message}");
    }
}

/// Regression: 20 MiB of `{}` containers (seven million of them) made the wasm32 module
/// ask for more than 2 GiB for its container list ("capacity overflow": a panic, so a trap
/// in the waPC host, not an answer). Needs `make policy.wasm`, as tests/wasm_conformance.rs.
#[test]
fn seven_million_empty_containers_are_answered_by_the_wasm_module() {
    let policy = common::host::WasmPolicy::load(&common::host::policy_path())
        .unwrap_or_else(|e| panic!("{e}"));
    let payload = raw_request(
        &raw_pod(&format!(
            r#"{{"containers":{}}}"#,
            raw_list((20 << 20) / 3, |_| "{}".into())
        )),
        None,
    );
    let answer = policy
        .call("validate", &payload)
        .unwrap_or_else(|e| panic!("{}", &e[..e.len().min(300)]));
    let response: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(response["accepted"], false);
    let message = response["message"].as_str().unwrap();
    let more = format!("and {} more", (20 << 20) / 3 - 10);
    assert!(message.contains(&more), "{message}");
    assert!(message.len() <= MAX_MESSAGE);
}

/// The exclusion path on the largest pods the API server stores (1.5 MiB; 256 KiB of
/// annotations): thousands of containers forgiven by image, each with its annotation. Taking
/// a forgiven container's annotations out of the view scanned the list of forgiven
/// containers once per annotation: seconds for one request. Every size is answered, and
/// accepted, with the exclusions said (counted past ten).
#[test]
fn the_largest_pods_through_image_exclusions_are_answered() {
    let distinct = bench::excluded_agents(1536 << 10, true);
    let r = validate(&distinct);
    assert!(r.accepted, "distinct images: {:?}", r.message);
    for request in bench::exclusion_requests() {
        let r = validate(&request.payload);
        assert!(r.accepted, "{}: {:?}", request.name, r.message);
        let warnings = r.warnings.unwrap_or_default();
        assert_eq!(warnings.len(), 11, "{}", request.name);
        assert!(
            warnings[10].starts_with("exclusion in use: and "),
            "{warnings:?}"
        );
        // Not forgiven, the same pod is refused: the exclusions did the work.
        let mut unforgiven: Value = serde_json::from_slice(&request.payload).unwrap();
        unforgiven["settings"] = json!({});
        let (accepted, _) = judge(&serde_json::to_vec(&unforgiven).unwrap());
        assert!(!accepted, "{}", request.name);
    }
}

/// Errors repeat what the request says too: they are cut as well.
#[test]
fn read_errors_are_bounded() {
    let mib = "q".repeat(1 << 20);
    let mut c = good("c");
    c["securityContext"]["privileged"] = json!(mib);
    let long_string = pod_request(&pod(json!({"containers": [c]})), json!({}));
    let mut p = pod(json!({"containers": [good("c")]}));
    p["metadata"]["annotations"] = json!({mib.clone(): 5});
    let long_key = pod_request(&p, json!({}));
    let mut p = pod(json!({"containers": [good("c")]}));
    p["kind"] = json!(mib);
    let long_object_kind = pod_request(&p, json!({}));
    let mut r = request("Pod", &pod(json!({"containers": [good("c")]})), &json!({}));
    r["request"]["kind"]["kind"] = json!(mib);
    let long_request_kind = serde_json::to_vec(&r).unwrap();
    let cases: [(&str, Vec<u8>, &[&str]); 4] = [
        (
            "a 1 MiB string for a boolean",
            long_string,
            &["cannot read the Pod in request.object: spec.containers[0].securityContext.privileged: invalid type: string \"qqq", " more bytes)"],
        ),
        (
            "a 1 MiB annotation key with a number",
            long_key,
            &["cannot read the Pod in request.object: metadata.annotations.qqq"],
        ),
        (
            "a 1 MiB object kind",
            long_object_kind,
            &[
                "request.object.kind \"qqq",
                "does not match the request's kind \"Pod\"",
            ],
        ),
        ("a 1 MiB request kind", long_request_kind, &["disagree"]),
    ];
    for (case, payload, says) in cases {
        let (accepted, message) = judge(&payload);
        assert!(!accepted, "{case}: accepted");
        for s in says {
            assert!(message.contains(s), "{case}: {s:?} missing from {message}");
        }
    }
}

/// The caps are never reached by PSA's own fixtures: their messages keep PSA's wording.
#[test]
fn fixture_messages_never_reach_the_caps() {
    let Some(fixtures) = load_fixtures() else {
        return;
    };
    for f in fixtures.iter().filter(|f| !f.expect_pass) {
        for (kind, ..) in KINDS {
            let payload =
                serde_json::to_vec(&request(kind, &wrap(kind, &f.pod), &fixture_settings(f)))
                    .unwrap();
            let (_, message) = judge(&payload);
            assert!(
                !message.contains(" more") && !message.contains("..."),
                "{}: {message}",
                f.path.display()
            );
        }
    }
}

// --- measurement, by hand -------------------------------------------------------------

/// Peak resident memory of this process (VmHWM) and current (VmRSS), in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Resets VmHWM to the current RSS (Linux: `echo 5 > /proc/self/clear_refs`).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Runs `f`, returning its duration and the growth of peak RSS over the RSS before it.
fn measured<R>(f: impl FnOnce() -> R) -> (R, std::time::Duration, u64) {
    reset_peak();
    let (_, before) = memory_kib();
    let start = std::time::Instant::now();
    let r = f();
    let elapsed = start.elapsed();
    let (peak, _) = memory_kib();
    (r, elapsed, peak.saturating_sub(before))
}

/// Prints the time and peak memory of every hostile case, natively and through the waPC
/// host on `policy.wasm` (a fresh instance per case). By hand, after `make policy.wasm`:
///
/// `cargo test --release --test hostile -- --ignored --nocapture measure_hostile_cases`
///
/// `HOSTILE_CASE=<substring>` keeps only the matching cases.
#[test]
#[ignore]
fn measure_hostile_cases() {
    let only = std::env::var("HOSTILE_CASE").ok();
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("10,000 containers".into(), ten_thousand_containers()),
        (
            // The API server refuses request bodies over 3 MiB: the most a real request holds.
            "3 MiB of empty containers".into(),
            raw_request(
                &raw_pod(&format!(
                    r#"{{"containers":{}}}"#,
                    raw_list((3 << 20) / 3, |_| "{}".into())
                )),
                None,
            ),
        ),
        (
            "worst message (12 x 300-byte values)".into(),
            pod_request(&worst_pod(12, &"z".repeat(300)), json!({})),
        ),
    ];
    let mib = "u".repeat(1 << 20);
    let mut p = pod(json!({"containers": [good("c")]}));
    p["metadata"]["annotations"] = json!({"container.apparmor.security.beta.kubernetes.io/c": mib});
    cases.push(("1 MiB annotation".into(), pod_request(&p, json!({}))));
    for (what, payload, _) in deep_cases() {
        cases.push((format!("10,000 deep: {what}"), payload));
    }
    for (what, payload, _) in twenty_mib_cases() {
        cases.push((what.to_owned(), payload));
    }
    for request in bench::exclusion_requests() {
        cases.push((
            format!("image exclusions, {}", request.name),
            request.payload,
        ));
    }
    cases.push((
        "image exclusions, 1.5 MiB, an image each".into(),
        bench::excluded_agents(1536 << 10, true),
    ));
    cases.retain(|(what, _)| only.as_deref().is_none_or(|o| what.contains(o)));

    let policy_path = common::host::policy_path();
    println!(
        "{:<45} {:>9} {:>10} {:>9} | {:>10} {:>9} | {:>8} {:>6}",
        "case", "size", "native ms", "+peak MiB", "wasm ms", "+peak MiB", "accepted", "msg B"
    );
    for (what, payload) in &cases {
        let (r, native, native_mem) = measured(|| validate(payload));
        let (wasm, wasm_mem) = match common::host::WasmPolicy::load(&policy_path) {
            Ok(policy) => {
                let (answer, t, mem) = measured(|| policy.call("validate", payload));
                match answer {
                    Ok(_) => (
                        format!("{:.1}", t.as_secs_f64() * 1e3),
                        format!("{:.1}", mem as f64 / 1024.0),
                    ),
                    Err(e) => (format!("ERR {e}"), String::new()),
                }
            }
            Err(e) => (format!("no wasm: {e}"), String::new()),
        };
        println!(
            "{:<45} {:>8.1}M {:>10.1} {:>9.1} | {:>10} {:>9} | {:>8} {:>6}",
            what,
            payload.len() as f64 / (1 << 20) as f64,
            native.as_secs_f64() * 1e3,
            native_mem as f64 / 1024.0,
            wasm,
            wasm_mem,
            r.accepted,
            r.message.map(|m| m.len()).unwrap_or(0)
        );
    }
}
