//! Requests around a pod for every kind that carries one: the tests, benches and the fuzz
//! crate (`fuzz/src/lib.rs`) build theirs here.

use serde_json::{json, Value};

/// (kind, API group, resource) of every kind that carries a pod.
pub const KINDS: [(&str, &str, &str); 9] = [
    ("Pod", "", "pods"),
    ("PodTemplate", "", "podtemplates"),
    ("ReplicationController", "", "replicationcontrollers"),
    ("ReplicaSet", "apps", "replicasets"),
    ("Deployment", "apps", "deployments"),
    ("StatefulSet", "apps", "statefulsets"),
    ("DaemonSet", "apps", "daemonsets"),
    ("Job", "batch", "jobs"),
    ("CronJob", "batch", "cronjobs"),
];

/// The pod as an object of `kind`: itself, or the pod template of a workload.
pub fn wrap(kind: &str, pod: &Value) -> Value {
    if kind == "Pod" {
        return pod.clone();
    }
    let template = json!({
        "metadata": pod.get("metadata").cloned().unwrap_or(json!({})),
        "spec": pod.get("spec").cloned().unwrap_or(json!({})),
    });
    let (api_version, spec) = match kind {
        "PodTemplate" => {
            return json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "t"}, "template": template})
        }
        "ReplicationController" => ("v1", json!({"replicas": 1, "template": template})),
        "Job" => ("batch/v1", json!({"template": template})),
        "CronJob" => (
            "batch/v1",
            json!({"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}}),
        ),
        _ => (
            "apps/v1",
            json!({"selector": {"matchLabels": {"app": "x"}}, "template": template}),
        ),
    };
    json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "w"}, "spec": spec})
}

/// A Kubewarden ValidationRequest for CREATE of `object` of `kind`.
pub fn request(kind: &str, object: &Value, settings: &Value) -> Value {
    // An unknown kind is asked as a Pod's resource: kind and resource then disagree.
    let (_, group, resource) = KINDS
        .iter()
        .find(|(k, ..)| *k == kind)
        .copied()
        .unwrap_or(KINDS[0]);
    let version = "v1";
    json!({
        "settings": settings,
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "operation": "CREATE",
            "namespace": "default",
            "name": "test",
            "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
            "object": object,
        }
    })
}
