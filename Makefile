# The two entry points: `make demo` (main job) and `make test` (every test). Both work from a fresh clone.
PY        ?= python3
VENV      := .venv
VPY       := $(VENV)/bin/python
CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
DEVSERVER := $(CARGO_TARGET_DIR)/release/aerospike-devserver
export AEROSPIKE_DEVSERVER_BIN ?= $(DEVSERVER)

.PHONY: demo test venv devserver develop test-rust test-python clean bench bench-floor bench-instructions bench-devserver differential

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

# Long differential campaign (tests/differential/README.md): dev server 1 node vs 3 nodes, or
# AEROSPIKE_REFERENCE_HOSTS=host:port (a real server) vs a 1-node dev server. DIFF_ARGS="--seed 1 --runs 5".
differential: venv devserver develop
	$(VPY) tests/differential/campaign.py --runs 20 --steps 1000 $(DIFF_ARGS)

clean:
	rm -rf $(VENV) target
