//! `policy.wasm` against the floor module (tools/floor), both in the waPC host policy-server
//! runs policies with (`wapc` + `wasmtime-provider`, WASI on), for every request of
//! `common::requests()`:
//!
//! - floor noop: the floor's `noop` with the request as payload: one waPC round trip (the
//!   payload copied in, an empty answer copied out), nothing read;
//! - floor scan: the floor's `validate`: the request scanned as JSON, a constant answer;
//! - policy validate: the policy's `validate` on an instance reused from call to call;
//! - fresh + scan / fresh + validate: a new instance (`WasmtimeEngineProviderPre::rehydrate`,
//!   a new `WapcHost`, which runs the module's start and `wapc_init`), one call, dropped:
//!   what policy-server pays when it does not reuse instances;
//! - for a request the policy rejects, floor scan + answer: the `reject` floor (tools/floor
//!   built with its `reject` feature) scans the request and answers the policy's own answer,
//!   its message written by serde_json; the bench checks the two answers are the same bytes.
//!
//! Each figure is the median per-call time over batches, the operations of one request
//! taking turns batch by batch (see `measure`). `cargo bench --bench wasm`
//! (the binary then gets `--bench`) measures; without `--bench` (as under `cargo test`) or
//! with `BENCH_QUICK` set it makes one call of each, checks the verdicts and exits.
//!
//! Modules: `$POLICY_WASM` (default `policy.wasm` at the crate root), `$FLOOR_WASM`
//! (default `target/floor/floor.wasm`, tools/floor's module after wasm-opt, as policy.wasm)
//! and `$FLOOR_REJECT_WASM` (default `target/floor/floor-reject.wasm`); `make bench` builds
//! all three.
//! Exits non-zero when the policy gives a wrong verdict, so a broken policy is never timed.

use pss_test_support::bench_requests as common;
use pss_test_support::{host, memory, wapc, wasmtime_provider};

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use common::BenchRequest;
use wasmtime_provider::{WasmtimeEngineProviderBuilder, WasmtimeEngineProviderPre};

/// How long one timed batch lasts, and how many batches each median is taken over.
const BATCH: Duration = Duration::from_millis(30);
const BATCHES: usize = 25;

/// `$variable`, or `default` under the crate root.
fn module_path(variable: &str, default: &str) -> PathBuf {
    match std::env::var_os(variable) {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(default),
    }
}

/// A compiled module, ready to be instantiated any number of times.
struct Module {
    path: PathBuf,
    size: u64,
    compile: Duration,
    pre: WasmtimeEngineProviderPre,
}

impl Module {
    fn load(path: PathBuf, what: &str) -> Result<Module, String> {
        let bytes = std::fs::read(&path).map_err(|e| {
            format!(
                "cannot read the {what} module {}: {e}; `make bench` builds it",
                path.display()
            )
        })?;
        let start = Instant::now();
        let pre = WasmtimeEngineProviderBuilder::new()
            .module_bytes(&bytes)
            .wasi_params(wapc::WasiParams::default())
            .build_pre()
            .map_err(|e| format!("cannot compile {}: {e}", path.display()))?;
        let compile = start.elapsed();
        Ok(Module {
            path,
            size: bytes.len() as u64,
            compile,
            pre,
        })
    }

    /// A new instance in a new waPC host, as policy-server makes one.
    fn instance(&self) -> Result<wapc::WapcHost, String> {
        let engine = self
            .pre
            .rehydrate(None)
            .map_err(|e| format!("cannot instantiate {}: {e}", self.path.display()))?;
        wapc::WapcHost::new(
            Box::new(engine),
            Some(Box::new(|_, binding, namespace, operation, _| {
                Err(format!("no host capability {binding}/{namespace}/{operation}").into())
            })),
        )
        .map_err(|e| format!("cannot start {}: {e}", self.path.display()))
    }
}

fn call(host: &wapc::WapcHost, function: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
    host.call(function, payload)
        .map_err(|e| format!("waPC call {function} failed: {e}"))
}

fn fresh_call(module: &Module, function: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
    call(&module.instance()?, function, payload)
}

