# Kubewarden conventions: policy.wasm, annotated-policy.wasm, test, e2e-tests, fmt, lint, clean.
SOURCE_FILES := $(shell find src -type f -name '*.rs') Cargo.toml Cargo.lock
WASM := target/wasm32-wasip1/release/pod_security_standards.wasm
RUNNER := target/debug/examples/wapc-run
# The PSA reference fixtures (upstream test/testdata of kubernetes/pod-security-admission):
# $PSA_FIXTURES, else beside the checkout (as in CI), else where `make fixtures` puts them.
# The tests look in the same places (support/src/fixtures.rs); PSA_FIXTURES=skip skips them.
PSA_COMMIT := 8f84a87c7f617f64a4ddc1aea24aeeb7a2e07cb8
PSA_REPO := https://github.com/kubernetes/pod-security-admission.git
FETCHED_FIXTURES := target/psa-fixtures
ifeq ($(PSA_FIXTURES),)
ifneq ($(wildcard ../shared/psa-fixtures/baseline),)
PSA_FIXTURES := $(abspath ../shared/psa-fixtures)
else ifneq ($(wildcard $(FETCHED_FIXTURES)/baseline),)
PSA_FIXTURES := $(abspath $(FETCHED_FIXTURES))
endif
endif
export PSA_FIXTURES

# Publishing: one version number, read from Cargo.toml (tests/publishing.rs keeps
# metadata.yml, artifacthub-pkg.yml and examples/ in step with it).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
REGISTRY ?= ghcr.io/kubewarden-psa/policies
POLICY_REF := $(REGISTRY)/pod-security-standards:v$(VERSION)
NEED_KWCTL = @command -v kwctl >/dev/null 2>&1 || { echo "kwctl is not installed: it is needed for '$@'; see https://docs.kubewarden.io/howtos/install-kwctl"; exit 1; }

.PHONY: all test unit-tests e2e-tests fmt format lint clean check-fmt fixtures run-sample bats bench bench-icount push scaffold fuzz

all: policy.wasm

# wasm-opt (binaryen; Debian: apt-get install binaryen) takes 13% off the module and leaves
# its speed as it was. The features are the ones rustc enables for wasm32-wasip1; wasm-opt
# refuses a module that uses others, so a new one cannot slip through unnoticed.
WASM_OPT ?= wasm-opt
WASM_OPT_FLAGS := -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
	--enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue
# $(call optimize,in,out): wasm-opt when it is installed, else a plain copy, said loudly.
optimize = if command -v $(WASM_OPT) >/dev/null 2>&1; then \
		$(WASM_OPT) $(WASM_OPT_FLAGS) $(1) -o $(2); \
	else \
		echo "*** wasm-opt not found (Debian: apt-get install binaryen): $(2) is not size-optimized ***"; \
		cp $(1) $(2); \
	fi

policy.wasm: $(SOURCE_FILES)
	@rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
	cargo build --locked --target wasm32-wasip1 --release
	@$(call optimize,$(WASM),policy.wasm)

annotated-policy.wasm: policy.wasm metadata.yml README.md
	$(NEED_KWCTL)
	kwctl annotate -m metadata.yml -u README.md -o annotated-policy.wasm policy.wasm

# Pushes the annotated policy to $(REGISTRY) as v$(VERSION): make push REGISTRY=ghcr.io/me/policies
push: annotated-policy.wasm
	$(NEED_KWCTL)
	kwctl push annotated-policy.wasm $(POLICY_REF)

# Prints a ClusterAdmissionPolicy for the annotated policy with the default settings.
scaffold: annotated-policy.wasm
	$(NEED_KWCTL)
	kwctl scaffold manifest --type ClusterAdmissionPolicy --settings-json '{}' annotated-policy.wasm

$(RUNNER): tools/wapc_run.rs support/src/host.rs Cargo.toml Cargo.lock
	cargo build --example wapc-run

# Builds the policy and judges a sample request with it (kwctl if present, else our waPC runner).
run-sample: policy.wasm $(RUNNER)
	@if command -v kwctl >/dev/null 2>&1; then \
		kwctl run policy.wasm -r test_data/deployment_privileged.json --settings-json '{}'; \
	else \
		$(RUNNER) policy.wasm test_data/deployment_privileged.json '{}'; \
	fi

# The whole suite: formatting, lints, unit, conformance (native and wasm), callers, e2e.
# Without fixtures it tries `make fixtures`; where that cannot reach GitHub, it runs the rest
# and its last lines say that conformance was skipped and how to run it. (`make`, not
# `$(MAKE)`: a recipe naming $(MAKE) runs even under `make -n`, which tests/publishing.rs uses.)
test: fmt lint policy.wasm
	@fixtures="$(PSA_FIXTURES)"; \
	if [ -z "$$fixtures" ]; then \
		if make --no-print-directory fixtures; then fixtures="$(abspath $(FETCHED_FIXTURES))"; \
		else fixtures=skip; fi; \
	fi; \
	echo "PSA_FIXTURES=$$fixtures cargo test --all-targets --features wasm-tests"; \
	PSA_FIXTURES="$$fixtures" cargo test --all-targets --features wasm-tests && \
	make --no-print-directory e2e-tests && \
	if [ "$$fixtures" = skip ]; then \
		echo "*** PSA conformance SKIPPED: no fixtures found and $(PSA_REPO) unreachable. ***"; \
		echo "*** Run it with PSA_FIXTURES=<dir with baseline/ and restricted/> make test, or make fixtures. ***"; \
	fi

