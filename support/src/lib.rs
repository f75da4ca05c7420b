//! What the tests, benches, tools and fuzz targets share, so that no test spells a request
//! or a pod out again: [`requests`] (a ValidationRequest around a pod, for every kind),
//! [`pods`] (the pods tests start from), and with the `host` feature [`fixtures`] (PSA's
//! reference fixtures), [`bench_requests`] (what `make bench` measures), [`host`] (a waPC
//! host for the built `policy.wasm`) and [`memory`] (a fresh instance's pages).

pub mod pods;
pub mod requests;

#[cfg(feature = "host")]
pub mod bench_requests;
#[cfg(feature = "host")]
pub mod fixtures;
#[cfg(feature = "host")]
pub mod host;
#[cfg(feature = "host")]
pub mod memory;

pub use requests::{request, wrap, KINDS};

/// The host crates themselves, for the bench that drives them directly.
#[cfg(feature = "host")]
pub use {wapc, wasmtime_provider};

#[cfg(feature = "host")]
pub use fixtures::{
    fixture_settings, fixtures_root, judge_fixtures, kind_names, load_fixtures, Fixture, Run,
};
