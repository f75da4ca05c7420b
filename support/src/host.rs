//! A waPC host for the built `policy.wasm`, on the same crates as Kubewarden's policy
//! evaluator (`wapc` + `wasmtime-provider`, WASI enabled), used by the wasm conformance
//! tests, the e2e runner, the benches and nothing else.
//!
//! Host capabilities are answered from fixtures ([`HostCapabilities`]) the way
//! policy-server answers them from a cluster; without fixtures every call is an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

/// Where the built module is: `$POLICY_WASM`, else `policy.wasm` at the crate root.
pub fn policy_path() -> PathBuf {
    match std::env::var_os("POLICY_WASM") {
        Some(p) => PathBuf::from(p),
        // This crate sits in the policy's checkout, whose root holds policy.wasm.
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../policy.wasm"),
    }
}

/// The module at `path`, compiled once per process (compiling takes seconds in a debug
/// build of wasmtime; each policy is then a new instance of it, as policy-server makes).
fn compiled(path: &Path) -> Result<Arc<wasmtime_provider::WasmtimeEngineProviderPre>, String> {
    use std::sync::Mutex;
    type Cache = Mutex<Vec<(PathBuf, Arc<wasmtime_provider::WasmtimeEngineProviderPre>)>>;
    static CACHE: Cache = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().map_err(|e| e.to_string())?;
    if let Some((_, pre)) = cache.iter().find(|(p, _)| p == path) {
        return Ok(pre.clone());
    }
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read {}: {e}; build it first with `make policy.wasm`",
            path.display()
        )
    })?;
    let pre = wasmtime_provider::WasmtimeEngineProviderBuilder::new()
        .module_bytes(&bytes)
        .wasi_params(wapc::WasiParams::default())
        .build_pre()
        .map_err(|e| format!("cannot load {}: {e}", path.display()))?;
    let pre = Arc::new(pre);
    cache.push((path.to_owned(), pre.clone()));
    Ok(pre)
}

pub struct WasmPolicy {
    host: wapc::WapcHost,
}

impl WasmPolicy {
    /// The module with no host capabilities: any host call is answered with an error.
    pub fn load(path: &Path) -> Result<WasmPolicy, String> {
        Self::load_with(path, None)
    }

    /// The module with host capabilities answered from `capabilities`, if any.
    pub fn load_with(
        path: &Path,
        capabilities: Option<HostCapabilities>,
    ) -> Result<WasmPolicy, String> {
        let engine = compiled(path)?
            .rehydrate(None)
            .map_err(|e| format!("cannot instantiate {}: {e}", path.display()))?;
        let capabilities = capabilities.map(Arc::new);
        let host = wapc::WapcHost::new(
            Box::new(engine),
            Some(Box::new(
                move |_, binding, namespace, operation, payload| {
                    match &capabilities {
                        Some(c) => c.answer(binding, namespace, operation, payload),
                        None => Err(format!(
                            "no host capability {binding}/{namespace}/{operation}"
                        )),
                    }
                    .map_err(|e| e.into())
                },
            )),
        )
        .map_err(|e| format!("cannot start the waPC host: {e}"))?;
        Ok(WasmPolicy { host })
    }

    pub fn call(&self, function: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        self.host
            .call(function, payload)
            .map_err(|e| format!("waPC call {function} failed: {e}"))
    }

    /// `validate` on a Kubewarden ValidationRequest; returns the ValidationResponse.
    pub fn validate(&self, request: &serde_json::Value) -> Result<serde_json::Value, String> {
        let out = self.call(
            "validate",
            &serde_json::to_vec(request).map_err(|e| e.to_string())?,
        )?;
        serde_json::from_slice(&out).map_err(|e| format!("validate answered non-JSON: {e}"))
    }
}

