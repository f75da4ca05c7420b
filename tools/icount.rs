//! `make bench-icount`: instructions per `validate` call, the policy against the floor, on
//! every request of `make bench`, counted by valgrind's callgrind. A time moves with the
//! machine's load by tens of percent; an instruction count does not.
//!
//! Usage: icount <policy.wasm> <floor.wasm> [calls]
//!
//! For each module and request it runs itself under callgrind twice, making 1000 calls and
//! then 1000 + `calls` (default 5000) through the waPC host the tests use: the difference,
//! divided by `calls`, is one call without loading, compiling and instantiating.
//! Each request is counted with the default settings, with the three modes
//! (`MODES_SETTINGS`), and with the same three levels taken from its namespace's labels
//! (`levelsFromNamespaceLabels: true`, the Namespace answered by the test host's
//! `kubernetes/get_resource`): the last two differ by what the label lookup costs, the
//! host call included as the test host answers it.
//! (Internally: icount --calls <module> <request> <n> makes the calls.)

use pss_test_support::bench_requests as common;
use pss_test_support::host;

use std::path::Path;
use std::process::{Command, ExitCode};

const BASE_CALLS: u64 = 1000;
/// The request variants: `<name>+modes`, `<name>+labels`.
const MODES: &str = "modes";
const LABELS: &str = "labels";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag, module, request, calls] if flag == "--calls" => make_calls(module, request, calls),
        [policy, floor] => report(policy, floor, 5000),
        [policy, floor, calls] => match calls.parse() {
            Ok(calls) if calls > 0 => report(policy, floor, calls),
            _ => Err(format!("calls must be a positive number, not {calls:?}")),
        },
        _ => Err("usage: icount <policy.wasm> <floor.wasm> [calls]".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("icount: {e}");
            ExitCode::FAILURE
        }
    }
}

fn make_calls(module: &str, request: &str, calls: &str) -> Result<(), String> {
    let calls: u64 = calls.parse().map_err(|e| format!("calls {calls:?}: {e}"))?;
    let (name, variant) = match request.split_once('+') {
        Some((name, variant)) => (name, Some(variant)),
        None => (request, None),
    };
    let request = common::requests()
        .into_iter()
        .find(|r| r.name == name)
        .ok_or_else(|| format!("no request named {request:?}"))?;
    // `<name>+modes`: with the three modes (common::MODES_SETTINGS); `<name>+labels`: the
    // same levels from the namespace's labels.
    let (payload, settings) = match variant {
        None => (&request.payload, None),
        Some(MODES) => (&request.modes_payload, None),
        Some(LABELS) => (
            &request.payload,
            Some(r#"{"levelsFromNamespaceLabels":true}"#.to_owned()),
        ),
        Some(other) => return Err(format!("no request variant {other:?}")),
    };
    // `ICOUNT_SETTINGS`: other settings for the request (to count what a setting costs).
    let payload = match std::env::var("ICOUNT_SETTINGS").ok().or(settings) {
        Some(settings) => {
            let mut request: serde_json::Value =
                serde_json::from_slice(payload).map_err(|e| e.to_string())?;
            request["settings"] = serde_json::from_str(&settings).map_err(|e| e.to_string())?;
            serde_json::to_vec(&request).map_err(|e| e.to_string())?
        }
        None => payload.clone(),
    };
    let labels = variant == Some(LABELS);
    let capabilities = labels.then(|| {
        // The three levels of common::MODES_SETTINGS, as a namespace's labels.
        host::HostCapabilities::from_metadata().namespace(
            common::NAMESPACE,
            serde_json::json!({
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/warn": "baseline",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/audit-version": "v1.25",
            }),
        )
    });
    let policy = host::WasmPolicy::load_with(Path::new(module), capabilities)?;
    // A variant must be judged in the modes (a failed label lookup would be a refusal).
    let answer = String::from_utf8_lossy(&policy.call("validate", &payload)?).into_owned();
    if variant.is_some() && !answer.contains(r#""enforce-policy":"restricted:latest""#) {
        return Err(format!(
            "{name}+{variant:?} is not judged in the modes: {answer}"
        ));
    }
    for _ in 0..calls {
        std::hint::black_box(policy.call("validate", &payload)?);
    }
    Ok(())
}

/// Instructions of `icount --calls module request calls`, as callgrind counts them.
fn instructions(module: &str, request: &str, calls: u64) -> Result<u64, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        // The host compiles the module to machine code at run time.
        .arg("--smc-check=all-non-file")
        .arg(me)
        .args(["--calls", module, request, &calls.to_string()])
        .output()
        .map_err(|e| {
            format!("cannot run valgrind ({e}): install it (Debian: apt-get install valgrind)")
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("{module} on {request}: {stderr}"));
    }
    stderr
        .lines()
        .find_map(|line| line.split("Collected : ").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("no instruction count in callgrind's output: {stderr}"))
}

fn per_call(module: &str, request: &str, calls: u64) -> Result<u64, String> {
    let base = instructions(module, request, BASE_CALLS)?;
    let more = instructions(module, request, BASE_CALLS + calls)?;
    Ok(more.saturating_sub(base) / calls)
}

fn report(policy: &str, floor: &str, calls: u64) -> Result<(), String> {
    println!("instructions per validate call (callgrind, {calls} calls beyond {BASE_CALLS})");
    println!("| request       | floor scan | policy validate | validate/scan | three modes | modes/enforce | from labels | label lookup |");
    println!("| ------------- | ---------- | --------------- | ------------- | ----------- | ------------- | ----------- | ------------ |");
    for request in common::requests() {
        let name = request.name;
        let floor = per_call(floor, name, calls)?;
        let enforce = per_call(policy, name, calls)?;
        let modes = per_call(policy, &format!("{name}+{MODES}"), calls)?;
        let labels = per_call(policy, &format!("{name}+{LABELS}"), calls)?;
        println!(
            "| {name:<13} | {floor:>10} | {enforce:>15} | {:>12.2}x | {modes:>11} | {:>12.2}x | {labels:>11} | {:>12} |",
            enforce as f64 / floor.max(1) as f64,
            modes as f64 / enforce.max(1) as f64,
            labels as i64 - modes as i64
        );
    }
    println!("three modes: {}", common::MODES_SETTINGS);
    println!("from labels: the same levels from the namespace's labels; label lookup: from labels - three modes");
    Ok(())
}
