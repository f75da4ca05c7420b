//! Structure-aware: an `arbitrary` description of settings and of a request about a pod or
//! a workload (every container kind, every security-relevant field, volumes of every kind,
//! annotations, CREATE / UPDATE / other operations), rendered to JSON and judged. Besides
//! "never panics, always well-formed", it checks what can be stated cheaply:
//! - a plain request (CREATE, or UPDATE without oldObject; consistent kinds; no
//!   subresource; valid settings; nothing exempt) whose pod is privileged, shares a host
//!   namespace, mounts a hostPath or uses a host port is never accepted;
//! - a plain CREATE gets the same verdict as a Pod and as the template of a workload;
//! - what restricted accepts, baseline accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pod_security_standards::verdict::{validate, validate_settings};
use pod_security_standards_fuzz::{check_rejection_message, Input, LevelIn, OperationIn};

fn judge(request: &serde_json::Value) -> (bool, Option<String>) {
    let payload = serde_json::to_vec(request).expect("renders");
    let r = validate(&payload);
    if !r.accepted {
        check_rejection_message(r.message.as_deref());
    }
    (r.accepted, r.message)
}

fuzz_target!(|input: Input| {
    let kind = input.kind();
    let (accepted, message) = judge(&input.render_as(kind, &input.settings));

    let settings_json = serde_json::to_vec(&input.settings.render()).unwrap();
    let settings_valid = validate_settings(&settings_json).valid;
    let runtime_class = input.pod.runtime_class();
    let exempt = input.settings.exempts(
        &input.namespace.text(),
        &input.username.text(),
        runtime_class.as_deref(),
    );
    if !input.plain() || !settings_valid || exempt {
        return;
    }

    if input.pod.breaks_baseline() {
        assert!(
            !accepted,
            "a pod that breaks baseline was accepted as {kind}"
        );
    }

    // (A CREATE: an UPDATE of a Pod is never corrected by `mutate`, a workload's may be.)
    let other = if kind == "Pod" { "Deployment" } else { "Pod" };
    if matches!(input.operation, OperationIn::Create) {
        let (accepted_other, message_other) = judge(&input.render_as(other, &input.settings));
        assert_eq!(
            accepted, accepted_other,
            "{kind}: {message:?}, {other}: {message_other:?}"
        );
    }

    let (restricted, _) =
        judge(&input.render_as(kind, &input.settings.at_level(LevelIn::Restricted)));
    if restricted {
        let (baseline, m) =
            judge(&input.render_as(kind, &input.settings.at_level(LevelIn::Baseline)));
        assert!(baseline, "restricted accepts, baseline refuses: {m:?}");
    }
});