/// What a policy's host-capability calls are answered with: Kubernetes objects by kind,
/// name and namespace, each an object or the error the host gives, and the resources the
/// policy is granted (policy-server's `contextAwareResources` allow list; a call for any
/// other is refused with policy-server's words).
#[derive(Debug, Default, Clone)]
pub struct HostCapabilities {
    granted: Vec<(String, String)>,
    /// (apiVersion, kind, namespace or "", name) -> the object, or the host's error.
    objects: BTreeMap<(String, String, String, String), Result<Value, String>>,
    /// (apiVersion, kind, namespace) -> an error for the whole list instead of its items.
    list_errors: BTreeMap<(String, String, String), String>,
}

impl HostCapabilities {
    /// Granting the `contextAwareResources` of the crate's `metadata.yml`, as
    /// policy-server grants a policy what its manifest declares.
    pub fn from_metadata() -> HostCapabilities {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../metadata.yml");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let metadata: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_default();
        let mut host = HostCapabilities::default();
        for r in metadata["contextAwareResources"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            if let (Some(a), Some(k)) = (r["apiVersion"].as_str(), r["kind"].as_str()) {
                host = host.grant(a, k);
            }
        }
        host
    }

    pub fn grant(mut self, api_version: &str, kind: &str) -> Self {
        self.granted.push((api_version.to_owned(), kind.to_owned()));
        self
    }

    /// An object the cluster holds (its `metadata.name` and `.namespace` say where).
    pub fn object(mut self, api_version: &str, kind: &str, object: Value) -> Self {
        let meta = &object["metadata"];
        let key = (
            api_version.to_owned(),
            kind.to_owned(),
            meta["namespace"].as_str().unwrap_or("").to_owned(),
            meta["name"].as_str().unwrap_or("").to_owned(),
        );
        self.objects.insert(key, Ok(object));
        self
    }

    /// A v1 Namespace with these labels.
    pub fn namespace(self, name: &str, labels: Value) -> Self {
        let ns = serde_json::json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
        self.object("v1", "Namespace", ns)
    }

    /// The host's error for a get of that object.
    pub fn get_error(mut self, api_version: &str, kind: &str, name: &str, error: &str) -> Self {
        let key = (api_version.into(), kind.into(), String::new(), name.into());
        self.objects.insert(key, Err(error.to_owned()));
        self
    }

    /// The host's error for a list of that kind in that namespace.
    pub fn list_error(
        mut self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        error: &str,
    ) -> Self {
        let key = (api_version.into(), kind.into(), namespace.into());
        self.list_errors.insert(key, error.to_owned());
        self
    }

    /// Reads a session in `kwctl run --record-host-capabilities-interactions`' format (a
    /// YAML list of exchanges; a `!KubernetesGetResource` request answered by its object or
    /// an error): the objects it answers with, the errors it gives.
    pub fn with_session(mut self, yaml: &str) -> Result<Self, String> {
        let exchanges: Vec<serde_yaml::Value> =
            serde_yaml::from_str(yaml).map_err(|e| format!("session: {e}"))?;
        for exchange in exchanges {
            let request: serde_yaml::Value =
                serde_yaml::from_str(exchange["request"].as_str().unwrap_or(""))
                    .map_err(|e| format!("session request: {e}"))?;
            let serde_yaml::Value::Tagged(tagged) = request else {
                return Err("session request without a type tag".to_owned());
            };
            let field = |name: &str| tagged.value[name].as_str().unwrap_or("").to_owned();
            let response = &exchange["response"];
            let answer = match response["type"].as_str() {
                Some("Success") => {
                    serde_json::from_str::<Value>(response["payload"].as_str().unwrap_or(""))
                        .map_err(|e| format!("session payload: {e}"))
                }
                _ => Err(response["message"].as_str().unwrap_or("").to_owned()),
            };
            match (tagged.tag.to_string().as_str(), answer) {
                ("!KubernetesGetResource", answer) => {
                    let key = (
                        field("api_version"),
                        field("kind"),
                        field("namespace"),
                        field("name"),
                    );
                    self.objects.insert(key, answer);
                }
                ("!KubernetesListResourceNamespace", Ok(list)) => {
                    let (a, k) = (field("api_version"), field("kind"));
                    for item in list["items"].as_array().into_iter().flatten() {
                        self = self.object(&a, &k, item.clone());
                    }
                }
                ("!KubernetesListResourceNamespace", Err(e)) => {
                    let key = (field("api_version"), field("kind"), field("namespace"));
                    self.list_errors.insert(key, e);
                }
                (tag, _) => return Err(format!("session request {tag} is not answered here")),
            }
        }
        Ok(self)
    }

