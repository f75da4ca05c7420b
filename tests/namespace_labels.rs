//! `levelsFromNamespaceLabels: true` through the compiled `policy.wasm`, its host
//! capabilities answered by the test host as policy-server answers them (the resources
//! granted by metadata.yml's `contextAwareResources`, field masks applied).

use pss_test_support as common;

use common::host::{policy_path, HostCapabilities, WasmPolicy};
use common::{request, wrap};
use serde_json::{json, Value};

fn privileged_pod() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "team-a"},
           "spec": {"containers": [{"name": "app", "image": "nginx",
                                    "securityContext": {"privileged": true}}]}})
}

fn settings() -> Value {
    json!({"levelsFromNamespaceLabels": true, "level": "privileged",
           "requireReadOnlyRootFilesystem": false})
}

fn in_namespace(kind: &str, namespace: &str) -> Value {
    let mut r = request(kind, &wrap(kind, &privileged_pod()), &settings());
    r["request"]["namespace"] = json!(namespace);
    r
}

fn policy(host: HostCapabilities) -> WasmPolicy {
    WasmPolicy::load_with(&policy_path(), Some(host)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn levels_come_from_the_namespace_labels() {
    let host = HostCapabilities::from_metadata()
        .namespace(
            "team-a",
            json!({"pod-security.kubernetes.io/enforce": "baseline",
                   "pod-security.kubernetes.io/audit": "restricted",
                   "kubernetes.io/metadata.name": "team-a"}),
        )
        .namespace(
            "team-b",
            json!({"pod-security.kubernetes.io/warn": "baseline",
                                    "pod-security.kubernetes.io/warn-version": "v1.30"}),
        )
        .namespace(
            "team-c",
            json!({"pod-security.kubernetes.io/enforce": "bogus"}),
        );
    let policy = policy(host);
    for kind in ["Pod", "Deployment", "CronJob"] {
        let r = policy.validate(&in_namespace(kind, "team-a")).unwrap();
        assert_eq!(r["accepted"], false, "{kind}: {r}");
        assert!(r["message"].as_str().unwrap().starts_with(
            r#"violates PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)"#
        ));
        assert_eq!(r["audit_annotations"]["enforce-policy"], "baseline:latest");
        assert!(r["audit_annotations"]["audit-violations"]
            .as_str()
            .unwrap()
            .starts_with(r#"would violate PodSecurity "restricted:latest": privileged"#));
        assert!(r["warnings"].is_null());

        let r = policy.validate(&in_namespace(kind, "team-b")).unwrap();
        assert_eq!(r["accepted"], true, "{kind}: {r}");
        assert_eq!(
            r["warnings"],
            json!([
                r#"would violate PodSecurity "baseline:v1.30": privileged (container "app" must not set securityContext.privileged=true)"#
            ])
        );
        assert_eq!(
            r["audit_annotations"]["enforce-policy"],
            "privileged:latest"
        );

        // A bad enforce label fails closed, and says so.
        let r = policy.validate(&in_namespace(kind, "team-c")).unwrap();
        assert_eq!(r["accepted"], false, "{kind}: {r}");
        assert!(r["message"]
            .as_str()
            .unwrap()
            .starts_with(r#"violates PodSecurity "restricted:latest""#));
        assert_eq!(
            r["audit_annotations"]["error"],
            r#"Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted"#
        );
    }
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn a_lookup_that_fails_refuses_and_says_why() {
    let policy_with = |host| policy(host);
    // The namespace is not there.
    let r = policy_with(HostCapabilities::from_metadata())
        .validate(&in_namespace("Pod", "ghost"))
        .unwrap();
    assert_eq!(r["accepted"], false);
    assert_eq!(
        r["message"],
        r#"cannot read the PodSecurity levels of this request's namespace: failed to lookup namespace "ghost": error invoking host capability kubernetes.get_resource: Host error: Cannot find v1/Namespace named 'ghost' inside of namespace 'None'"#
    );
    // The policy is not granted Namespaces: policy-server's refusal, passed on.
    let r = policy_with(HostCapabilities::default().namespace("team-a", json!({})))
        .validate(&in_namespace("Deployment", "team-a"))
        .unwrap();
    assert_eq!(r["accepted"], false);
    assert!(r["message"]
        .as_str()
        .unwrap()
        .ends_with("Policy has not been granted access to Kubernetes v1/Namespace resources. The violation has been reported."), "{r}");
    // No host capabilities at all.
    let r = WasmPolicy::load(&policy_path())
        .unwrap()
        .validate(&in_namespace("Pod", "team-a"))
        .unwrap();
    assert_eq!(r["accepted"], false);
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn kwctl_sessions_are_answered_too() {
    let session = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("test_data/session_namespace_restricted.yml"),
    )
    .unwrap();
    let host = HostCapabilities::from_metadata()
        .with_session(&session)
        .unwrap();
    let r = policy(host)
        .validate(&in_namespace("Pod", "team-a"))
        .unwrap();
    assert_eq!(r["accepted"], false, "{r}");
    assert!(r["message"]
        .as_str()
        .unwrap()
        .starts_with(r#"violates PodSecurity "restricted:v1.30""#));
}

fn namespace(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
}

fn namespace_request(operation: &str, new: Value, old: Value) -> Value {
    json!({"settings": settings(), "request": {
        "uid": "1", "kind": {"group": "", "version": "v1", "kind": "Namespace"},
        "resource": {"group": "", "version": "v1", "resource": "namespaces"},
        "operation": operation, "name": new["metadata"]["name"], "namespace": new["metadata"]["name"],
        "userInfo": {"username": "admin"}, "object": new, "oldObject": old}})
}

#[test]
#[cfg_attr(
    not(feature = "wasm-tests"),
    ignore = "needs the built policy.wasm: `make test` runs it"
)]
fn namespace_requests_as_psa_judges_them() {
    let pod = |name: &str, owner: Option<&str>, sc: Value| {
        let mut p = privileged_pod();
        p["metadata"]["name"] = json!(name);
        p["spec"]["containers"][0]["securityContext"] = sc;
        p["status"] = json!({"phase": "Running", "podIP": "10.0.0.1"});
        if let Some(uid) = owner {
            p["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": uid, "controller": true}]);
        }
        p
    };
    let host = HostCapabilities::from_metadata()
        .object(
            "v1",
            "Pod",
            pod("web-b", Some("u1"), json!({"privileged": true})),
        )
        .object(
            "v1",
            "Pod",
            pod("web-a", Some("u1"), json!({"privileged": true})),
        )
        .object(
            "v1",
            "Pod",
            pod(
                "tools",
                None,
                json!({"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}}),
            ),
        )
        .object("v1", "Pod", pod("fine", None, json!({})))
        .list_error("v1", "Pod", "broken", "the API server is away");
    let policy = policy(host);

    let old = namespace(
        "team-a",
        json!({"pod-security.kubernetes.io/enforce": "privileged"}),
    );
    let new = namespace(
        "team-a",
        json!({"pod-security.kubernetes.io/enforce": "baseline"}),
    );
    let r = policy
        .validate(&namespace_request("UPDATE", new.clone(), old.clone()))
        .unwrap();
    assert_eq!(r["accepted"], true, "{r}");
    assert_eq!(
        r["warnings"],
        json!([
            r#"existing pods in namespace "team-a" violate the new PodSecurity enforce level "baseline:latest""#,
            "tools: non-default capabilities, privileged",
            "web-a (and 1 other pod): privileged",
        ])
    );
    // Relaxing lists nothing.
    let r = policy
        .validate(&namespace_request("UPDATE", old, new))
        .unwrap();
    assert!(r["accepted"] == true && r["warnings"].is_null(), "{r}");
    // A list that fails is said.
    let r = policy
        .validate(&namespace_request(
            "UPDATE",
            namespace(
                "broken",
                json!({"pod-security.kubernetes.io/enforce": "restricted"}),
            ),
            namespace("broken", json!({})),
        ))
        .unwrap();
    assert_eq!(
        r["warnings"],
        json!(["failed to list pods while checking new PodSecurity enforce level"])
    );
    // Bad labels are refused.
    let r = policy
        .validate(&namespace_request(
            "CREATE",
            namespace(
                "team-b",
                json!({"pod-security.kubernetes.io/warn": "loose"}),
            ),
            Value::Null,
        ))
        .unwrap();
    assert_eq!(r["accepted"], false);
    assert_eq!(r["code"], 422);
    assert_eq!(
        r["message"],
        r#"Namespace "team-b" is invalid: metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "loose": must be one of privileged, baseline, restricted"#
    );
}
