//! Reading requests of every kind, and the decisions made on them: [`reading`] (the
//! envelope, the kinds that carry a pod and the errors of a request that cannot be read)
//! and [`admission`] (which requests are judged, exempt or let through, and updates).
//! This file holds what both use: requests, and the outcome of deciding on one.

use super::*;
use crate::refusal::BadRequest;
use crate::settings::Settings;
use serde_json::{json, Value};

mod admission;
mod reading;

pub(super) fn settings() -> Settings {
    Settings::from_json(
        r#"{"exemptions":{"namespaces":["kube-system"],"usernames":["system:admin"],"runtimeClasses":["kata"]}}"#,
    )
    .unwrap()
}

pub(super) fn parse(text: &str, reading: Reading) -> json::Result<AdmissionRequest<'_>> {
    Reader::read_all(text, |r| AdmissionRequest::read(r, reading))
}

/// Runs `subject` on a request and hands the result to `f` (the pod borrows the text).
pub(super) fn with_subject<R>(
    request: Value,
    f: impl FnOnce(Result<Subject, BadRequest>) -> R,
) -> R {
    let text = request.to_string();
    let req = parse(&text, Reading::Raw).unwrap();
    f(req.subject(&settings()))
}

pub(super) fn describe(s: Result<Subject, BadRequest>) -> String {
    match s {
        Ok(Subject::Pass(p)) => format!("pass {p:?}"),
        Ok(Subject::Exempt(e)) => format!("exempt {e:?}"),
        Ok(Subject::Evaluate(e)) => format!("evaluate {}", e.pod.spec.all_containers().count()),
        Err(e) => format!("error {e}"),
    }
}

/// The outcome with the object kept raw; reading in one pass, wherever it reads the
/// request at all, must come to the same.
pub(super) fn outcome(request: Value) -> String {
    let raw = with_subject(request.clone(), describe);
    let text = request.to_string();
    if let Ok(req) = parse(&text, Reading::OnePass) {
        if req.read_consistently() {
            assert_eq!(
                describe(req.subject(&settings())),
                raw,
                "one pass vs raw: {text}"
            );
        }
    }
    raw
}

pub(super) fn pod(image: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "app", "image": image}]}})
}

pub(super) fn pod_request(op: &str, object: Value) -> Value {
    json!({"kind": {"group": "", "version": "v1", "kind": "Pod"},
           "resource": {"group": "", "version": "v1", "resource": "pods"},
           "operation": op, "namespace": "default",
           "userInfo": {"username": "alice"}, "object": object})
}

pub(super) fn workload_request(kind: &str, group: &str, resource: &str, object: Value) -> Value {
    json!({"kind": {"group": group, "version": "v1", "kind": kind},
           "resource": {"group": group, "version": "v1", "resource": resource},
           "operation": "CREATE", "namespace": "default", "object": object})
}

/// What a named case's outcome must be: exactly a text, or begin with one, or hold one.
pub(super) enum Expect {
    Is(&'static str),
    StartsWith(&'static str),
    Contains(&'static str),
}

impl Expect {
    /// Fails naming `case` unless `outcome` is as expected.
    pub(super) fn check(&self, case: &str, outcome: &str) {
        match self {
            Expect::Is(want) => assert_eq!(outcome, *want, "{case}"),
            Expect::StartsWith(want) => assert!(outcome.starts_with(want), "{case}: {outcome}"),
            Expect::Contains(want) => assert!(outcome.contains(want), "{case}: {outcome}"),
        }
    }
}