    /// policy-server's answer to one waPC host call.
    fn answer(
        &self,
        binding: &str,
        namespace: &str,
        operation: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, String> {
        if binding != "kubewarden" || namespace != "kubernetes" {
            return Err(format!("unknown namespace: {namespace}"));
        }
        let request: Value = serde_json::from_slice(payload).map_err(|e| e.to_string())?;
        let text = |name: &str| request[name].as_str().unwrap_or("").to_owned();
        let (api_version, kind) = (text("api_version"), text("kind"));
        if !self.granted.contains(&(api_version.clone(), kind.clone())) {
            return Err(format!(
                "Policy has not been granted access to Kubernetes {api_version}/{kind} resources. The violation has been reported."
            ));
        }
        let masks: Vec<String> = request["field_masks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str().map(str::to_owned))
            .collect();
        let answer = match operation {
            "get_resource" => {
                let key = (
                    api_version.clone(),
                    kind.clone(),
                    text("namespace"),
                    text("name"),
                );
                match self.objects.get(&key) {
                    Some(Ok(object)) => prune(object.clone(), &masks),
                    Some(Err(e)) => return Err(e.clone()),
                    None => {
                        return Err(format!(
                        "Cannot find {api_version}/{kind} named '{}' inside of namespace '{:?}'",
                        text("name"),
                        request["namespace"].as_str()
                    ))
                    }
                }
            }
            "list_resources_by_namespace" => {
                let ns = text("namespace");
                if let Some(e) =
                    self.list_errors
                        .get(&(api_version.clone(), kind.clone(), ns.clone()))
                {
                    return Err(e.clone());
                }
                let items: Vec<Value> = self
                    .objects
                    .iter()
                    .filter(|((a, k, n, _), _)| *a == api_version && *k == kind && *n == ns)
                    .filter_map(|(_, o)| o.as_ref().ok())
                    .map(|o| prune(o.clone(), &masks))
                    .collect();
                serde_json::json!({"apiVersion": api_version, "kind": format!("{kind}List"),
                                   "metadata": {}, "items": items})
            }
            other => return Err(format!("unknown operation: {other}")),
        };
        serde_json::to_vec(&answer).map_err(|e| e.to_string())
    }
}

/// policy-server's field masks: an object's data (all but `apiVersion`, `kind` and
/// `metadata`) keeps only the masked paths; arrays are traversed.
fn prune(mut object: Value, masks: &[String]) -> Value {
    #[derive(Default)]
    struct Node(BTreeMap<String, Node>);
    fn keep(value: &mut Value, node: &Node) {
        if node.0.is_empty() {
            return;
        }
        match value {
            Value::Object(map) => map.retain(|k, v| match node.0.get(k) {
                Some(child) => {
                    keep(v, child);
                    true
                }
                None => false,
            }),
            Value::Array(items) => items.iter_mut().for_each(|v| keep(v, node)),
            _ => {}
        }
    }
    if masks.is_empty() {
        return object;
    }
    let mut root = Node::default();
    for mask in masks {
        let mut node = &mut root;
        for part in mask.split('.') {
            node = node.0.entry(part.to_owned()).or_default();
        }
    }
    if let Value::Object(map) = &mut object {
        let kept: Vec<(String, Value)> = ["apiVersion", "kind", "metadata"]
            .iter()
            .filter_map(|k| Some((k.to_string(), map.remove(*k)?)))
            .collect();
        let mut data = Value::Object(std::mem::take(map));
        keep(&mut data, &root);
        if let Value::Object(data) = data {
            *map = data;
        }
        map.extend(kept);
    }
    object
}