/// A measured operation: one call, or an error that stops the bench.
type Op<'a> = Box<dyn FnMut() -> Result<(), String> + 'a>;

/// The median per-call time of each operation (one call each when `quick`). The operations
/// take turns, one batch of `BATCH` each per round for `BATCHES` rounds, so a change in the
/// machine's load (other builds on a shared machine) weighs on all of them alike and their
/// ratios stay fair.
fn measure(quick: bool, ops: &mut [Op]) -> Result<Vec<Duration>, String> {
    let mut per_batch = Vec::with_capacity(ops.len());
    for op in ops.iter_mut() {
        let start = Instant::now();
        op()?;
        if quick {
            per_batch.push((start.elapsed(), 0));
            continue;
        }
        // Warm up for one batch, and size this operation's batches from it.
        let start = Instant::now();
        let mut calls = 0u32;
        while start.elapsed() < BATCH {
            op()?;
            calls += 1;
        }
        per_batch.push((Duration::ZERO, calls.max(1)));
    }
    if quick {
        return Ok(per_batch.into_iter().map(|(once, _)| once).collect());
    }
    let mut samples = vec![Vec::with_capacity(BATCHES); ops.len()];
    for _ in 0..BATCHES {
        for ((op, &(_, calls)), samples) in ops.iter_mut().zip(&per_batch).zip(&mut samples) {
            let start = Instant::now();
            for _ in 0..calls {
                op()?;
            }
            samples.push(start.elapsed() / calls);
        }
    }
    Ok(samples
        .into_iter()
        .map(|mut s| {
            s.sort();
            s[s.len() / 2]
        })
        .collect())
}

struct Row {
    name: &'static str,
    bytes: usize,
    floor_noop: Option<Duration>,
    floor_scan: Option<Duration>,
    validate: Duration,
    floor_fresh: Option<Duration>,
    policy_fresh: Duration,
    /// The `reject` floor, for a request the policy rejects.
    floor_reject: Option<Duration>,
    /// `validate` of the request with the three modes (`common::MODES_SETTINGS`).
    modes: Duration,
}

/// The floors: the scan, and (for rejections) the scan plus the policy's own answer.
struct Floors {
    scan: Module,
    reject: Module,
}

