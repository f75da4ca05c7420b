//! The policy's native build against the native floor, with criterion: for every request
//! of `common::requests()`, the policy as the module's `validate` runs it (read, judge,
//! answer written as JSON) next to `serde_json::from_slice::<IgnoredAny>` (reading the same
//! bytes and keeping nothing).
//! After criterion's own report, a table of the medians and their ratio.
//!
//! `cargo bench --bench native` measures; `cargo test --all-targets` runs each once.

use pss_test_support::bench_requests as common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use pod_security_standards::{response_writer, verdict};

/// What the module's `validate` does (`src/lib.rs`): the answer, written as JSON, its audit
/// annotations kept for the next one.
fn as_the_edge(payload: &[u8]) -> Vec<u8> {
    let (json, response) = verdict::answer(payload).written();
    response_writer::recycle(response);
    json.expect("the answer is written")
}

/// Per-call times (seconds) of every sample criterion took of one function.
#[derive(Default)]
struct Samples(Vec<f64>);

impl Samples {
    /// Times `iters` calls of `f` for criterion, and keeps the per-call time.
    fn time<R>(&mut self, iters: u64, mut f: impl FnMut() -> R) -> Duration {
        let start = Instant::now();
        for _ in 0..iters {
            black_box(f());
        }
        let elapsed = start.elapsed();
        self.0.push(elapsed.as_secs_f64() / iters.max(1) as f64);
        elapsed
    }

    fn median(&mut self) -> f64 {
        self.0.sort_by(f64::total_cmp);
        self.0.get(self.0.len() / 2).copied().unwrap_or(f64::NAN)
    }
}

struct Row {
    name: &'static str,
    bytes: usize,
    scan: f64,
    validate: f64,
    modes: f64,
}

fn native(c: &mut Criterion, requests: Vec<common::BenchRequest>) -> Vec<Row> {
    let mut rows = Vec::new();
    for request in requests {
        // Never time a broken policy: the verdict must be the expected one.
        let response = serde_json::to_value(verdict::validate(&request.payload))
            .expect("the ValidationResponse serializes");
        if let Err(e) = common::check_verdict(&request, &response) {
            panic!("wrong verdict: {e}");
        }
        // The exclusion requests have no modes variant (an empty payload).
        let with_modes = !request.modes_payload.is_empty();
        if with_modes {
            let response = serde_json::to_value(verdict::validate(&request.modes_payload))
                .expect("the ValidationResponse serializes");
            if let Err(e) = common::check_modes_verdict(&request, &response) {
                panic!("wrong verdict with the modes: {e}");
            }
        }

        let payload = request.payload.as_slice();
        let modes_payload = request.modes_payload.as_slice();
        let (mut scan, mut validate) = (Samples::default(), Samples::default());
        let mut modes = Samples::default();
        let mut group = c.benchmark_group(request.name);
        group.throughput(Throughput::Bytes(payload.len() as u64));
        if payload.len() > 100_000 {
            // Milliseconds a call: criterion's 100 samples would not fit its time.
            group.sample_size(10);
        }
        group.bench_function("floor_scan", |b| {
            b.iter_custom(|iters| {
                scan.time(iters, || {
                    serde_json::from_slice::<serde::de::IgnoredAny>(black_box(payload))
                        .expect("valid JSON")
                })
            })
        });
        group.bench_function("policy_validate", |b| {
            b.iter_custom(|iters| validate.time(iters, || as_the_edge(black_box(payload))))
        });
        if with_modes {
            group.bench_function("policy_validate_modes", |b| {
                b.iter_custom(|iters| modes.time(iters, || as_the_edge(black_box(modes_payload))))
            });
        }
        group.finish();
        rows.push(Row {
            name: request.name,
            bytes: payload.len(),
            scan: scan.median(),
            validate: validate.median(),
            modes: modes.median(),
        });
    }
    rows
}

/// The exclusion path on the largest pods: time per call and per KiB of request, which
/// stays flat when the cost grows linearly with the request.
fn print_exclusions(rows: &[Row]) {
    println!();
    println!("native, image exclusions on the largest API-valid pods (criterion samples, median per call)");
    println!(
        "| {:<13} | {:>8} | {:>13} | {:>18} | {:>13} | {:>16} |",
        "request",
        "bytes",
        "floor scan ms",
        "policy validate ms",
        "validate/scan",
        "validate µs/KiB"
    );
    println!(
        "| {:-<13} | {:->8} | {:->13} | {:->18} | {:->13} | {:->16} |",
        "", "", "", "", "", ""
    );
    for r in rows {
        println!(
            "| {:<13} | {:>8} | {:>13.2} | {:>18.2} | {:>12.2}x | {:>16.2} |",
            r.name,
            r.bytes,
            r.scan * 1e3,
            r.validate * 1e3,
            r.validate / r.scan,
            r.validate * 1e6 / (r.bytes as f64 / 1024.0)
        );
    }
}

fn print_table(rows: &[Row]) {
    println!();
    println!("native (criterion samples, median per call, µs)");
    println!(
        "| {:<13} | {:>5} | {:>10} | {:>15} | {:>13} | {:>13} | {:>14} |",
        "request",
        "bytes",
        "floor scan",
        "policy validate",
        "validate/scan",
        "three modes",
        "modes/enforce"
    );
    println!(
        "| {:-<13} | {:->5} | {:->10} | {:->15} | {:->13} | {:->13} | {:->14} |",
        "", "", "", "", "", "", ""
    );
    for r in rows {
        println!(
            "| {:<13} | {:>5} | {:>10.2} | {:>15.2} | {:>12.2}x | {:>13.2} | {:>13.2}x |",
            r.name,
            r.bytes,
            r.scan * 1e6,
            r.validate * 1e6,
            r.validate / r.scan,
            r.modes * 1e6,
            r.modes / r.validate
        );
    }
    println!("three modes: {}", common::MODES_SETTINGS);
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let rows = native(&mut criterion, common::requests());
    let exclusions = native(&mut criterion, common::exclusion_requests());
    criterion.final_summary();
    // Under `cargo test` (no `--bench`) every function ran once: nothing worth a table.
    if std::env::args().any(|a| a == "--bench") {
        print_table(&rows);
        print_exclusions(&exclusions);
    }
}
