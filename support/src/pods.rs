//! The pods tests start from, spelled once: a restricted-compliant container (read-only
//! root filesystem included) and pods made of such containers.

use serde_json::{json, Value};

/// A container that every control at every level accepts, ours included.
pub fn compliant_container(name: &str) -> Value {
    json!({"name": name, "image": "nginx", "securityContext": {
        "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"},
        "readOnlyRootFilesystem": true}})
}

/// A compliant Pod with the given containers, init containers and ephemeral containers.
pub fn compliant_pod(init: &[&str], regular: &[&str], ephemeral: &[&str]) -> Value {
    let list = |names: &[&str]| -> Value { names.iter().map(|n| compliant_container(n)).collect() };
    let mut spec = json!({"containers": list(regular)});
    if !init.is_empty() {
        spec["initContainers"] = list(init);
    }
    if !ephemeral.is_empty() {
        spec["ephemeralContainers"] = list(ephemeral);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
}
