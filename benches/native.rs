//! The policy's native build against the native floor, with criterion: for every request
//! of `common::requests()`, `verdict::validate` (the whole policy: read, judge, answer) next
//! to `serde_json::from_slice::<IgnoredAny>` (reading the same bytes and keeping nothing).
//!
//! `cargo bench --bench native` measures; `cargo test --all-targets` runs each once.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pod_security_standards::verdict;

fn native(c: &mut Criterion) {
    for request in common::requests() {
        // Never time a broken policy: the verdict must be the expected one.
        let response = serde_json::to_value(verdict::validate(&request.payload))
            .expect("the ValidationResponse serializes");
        if let Err(e) = common::check_verdict(&request, &response) {
            panic!("wrong verdict: {e}");
        }

        let mut group = c.benchmark_group(request.name);
        group.throughput(Throughput::Bytes(request.payload.len() as u64));
        group.bench_function("floor_scan", |b| {
            b.iter(|| {
                serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&request.payload))
                    .expect("valid JSON")
            })
        });
        group.bench_function("policy_validate", |b| {
            b.iter(|| verdict::validate(black_box(&request.payload)))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = native
}
criterion_main!(benches);
