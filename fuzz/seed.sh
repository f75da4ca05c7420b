#!/usr/bin/env bash
# Builds the seed corpora fuzz/corpus/<target>/ (never committed): the requests in
# test_data/ and, when $PSA_FIXTURES is set, PSA's reference fixtures converted to requests
# (by the `seed` tool of this crate, built with the fuzz targets). Existing corpus files are
# kept, so what the fuzzer found before is not lost.
#
# Usage: fuzz/seed.sh [extra `cargo fuzz build` options]
set -euo pipefail
cd "$(dirname "$0")"

cargo +nightly fuzz build "$@"
target/x86_64-unknown-linux-gnu/release/seed corpus ../test_data "${PSA_FIXTURES:-}"
