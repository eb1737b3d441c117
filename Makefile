# The two entry points: `make demo` (main job) and `make test` (every test). Both work from a fresh clone.
PY        ?= python3
VENV      := .venv
VPY       := $(VENV)/bin/python
CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
DEVSERVER := $(CARGO_TARGET_DIR)/release/aerospike-devserver
export AEROSPIKE_DEVSERVER_BIN ?= $(DEVSERVER)

.PHONY: demo test venv devserver develop test-rust test-python clean bench bench-floor bench-instructions bench-devserver fuzz

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements-dev.txt
	touch $@

devserver:
	cargo build --release -p aerospike-devserver

# Builds the extension in release mode and installs it (with its Python package) into .venv.
develop: venv
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(VENV)/bin/maturin develop --release --quiet

test-rust: devserver
	cargo test --release -p aerospike-devserver

test-python: venv devserver develop
	$(VPY) -m pytest tests -q -ra

test: test-rust test-python

# The long fuzz (tests/fuzz): FUZZ_EXAMPLES random examples per property, 5 properties (105,000
# calls of both clients and the helper modules), plus the dev server's frame-parser properties at
# PROPTEST_CASES each. `make test` runs the same properties briefly and derandomized.
FUZZ_EXAMPLES ?= 21000
fuzz: venv devserver develop
	PROPTEST_CASES=20000 cargo test --release -p aerospike-devserver fuzz_tests
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VPY) -m pytest tests/fuzz -q -p no:cacheprovider

demo: venv devserver develop
	$(VPY) examples/demo.py

# Benchmark floor: the bench workloads on aerospike-core with no Python (bench/rust-floor).
bench-floor:
	cargo build --release -p bench-rust-floor

# Comparison table + PNG chart under bench/results/ (bench/README.md). `make bench BENCH_ARGS=--quick`
# for a smoke run. matplotlib only draws the chart, so it is installed here, not for the tests.
bench: venv devserver develop bench-floor
	$(VPY) -m pip install --quiet matplotlib
	$(VPY) -m bench $(BENCH_ARGS)

# Instructions per operation under callgrind: repeatable on a busy machine (bench/README.md).
bench-instructions: venv devserver develop bench-floor
	$(VPY) -m bench.instructions $(BENCH_ARGS)

# The dev server's own throughput (1 KiB put/get from the official client, several processes).
bench-devserver: venv devserver
	$(VPY) bench/devserver_bench.py

clean:
	rm -rf $(VENV) target
