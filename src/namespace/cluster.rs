//! Where the policy reads the cluster: the labels of a namespace and the pods in it,
//! through Kubewarden's host capabilities (policy-server answers from the cluster; the
//! policy must be granted `v1/Namespace` and `v1/Pod` in its `contextAwareResources`).

use super::labels::{read_namespace, Labels};
use crate::json;
use crate::pod::read_error;

/// Where the policy reads the cluster: policy-server's host capabilities through waPC in
/// the module ([`WapcHost`]); a stand-in in native tests.
pub trait Cluster {
    /// The labels of namespace `name`, or why they cannot be had.
    fn namespace_labels(&self, name: &str) -> Result<Labels, String>;
    /// The v1 Pods of `namespace`: the host's `list_resources_by_namespace` answer (a List
    /// object as JSON text), or why it cannot be had.
    fn pods(&self, namespace: &str) -> Result<Vec<u8>, String>;
}

/// The host capabilities policy-server offers a policy, through waPC.
pub struct WapcHost;

impl Cluster for WapcHost {
    fn namespace_labels(&self, name: &str) -> Result<Labels, String> {
        // The capability the SDK's `get_resource` calls, with the SDK's request (written
        // here, see `get_namespace_request`) and its words for a failed call; the answer is
        // read once, by the policy's own reader (the SDK has serde_json scan it first).
        let payload = get_namespace_request(name);
        let answer = kubewarden_policy_sdk::wapc_guest::host_call(
            "kubewarden",
            "kubernetes",
            "get_resource",
            &payload,
        )
        .map_err(|e| {
            format!(
                "error invoking host capability kubernetes.get_resource: {}",
                host_error(&e)
            )
        })?;
        let text = std::str::from_utf8(&answer)
            .map_err(|e| format!("cannot read the Namespace: not UTF-8 ({e})"))?;
        read_namespace(text)
            .map(|(_, labels)| labels)
            .map_err(|e| format!("cannot read the Namespace: {}", read_error(text, &e)))
    }

    fn pods(&self, namespace: &str) -> Result<Vec<u8>, String> {
        // The capability the SDK's `list_resources_by_namespace` calls, with the SDK's
        // request (written here, see `list_pods_request`); the answer is read by the
        // policy's own reader into pod views rather than into k8s-openapi's Pod (every
        // field of every pod, only to be converted).
        let payload = list_pods_request(namespace);
        kubewarden_policy_sdk::wapc_guest::host_call(
            "kubewarden",
            "kubernetes",
            "list_resources_by_namespace",
            &payload,
        )
        .map_err(|e| host_error(&e))
    }
}

/// A failed host call in a message: the host's first paragraph. policy-server's error
/// carries a stack backtrace after it when `RUST_BACKTRACE` is set in its environment.
fn host_error(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    match text.split_once("\n\n") {
        Some((first, _)) => first.to_owned(),
        None => text,
    }
}

/// The SDK's `GetResourceRequest` for the v1 Namespace `name`, as serde_json writes it (a
/// unit test holds the two equal): through policy-server's 5-second cache, as for any
/// context-aware policy, and only the labels travel from the host.
fn get_namespace_request(name: &str) -> Vec<u8> {
    let mut out = br#"{"api_version":"v1","kind":"Namespace","name":"#.to_vec();
    json::write_string(&mut out, name);
    out.extend_from_slice(
        br#","namespace":null,"disable_cache":false,"field_masks":["metadata.labels"]}"#,
    );
    out
}

/// The SDK's `ListResourcesByNamespaceRequest` for the v1 Pods of `namespace`, as
/// serde_json writes it (a unit test holds the two equal); only the pods' data the
/// policy reads travels (policy-server masks an object's data, never its metadata).
fn list_pods_request(namespace: &str) -> Vec<u8> {
    let mut out = br#"{"api_version":"v1","kind":"Pod","namespace":"#.to_vec();
    json::write_string(&mut out, namespace);
    out.extend_from_slice(
        br#","label_selector":null,"field_selector":null,"field_masks":["spec"]}"#,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_error_is_said_without_its_backtrace() {
        let cases = [
            ("one line", "Host error: kube::Client was not initialized properly", "Host error: kube::Client was not initialized properly"),
            // As policy-server 1.36 answered with RUST_BACKTRACE=1 in its environment.
            ("with a backtrace", "Host error: Callback evaluation failure: kube::Client was not initialized properly\n\nStack backtrace:\n   0: anyhow::error::<impl anyhow::Error>::msg", "Host error: Callback evaluation failure: kube::Client was not initialized properly"),
            ("several lines, one paragraph", "a\nb", "a\nb"),
        ];
        for (name, error, said) in cases {
            assert_eq!(host_error(&error), said, "{name}");
        }
    }

    /// Each request written here is the one the SDK's serde_json would write.
    #[test]
    fn the_requests_are_the_sdks() {
        use kubewarden_policy_sdk::host_capabilities::kubernetes::{
            GetResourceRequest, ListResourcesByNamespaceRequest,
        };
        let name = "team \"a\"";
        let namespace = GetResourceRequest {
            api_version: "v1".to_owned(),
            kind: "Namespace".to_owned(),
            name: name.to_owned(),
            namespace: None,
            disable_cache: false,
            field_masks: Some(["metadata.labels".to_owned()].into()),
        };
        let pods = ListResourcesByNamespaceRequest {
            api_version: "v1".to_owned(),
            kind: "Pod".to_owned(),
            namespace: name.to_owned(),
            label_selector: None,
            field_selector: None,
            field_masks: Some(["spec".to_owned()].into()),
        };
        let cases = [
            (
                "get_resource",
                get_namespace_request(name),
                serde_json::to_vec(&namespace),
            ),
            (
                "list_resources_by_namespace",
                list_pods_request(name),
                serde_json::to_vec(&pods),
            ),
        ];
        for (capability, ours, sdk) in cases {
            assert_eq!(
                String::from_utf8(ours),
                String::from_utf8(sdk.unwrap()),
                "{capability}"
            );
        }
    }
}