/// Checks the policy's answer (and the floor's) for `request`, then times it.
fn row(
    request: &BenchRequest,
    policy: &Module,
    floors: Option<&Floors>,
    quick: bool,
) -> Result<Row, String> {
    let payload = request.payload.as_slice();
    let floor = floors.map(|f| &f.scan);
    let verdict = |out: &[u8]| -> Result<(), String> {
        let response: serde_json::Value = serde_json::from_slice(out)
            .map_err(|e| format!("{}: validate answered non-JSON: {e}", request.name))?;
        common::check_verdict(request, &response)
    };

    let policy_host = policy.instance()?;
    let answer = call(&policy_host, "validate", payload)?;
    verdict(&answer)?;
    let modes_payload = request.modes_payload.as_slice();
    let modes_answer: serde_json::Value =
        serde_json::from_slice(&call(&policy_host, "validate", modes_payload)?)
            .map_err(|e| format!("{}: validate answered non-JSON: {e}", request.name))?;
    common::check_modes_verdict(request, &modes_answer)?;
    verdict(&fresh_call(policy, "validate", payload)?)?;
    let floor_host = match floor {
        Some(floor) => {
            let host = floor.instance()?;
            let scanned: serde_json::Value =
                serde_json::from_slice(&call(&host, "validate", payload)?)
                    .map_err(|e| format!("the floor's validate answered non-JSON: {e}"))?;
            if scanned["accepted"] != true {
                return Err(format!("the floor's validate answered {scanned}"));
            }
            if !call(&host, "noop", payload)?.is_empty() {
                return Err("the floor's noop answered something".to_owned());
            }
            Some((floor, host))
        }
        None => None,
    };
    let reject_host = match (floors, rejection_message(&answer)) {
        (Some(floors), Some(message)) => {
            let host = floors.reject.instance()?;
            call(&host, "set_message", message.as_bytes())?;
            if call(&host, "reject", payload)? != answer {
                return Err(format!(
                    "{}: the reject floor's answer is not the policy's, byte for byte",
                    request.name
                ));
            }
            Some(host)
        }
        _ => None,
    };

    let mut ops: Vec<Op> = vec![
        Box::new(|| {
            black_box(call(&policy_host, "validate", black_box(payload))?);
            Ok(())
        }),
        Box::new(|| {
            black_box(fresh_call(policy, "validate", black_box(payload))?);
            Ok(())
        }),
        Box::new(|| {
            black_box(call(&policy_host, "validate", black_box(modes_payload))?);
            Ok(())
        }),
    ];
    if let Some((floor, host)) = &floor_host {
        ops.push(Box::new(|| {
            black_box(call(host, "noop", black_box(payload))?);
            Ok(())
        }));
        ops.push(Box::new(|| {
            black_box(call(host, "validate", black_box(payload))?);
            Ok(())
        }));
        ops.push(Box::new(|| {
            black_box(fresh_call(floor, "validate", black_box(payload))?);
            Ok(())
        }));
    }
    if let Some(host) = &reject_host {
        ops.push(Box::new(|| {
            black_box(call(host, "reject", black_box(payload))?);
            Ok(())
        }));
    }
    let times = measure(quick, &mut ops)?;
    // The instance reused for thousands of calls still answers right.
    verdict(&call(&policy_host, "validate", payload)?)?;
    let (validate, policy_fresh, modes) = (times[0], times[1], times[2]);
    let (floor_noop, floor_scan, floor_fresh) = match times.get(3..6) {
        Some(&[noop, scan, fresh]) => (Some(noop), Some(scan), Some(fresh)),
        _ => (None, None, None),
    };
    let floor_reject = reject_host.as_ref().and(times.get(6).copied());
    Ok(Row {
        name: request.name,
        bytes: payload.len(),
        floor_noop,
        floor_scan,
        validate,
        floor_fresh,
        policy_fresh,
        floor_reject,
        modes,
    })
}

/// The message of a rejection the policy answered, if it rejected.
fn rejection_message(answer: &[u8]) -> Option<String> {
    let response: serde_json::Value = serde_json::from_slice(answer).ok()?;
    if response["accepted"] != false {
        return None;
    }
    response["message"].as_str().map(str::to_owned)
}

fn us(d: Option<Duration>) -> String {
    d.map_or_else(
        || "-".to_owned(),
        |d| format!("{:.1}", d.as_secs_f64() * 1e6),
    )
}

fn ratio(a: Duration, b: Option<Duration>) -> String {
    b.map_or_else(
        || "-".to_owned(),
        |b| format!("{:.2}x", a.as_secs_f64() / b.as_secs_f64()),
    )
}

fn print_table(rows: &[Row], policy: &Module, floor: Option<&Module>, quick: bool) {
    println!();
    println!(
        "wasm in the waPC host (wapc 2.2.0, wasmtime-provider 2.25.0, WASI): {}, µs per call",
        if quick {
            "ONE call (smoke run, not a measurement)".to_owned()
        } else {
            format!(
                "median of {BATCHES} interleaved batches of ~{} ms",
                BATCH.as_millis()
            )
        }
    );
    let header = [
        "request",
        "bytes",
        "floor noop",
        "floor scan",
        "policy validate",
        "validate/scan",
        "floor fresh+scan",
        "policy fresh+validate",
        "fresh ratio",
    ];
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r.name.to_owned(),
                r.bytes.to_string(),
                us(r.floor_noop),
                us(r.floor_scan),
                us(Some(r.validate)),
                ratio(r.validate, r.floor_scan),
                us(r.floor_fresh),
                us(Some(r.policy_fresh)),
                ratio(r.policy_fresh, r.floor_fresh),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cols: Vec<&str>| {
        let padded: Vec<String> = cols
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        println!("| {} |", padded.join(" | "));
    };
    line(header.to_vec());
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(rule.iter().map(String::as_str).collect());
    for c in &cells {
        line(c.iter().map(String::as_str).collect());
    }
    println!();
    let describe = |m: &Module| {
        format!(
            "{} bytes ({:.0} KiB), compiled in {:.0} ms",
            m.size,
            m.size as f64 / 1024.0,
            m.compile.as_secs_f64() * 1e3
        )
    };
    println!(
        "policy module {}: {}",
        policy.path.display(),
        describe(policy)
    );
    match floor {
        Some(floor) => {
            println!(
                "floor module  {}: {}",
                floor.path.display(),
                describe(floor)
            );
            println!(
                "size ratio policy/floor: {:.2}x; compile ratio: {:.2}x",
                policy.size as f64 / floor.size as f64,
                policy.compile.as_secs_f64() / floor.compile.as_secs_f64()
            );
        }
        None => println!("floor module: not built (`make bench` builds it)"),
    }
}

