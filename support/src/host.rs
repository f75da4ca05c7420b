//! A waPC host for the built `policy.wasm`, on the same crates as Kubewarden's policy
//! evaluator (`wapc` + `wasmtime-provider`, WASI enabled), used by the wasm conformance
//! tests, the e2e runner, the benches and nothing else.

use std::path::{Path, PathBuf};

/// Where the built module is: `$POLICY_WASM`, else `policy.wasm` at the crate root.
pub fn policy_path() -> PathBuf {
    match std::env::var_os("POLICY_WASM") {
        Some(p) => PathBuf::from(p),
        // This crate sits in the policy's checkout, whose root holds policy.wasm.
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../policy.wasm"),
    }
}

pub struct WasmPolicy {
    host: wapc::WapcHost,
}

impl WasmPolicy {
    pub fn load(path: &Path) -> Result<WasmPolicy, String> {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "cannot read {}: {e}; build it first with `make policy.wasm`",
                path.display()
            )
        })?;
        let engine = wasmtime_provider::WasmtimeEngineProviderBuilder::new()
            .module_bytes(&bytes)
            .wasi_params(wapc::WasiParams::default())
            .build()
            .map_err(|e| format!("cannot load {}: {e}", path.display()))?;
        // The policy needs no host capabilities; any host call is answered with an error.
        let host = wapc::WapcHost::new(
            Box::new(engine),
            Some(Box::new(|_, binding, namespace, operation, _| {
                Err(format!("no host capability {binding}/{namespace}/{operation}").into())
            })),
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
