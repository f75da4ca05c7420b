//! `policy.wasm` on fresh instances: a validate call stays within the stack page the
//! instance's start already touched, whatever the request's kind, settings and path
//! through the policy. Each further stack page would be a page fault on every fresh
//! instance policy-server makes (see `support/src/memory.rs`).
//!
//! Mutation (`mutate: true`, off by default) is the one exception, and is only reported:
//! it rewrites the object as a `serde_json::Value`, whose reading recurses about 300 bytes
//! of stack per level of JSON nesting, so a rejected workload that is then corrected goes
//! one page further.

use pss_test_support as common;
use pss_test_support::bench_requests as bench;

use common::host::policy_path;
use common::memory::{Fresh, PAGE, STACK_TOP};
use common::{request, wrap, KINDS};
use serde_json::{json, Value};

/// The requests, named: the benchmark's, then the violating pod as every kind under
/// settings that take other paths (mutation, exclusions), and as an UPDATE.
fn requests() -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = bench::requests()
        .into_iter()
        .map(|r| (r.name.to_owned(), r.payload))
        .collect();
    let violating: Value = all
        .iter()
        .find(|(name, _)| name == "pod-violating")
        .map(|(_, payload)| serde_json::from_slice(payload).expect("the bench's request is JSON"))
        .expect("the bench has a violating pod");
    let pod = &violating["request"]["object"];
    let settings = [
        ("default", json!({})),
        ("mutate", json!({"mutate": true})),
        (
            "exclusions",
            json!({"exclusions": [{"control": "privileged", "images": ["registry.example.com/tools/*:*"]}]}),
        ),
        (
            "baseline v1.24",
            json!({"level": "baseline", "version": "v1.24"}),
        ),
        (
            "three modes",
            json!({"level": "baseline", "warn": {"level": "restricted"}, "audit": {"level": "restricted", "version": "v1.25"}}),
        ),
        (
            "warn only",
            json!({"level": "privileged", "warn": {"level": "restricted"}}),
        ),
    ];
    for (kind, ..) in KINDS {
        for (name, settings) in &settings {
            let req = request(kind, &wrap(kind, pod), settings);
            all.push((
                format!("violating {kind}, {name}"),
                req.to_string().into_bytes(),
            ));
        }
        // An UPDATE, whose old object is read too.
        let mut update = request(kind, &wrap(kind, pod), &json!({}));
        let mut old = pod.clone();
        old["spec"]["containers"][0]["image"] = json!("registry.example/old:1");
        update["request"]["operation"] = json!("UPDATE");
        update["request"]["oldObject"] = wrap(kind, &old);
        all.push((
            format!("violating {kind}, update"),
            update.to_string().into_bytes(),
        ));
    }
    // A debug container added through pods/ephemeralcontainers: the stored pod is read too,
    // and judged with the new container.
    let mut debug = request("Pod", pod, &json!({}));
    let mut with_debug = pod.clone();
    with_debug["spec"]["ephemeralContainers"] =
        json!([{"name": "debug", "image": "busybox", "securityContext": {"privileged": true}}]);
    debug["request"]["object"] = with_debug;
    debug["request"]["operation"] = json!("UPDATE");
    debug["request"]["subResource"] = json!("ephemeralcontainers");
    debug["request"]["oldObject"] = pod.clone();
    all.push((
        "violating Pod, ephemeralcontainers".to_owned(),
        debug.to_string().into_bytes(),
    ));
    all
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn validate_stays_in_the_stack_page_the_start_touched() {
    let policy = Fresh::load(&policy_path())
        .unwrap_or_else(|e| panic!("{e}; build it first with `make policy.wasm`"));
    let mut deepest = (0, String::new());
    let mut failures = Vec::new();
    for (name, payload) in requests() {
        let touched = policy
            .call("validate", &payload)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let answer = touched
            .answer
            .as_ref()
            .unwrap_or_else(|e| panic!("{name}: validate failed: {e}"));
        let response: Value = serde_json::from_slice(answer).expect("a JSON answer");
        assert!(response["accepted"].is_boolean(), "{name}: {response}");
        if name.ends_with(", mutate") {
            println!(
                "{name}: {} bytes of stack, {} new pages (mutation: reported, not held to one page)",
                touched.call_stack, touched.new_stack_pages
            );
            continue;
        }
        if touched.call_stack > deepest.0 {
            deepest = (touched.call_stack, name.clone());
        }
        if touched.new_stack_pages > 0 {
            failures.push(format!(
                "{name}: {} bytes of stack ({} new pages; the start used {})",
                touched.call_stack, touched.new_stack_pages, touched.start_stack
            ));
        }
    }
    println!(
        "deepest stack: {} bytes ({}), of the {PAGE} bytes below {STACK_TOP:#x}",
        deepest.0, deepest.1
    );
    assert!(
        failures.is_empty(),
        "validate went past the stack page a fresh instance's start touched (each page \
         is a page fault per fresh instance; keep large values out of stack frames: \
         read them in place, into their box):\n{}",
        failures.join("\n")
    );
}