fn run() -> Result<(), String> {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let quick = !bench_mode || std::env::var_os("BENCH_QUICK").is_some();

    let policy = Module::load(host::policy_path(), "policy")?;
    let load_floors = || -> Result<Floors, String> {
        Ok(Floors {
            scan: Module::load(
                module_path("FLOOR_WASM", "target/floor/floor.wasm"),
                "floor",
            )?,
            reject: Module::load(
                module_path("FLOOR_REJECT_WASM", "target/floor/floor-reject.wasm"),
                "reject floor",
            )?,
        })
    };
    let floors = match load_floors() {
        Ok(floors) => Some(floors),
        // A smoke run (cargo test) still checks the policy's verdicts without the floors.
        Err(e) if !bench_mode => {
            eprintln!("\n*** {e}\n*** smoke run: SKIPPING the floor columns ***\n");
            None
        }
        Err(e) => return Err(e),
    };
    let floor = floors.as_ref().map(|f| &f.scan);

    let mut rows = Vec::new();
    for request in common::requests() {
        rows.push(row(&request, &policy, floors.as_ref(), quick)?);
    }
    print_table(&rows, &policy, floor, quick);
    print_rejections(&rows);
    print_exclusions(&policy, floor, quick)?;
    print_modes(&rows);
    if let Some(floor) = floor {
        print_start(&policy, floor, quick)?;
    }
    print_pages(&policy, floor)
}

/// The requests the policy rejects, against the floor of a rejection: the same scan, then
/// the same answer, its message written by serde_json.
fn print_rejections(rows: &[Row]) {
    let rejected: Vec<(&Row, Duration)> = rows
        .iter()
        .filter_map(|r| Some((r, r.floor_reject?)))
        .collect();
    if rejected.is_empty() {
        return;
    }
    println!();
    println!("rejections, against the floor of a rejection (the scan, then the policy's own answer written by serde_json; the same bytes, checked), µs per call");
    println!(
        "| request       | floor scan + answer | policy validate | validate/(scan + answer) |"
    );
    println!(
        "| ------------- | ------------------- | --------------- | ------------------------ |"
    );
    for (r, floor) in rejected {
        println!(
            "| {:<13} | {:>19} | {:>15} | {:>24} |",
            r.name,
            us(Some(floor)),
            us(Some(r.validate)),
            ratio(r.validate, Some(floor))
        );
    }
    println!();
}

