# The two entry points: `make demo` (main job) and `make test` (every test). Both work from a fresh clone.
PY        ?= python3
VENV      := .venv
VPY       := $(VENV)/bin/python
CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
DEVSERVER := $(CARGO_TARGET_DIR)/release/aerospike-devserver
export AEROSPIKE_DEVSERVER_BIN ?= $(DEVSERVER)

.PHONY: demo test venv devserver develop test-rust test-python clean bench bench-floor bench-instructions bench-devserver \
        dist-tools wheel sdist-wheel docs docs-screenshots chromium check-dist fuzz differential reliability geo-compare compat-official

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

# The reliability campaign (issue 15, tests/reliability/campaign.py): faults on a 3-node dev cluster,
# telemetry faults, bad input, a million ops per client kind and leaks, event loops; about an hour,
# then a table of figures (raw results in docs/reliability/). `make test` runs a short version of each
# part (tests/reliability/test_*.py). REL_ARGS="--parts faults,leaks" or "--short".
reliability: venv devserver develop
	$(VPY) tests/reliability/campaign.py $(REL_ARGS)
# The official aerospike client's own tests (its repository's test/new_tests, a checkout you point
# OFFICIAL_TESTS at; nothing is fetched) run against aerospike_py: compat/official/README.md.
# Against the dev server, or AEROSPIKE_HOSTS=host:port. COMPAT_ARGS=--failures lists what did not pass.
compat-official: venv devserver develop
	@test -n "$(OFFICIAL_TESTS)" || (echo "set OFFICIAL_TESTS=<aerospike-client-python checkout>/test/new_tests"; exit 2)
	$(VPY) compat/official/run.py --tests $(OFFICIAL_TESTS) $(COMPAT_ARGS)

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

# ---- Packaging and documentation (README "Install"; CI runs `make check-dist` after `make test`)

# The tools of wheel/docs and of their checks; not needed by `make test`.
dist-tools: $(VENV)/.dist-tools
$(VENV)/.dist-tools: requirements-dist.txt $(VENV)/.installed
	$(VPY) -m pip install --quiet -r requirements-dist.txt
	touch $@

# A portable wheel: abi3 (CPython >= 3.10), linked by zig against glibc 2.17 (manylinux2014), the
# `wheel` profile (release without debug info; target/x86_64-unknown-linux-gnu/wheel, so `develop`
# keeps its build). maturin checks the policy (--auditwheel check), auditwheel shows it.
WHEEL_FLAGS := --profile wheel --zig --compatibility manylinux2014 --auditwheel check
DIST := dist
wheel: dist-tools
	rm -rf $(DIST)
	# (.venv/bin first on PATH: maturin finds zig as `python3 -m ziglang`)
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/maturin build $(WHEEL_FLAGS) --out $(DIST)
	$(VENV)/bin/maturin sdist --out $(DIST)
	$(VENV)/bin/auditwheel show $(DIST)/*.whl
	$(VENV)/bin/twine check --strict $(DIST)/*
	@ls -l $(DIST)

# The same wheel built from the sdist alone (tests/dist/test_wheel.py compares the two).
SDIST_BUILD := $(CARGO_TARGET_DIR)/sdist-build
sdist-wheel: dist-tools
	rm -rf $(SDIST_BUILD) && mkdir -p $(SDIST_BUILD)/src
	tar -xzf $(DIST)/*.tar.gz -C $(SDIST_BUILD)/src --strip-components=1
	cd $(SDIST_BUILD)/src && PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(CURDIR)/$(VENV)/bin/maturin build $(WHEEL_FLAGS) --out $(SDIST_BUILD)/wheel

# The documentation site, into site/ (mkdocs.yml; strict: any warning fails). The reference is read
# from the built package, hence `develop`. NO_MKDOCS_2_WARNING silences Material's end-of-life banner
# (mkdocs.yml says why we stay); real warnings still fail the build.
docs: develop dist-tools
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# Debian's chromium for the site's browser test (tests/dist/test_site.py). Root, as on our machines and CI.
chromium:
	command -v chromium >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }

# The README's two screenshots, taken by the browser test from the built site.
docs-screenshots: docs chromium
	SITE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(VPY) -m pytest tests/dist/test_site.py -q

# The wheel, the sdist and the site, checked: metadata, manylinux policy, the sdist's own wheel, the
# client and tracing tests against the installed wheel (with and without the otel extra), the site
# in a headless browser. CI runs it after `make test`.
check-dist: wheel sdist-wheel docs devserver chromium
	$(VPY) -m pytest tests/dist -q -ra

# Long differential campaign (tests/differential/README.md): dev server 1 node vs 3 nodes, or
# AEROSPIKE_REFERENCE_HOSTS=host:port (a real server) vs a 1-node dev server. DIFF_ARGS="--seed 1 --runs 5".
differential: venv devserver develop
	$(VPY) tests/differential/campaign.py --runs 20 --steps 1000 $(DIFF_ARGS)

# Geo queries (points, circles, polygons, multipolygons) on the dev server vs another server:
# GEO_OTHER=127.0.0.1:3100 for a real one (default: a second dev server). GEO_ARGS="--seed 2".
geo-compare: venv devserver develop
	$(VPY) tests/differential/geo_compare.py $(if $(GEO_OTHER),--other $(GEO_OTHER)) $(GEO_ARGS)

clean:
	rm -rf $(VENV) target $(DIST) site