# Fetches the fixtures at the pinned commit into $(FETCHED_FIXTURES) (needs git and GitHub).
fixtures:
	@if [ -d $(FETCHED_FIXTURES)/baseline ]; then echo "fixtures: $(FETCHED_FIXTURES) is there"; exit 0; fi; \
	rm -rf target/psa-src && mkdir -p target/psa-src && \
	git -C target/psa-src init -q && \
	timeout 120 git -C target/psa-src fetch -q --depth 1 $(PSA_REPO) $(PSA_COMMIT) && \
	git -C target/psa-src checkout -q FETCH_HEAD && \
	rm -rf $(FETCHED_FIXTURES) && cp -r target/psa-src/test/testdata $(FETCHED_FIXTURES) && \
	rm -rf target/psa-src && echo "fixtures: $(FETCHED_FIXTURES) at $(PSA_COMMIT)" || \
	{ rm -rf target/psa-src; echo "fixtures: cannot fetch $(PSA_REPO) at $(PSA_COMMIT)"; exit 1; }

unit-tests:
	cargo test --lib

# Under kwctl the tests run the annotated module, so that metadata.yml is read as a cluster
# would read it; without kwctl, policy.wasm through the waPC runner.
E2E_POLICY := $(if $(shell command -v kwctl 2>/dev/null),annotated-policy.wasm,policy.wasm)
e2e-tests: $(E2E_POLICY) $(RUNNER) bats
	@echo "e2e: $(E2E_POLICY) through $(if $(filter annotated-policy.wasm,$(E2E_POLICY)),kwctl run,$(RUNNER) (kwctl is not installed; tests/publishing.rs checks what kwctl reads))"
	POLICY=$(E2E_POLICY) bats e2e.bats

# bats runs e2e.bats; on a fresh Debian machine (as root) it is installed from Debian.
bats:
	@command -v bats >/dev/null 2>&1 || { \
		if [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && apt-get install -y -qq bats; \
		else \
			echo "bats is not installed: install it (Debian/Ubuntu: apt-get install bats)"; exit 1; \
		fi; }

# The policy against a floor (tools/floor: a waPC guest that only scans the request as JSON):
# native timings (criterion), then both modules in the waPC host, with ratios and sizes.
# The floor goes through wasm-opt as the policy does; the wasm bench finds it at
# target/floor/floor.wasm (or $FLOOR_WASM).
# The same floor built with its `reject` feature (target/floor/floor-reject.wasm, or
# $FLOOR_REJECT_WASM) is the floor of a rejection: the scan, then the policy's own message
# written by serde_json.
FLOOR := target/floor/floor.wasm
FLOOR_REJECT := target/floor/floor-reject.wasm
$(FLOOR): tools/floor/src/lib.rs tools/floor/Cargo.toml tools/floor/Cargo.lock
	cargo build --release --target wasm32-wasip1 --manifest-path tools/floor/Cargo.toml --target-dir target/floor
	@$(call optimize,target/floor/wasm32-wasip1/release/floor.wasm,$(FLOOR))
$(FLOOR_REJECT): tools/floor/src/lib.rs tools/floor/Cargo.toml tools/floor/Cargo.lock
	cargo build --release --target wasm32-wasip1 --manifest-path tools/floor/Cargo.toml --target-dir target/floor-reject --features reject
	@$(call optimize,target/floor-reject/wasm32-wasip1/release/floor.wasm,$(FLOOR_REJECT))

bench: policy.wasm $(FLOOR) $(FLOOR_REJECT)
	cargo bench --bench native
	cargo bench --bench wasm

# Instructions per validate call, policy against floor, counted by callgrind (valgrind):
# figures that do not move with the machine's load (tools/icount.rs; about 5 minutes).
ICOUNT_CALLS ?= 5000
bench-icount: policy.wasm $(FLOOR)
	@command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed: it is needed for '$@' (Debian: apt-get install valgrind)"; exit 1; }
	cargo build --profile bench --example icount
	target/release/examples/icount policy.wasm $(FLOOR) $(ICOUNT_CALLS)

# Fuzzing (cargo fuzz: libFuzzer, on the nightly toolchain) in fuzz/, its own crate and
# target dir: seeds fuzz/corpus/ from test_data/ and the PSA fixtures (fuzz/seed.sh), then
# runs each target for FUZZ_SECONDS. A crash, a panic or an input slower than 10 s stops it,
# the input kept in fuzz/artifacts/<target>/ (`cargo +nightly fuzz run <target> <file>`
# replays it). FUZZ_FLAGS go to `cargo fuzz build` and `run` (e.g. `-s none`: no sanitizer).
FUZZ_SECONDS ?= 300
FUZZ_TARGETS := validate_bytes validate_structured validate_settings_bytes
FUZZ_FLAGS ?=
fuzz:
	@command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
	fuzz/seed.sh $(FUZZ_FLAGS)
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		cargo +nightly fuzz run $(FUZZ_FLAGS) $$t -- -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 || exit 1; \
	done

# Checks, as in Kubewarden's policy Makefiles; `make format` rewrites the sources.
fmt:
	cargo fmt --all -- --check

check-fmt: fmt

format:
	cargo fmt --all

lint:
	cargo clippy --all-targets --features wasm-tests -- -D warnings

clean:
	cargo clean
	rm -f policy.wasm annotated-policy.wasm