/// The exclusion path on the largest API-valid pods (`common::exclusion_requests`): the
/// policy's validate on a reused instance against the floor's scan, and the time per KiB of
/// request, which stays flat when the cost grows linearly with the request.
fn print_exclusions(policy: &Module, floor: Option<&Module>, quick: bool) -> Result<(), String> {
    println!();
    println!("image exclusions on the largest API-valid pods (the API server stores up to 1.5 MiB), ms per call");
    println!(
        "| request       | bytes   | floor scan | policy validate | validate/scan | validate µs/KiB |"
    );
    println!(
        "| ------------- | ------- | ---------- | --------------- | ------------- | --------------- |"
    );
    for request in common::exclusion_requests() {
        let payload = request.payload.as_slice();
        let policy_host = policy.instance()?;
        let answer = call(&policy_host, "validate", payload)?;
        let response: serde_json::Value = serde_json::from_slice(&answer)
            .map_err(|e| format!("{}: validate answered non-JSON: {e}", request.name))?;
        common::check_verdict(&request, &response)?;
        let floor_host = floor.map(Module::instance).transpose()?;
        let mut ops: Vec<Op> = vec![Box::new(|| {
            black_box(call(&policy_host, "validate", black_box(payload))?);
            Ok(())
        })];
        if let Some(host) = &floor_host {
            ops.push(Box::new(|| {
                black_box(call(host, "validate", black_box(payload))?);
                Ok(())
            }));
        }
        let times = measure(quick, &mut ops)?;
        let ms = |d: Option<Duration>| {
            d.map_or_else(
                || "-".to_owned(),
                |d| format!("{:.2}", d.as_secs_f64() * 1e3),
            )
        };
        println!(
            "| {:<13} | {:>7} | {:>10} | {:>15} | {:>13} | {:>15.2} |",
            request.name,
            payload.len(),
            ms(times.get(1).copied()),
            ms(Some(times[0])),
            ratio(times[0], times.get(1).copied()),
            times[0].as_secs_f64() * 1e6 / (payload.len() as f64 / 1024.0)
        );
    }
    Ok(())
}

/// Each request with the three modes against the enforce mode alone, on the same reused
/// instance, in the same interleaved batches.
fn print_modes(rows: &[Row]) {
    println!(
        "three modes ({}) against enforce alone (restricted:latest), µs per call",
        common::MODES_SETTINGS
    );
    println!("| request       | enforce alone | three modes | modes/enforce |");
    println!("| ------------- | ------------- | ----------- | ------------- |");
    for r in rows {
        println!(
            "| {:<13} | {:>13} | {:>11} | {:>13} |",
            r.name,
            us(Some(r.validate)),
            us(Some(r.modes)),
            ratio(r.modes, Some(r.validate))
        );
    }
    println!();
}

/// A fresh instance alone (its start, no call) for each module: the part of "fresh" that
/// no request changes.
fn print_start(policy: &Module, floor: &Module, quick: bool) -> Result<(), String> {
    let mut ops: Vec<Op> = vec![
        Box::new(|| {
            drop(black_box(policy.instance()?));
            Ok(())
        }),
        Box::new(|| {
            drop(black_box(floor.instance()?));
            Ok(())
        }),
    ];
    let times = measure(quick, &mut ops)?;
    println!(
        "fresh instance alone (start, no call): floor {} µs, policy {} µs ({})",
        us(Some(times[1])),
        us(Some(times[0])),
        ratio(times[0], Some(times[1]))
    );
    Ok(())
}

/// The pages one call writes for the first time on a fresh instance (see
/// support/src/memory.rs): each is a page fault that only fresh instances pay, which is
/// most of what separates "fresh" from reused once the start is paid.
fn print_pages(policy: &Module, floor: Option<&Module>) -> Result<(), String> {
    let policy = memory::Fresh::load(&policy.path)?;
    let floor = floor.map(|f| memory::Fresh::load(&f.path)).transpose()?;
    println!();
    println!("pages (4 KiB) a fresh instance's call writes for the first time: stack + heap/data (stack bytes in use)");
    println!("| request       | floor scan        | policy validate   |");
    println!("| ------------- | ----------------- | ----------------- |");
    let cell = |module: &memory::Fresh, payload: &[u8]| -> Result<String, String> {
        let t = module.call("validate", payload)?;
        t.answer.map_err(|e| format!("validate failed: {e}"))?;
        Ok(format!(
            "{} + {} ({} B)",
            t.new_stack_pages, t.new_other_pages, t.call_stack
        ))
    };
    for request in common::requests() {
        let floor_cell = match &floor {
            Some(floor) => cell(floor, &request.payload)?,
            None => "-".to_owned(),
        };
        println!(
            "| {:<13} | {:>17} | {:>17} |",
            request.name,
            floor_cell,
            cell(&policy, &request.payload)?
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm bench: {e}");
            ExitCode::FAILURE
        }
    }
}
