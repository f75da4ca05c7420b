//! What the namespace tests share: a stand-in cluster, PSA labels, and Namespace and Pod
//! requests.

use std::cell::RefCell;
use std::collections::BTreeMap;

use kubewarden_policy_sdk::response::ValidationResponse;
use serde_json::{json, Value};

use super::labels::{Labels, LABEL_PREFIX};
use super::Cluster;
use crate::verdict::validate_with;

/// A cluster of named namespaces (each with its labels, or a lookup error) and their
/// pods (a List's JSON), counting the lookups.
#[derive(Default)]
pub(crate) struct FakeCluster {
    pub namespaces: BTreeMap<String, Result<Labels, String>>,
    pub pods: BTreeMap<String, Result<String, String>>,
    pub lookups: RefCell<Vec<String>>,
}

impl Cluster for FakeCluster {
    fn namespace_labels(&self, name: &str) -> Result<Labels, String> {
        self.lookups.borrow_mut().push(format!("namespace {name}"));
        (self.namespaces.get(name).cloned())
            .unwrap_or_else(|| Err(format!("Cannot find v1/Namespace named '{name}'")))
    }
    fn pods(&self, namespace: &str) -> Result<Vec<u8>, String> {
        self.lookups.borrow_mut().push(format!("pods {namespace}"));
        (self.pods.get(namespace).cloned())
            .unwrap_or_else(|| Ok(r#"{"apiVersion":"v1","kind":"List","items":[]}"#.to_owned()))
            .map(String::into_bytes)
    }
}

pub(crate) fn cluster(namespace: &str, pairs: &[(&str, &str)]) -> FakeCluster {
    let mut c = FakeCluster::default();
    c.namespaces.insert(namespace.to_owned(), Ok(labels(pairs)));
    c
}

pub(crate) fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (format!("{LABEL_PREFIX}{k}"), (*v).to_owned()))
        .collect()
}

pub(crate) fn namespace(name: &str, pairs: &[(&str, &str)]) -> Value {
    let labels: serde_json::Map<String, Value> = labels(pairs)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
}

pub(crate) fn request(operation: &str, new: Value, old: Option<Value>, settings: Value) -> Vec<u8> {
    let name = new["metadata"]["name"].clone();
    serde_json::to_vec(&json!({
        "settings": settings,
        "request": {
            "kind": {"group": "", "version": "v1", "kind": "Namespace"},
            "resource": {"group": "", "version": "v1", "resource": "namespaces"},
            "operation": operation, "namespace": name, "name": name,
            "userInfo": {"username": "admin"},
            "object": new, "oldObject": old,
        }
    }))
    .unwrap()
}

pub(crate) fn settings() -> Value {
    json!({"levelsFromNamespaceLabels": true, "level": "privileged", "requireReadOnlyRootFilesystem": false})
}

pub(crate) fn pod(name: &str, controller: Option<&str>, security_context: Value) -> Value {
    let mut p = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "team-a"},
        "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": security_context}]},
        "status": {"phase": "Running"}});
    if let Some(uid) = controller {
        p["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": uid, "controller": true}]);
    }
    p
}

pub(crate) fn with_pods(pods: Vec<Value>) -> FakeCluster {
    let mut c = FakeCluster::default();
    let list = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": pods});
    c.pods.insert("team-a".to_owned(), Ok(list.to_string()));
    c
}

/// An UPDATE of namespace "team-a" from no labels to `enforce: baseline`, judged in `c`.
pub(crate) fn tighten_to_baseline(c: &FakeCluster) -> ValidationResponse {
    validate_with(
        &request(
            "UPDATE",
            namespace("team-a", &[("enforce", "baseline")]),
            Some(namespace("team-a", &[])),
            settings(),
        ),
        c,
    )
}
