# Two commands set everything up on a fresh Debian machine (as root):
#   make site   - virtualenv, the locked packages, Graphviz and a CJK font; validate
#                 decisions/ and build both sites into site/internal/ and site/client/
#   make test   - the same plus the locked test tools and Chromium, then lint, format,
#                 type checks and the whole test suite (under 3 minutes on 2 cores)
# Both are idempotent: stamps skip what is already installed.
# Also: make test-fast (the edit loop: no browser, no full builds), make test-deep
# (fuzz targets with many thousand examples), make lock / make upgrade (move the
# locked versions on purpose, see requirements/README.md), make benchmark (the build at
# 100 and 300 decisions, and more), make benchmark-large (the build at 1,000 and 3,000).

VENV    := .venv
PYTHON  := $(VENV)/bin/python
PIP     := $(PYTHON) -m pip --disable-pip-version-check
DP      := $(VENV)/bin/decision-paths
TODAY   ?=
TODAY_ARG := $(if $(TODAY),--today $(TODAY),)
# The tool that writes the lock is itself pinned; it lives outside .venv.
UV_VERSION := 0.13.8
LOCK_VENV  := .cache/lock-tools
UV         := $(LOCK_VENV)/bin/uv
UV_COMPILE := $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock"
PYTEST_WORKERS ?= 2
# The suite starts the command some hundreds of times: with PYTHONDONTWRITEBYTECODE set (as
# on these machines) each start compiled the package from source again (0.2 s). The tests
# let Python keep its bytecode (in the ignored __pycache__ folders).
PYTEST  := PYTHONDONTWRITEBYTECODE= $(PYTHON) -m pytest

.PHONY: site validate test test-fast test-deep lint system-deps benchmark benchmark-large clean schema serve lock upgrade

site: validate
	$(DP) build $(TODAY_ARG)

validate: $(VENV)/.installed system-deps
	$(DP) validate $(TODAY_ARG)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: lint system-deps
	@sh scripts/setup-system.sh browser
	$(PYTEST) -q -n $(PYTEST_WORKERS)

test-fast: lint system-deps
	$(PYTEST) -q -n $(PYTEST_WORKERS) -m "not browser and not site and not slow"

test-deep: $(VENV)/.installed-test system-deps
	$(PYTEST) -q -n $(PYTEST_WORKERS) --hypothesis-profile deep tests/test_fuzz.py

# Each benchmark exits 1 when it misses a goal; "-" lets the others still run (make then
# lists the misses as ignored errors at the end).
benchmark: $(VENV)/.installed system-deps
	-$(PYTHON) benchmarks/validate_bench.py
	-$(PYTHON) benchmarks/build_bench.py --sizes 100,300
	-$(PYTHON) benchmarks/serve_bench.py
	-$(PYTHON) benchmarks/history_bench.py
	-$(PYTHON) benchmarks/coverage_bench.py

# The build at 1,000 and 3,000 decisions: long (about 45 minutes on 2 cores; a round at 3,000
# is 114 s of ours and 213 s of plain Material, plus the one-edit build).
benchmark-large: $(VENV)/.installed system-deps
	$(PYTHON) benchmarks/build_bench.py --sizes 1000,3000 --no-diagrams

serve: $(VENV)/.installed system-deps
	$(DP) serve

schema: $(VENV)/.installed
	$(PYTHON) -m decision_paths.load.schema schema

system-deps:
	@sh scripts/setup-system.sh

$(PYTHON):
	@sh scripts/setup-system.sh python
	python3 -m venv $(VENV)

# Exactly the locked versions (every file checked against its hash), then the
# package itself, built by the locked setuptools without reaching the index.
$(VENV)/.installed: requirements/site.txt pyproject.toml | $(PYTHON)
	$(PIP) install -q --require-hashes -r requirements/site.txt
	$(PIP) install -q --no-deps --no-build-isolation -e .
	@# pip compiles what it installs, but not an editable package: compiled once here, the
	@# command does not compile itself again at every start (0.2 s, where PYTHONDONTWRITEBYTECODE is set)
	$(PYTHON) -m compileall -q scripts/decision_paths
	@touch $@

$(VENV)/.installed-test: requirements/test.txt $(VENV)/.installed
	$(PIP) install -q --require-hashes -r requirements/test.txt
	@touch $@

$(UV):
	python3 -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

# Resolve the lock again from pyproject.toml's ranges, keeping every pinned
# version that still fits (after a dependency was added or a range changed).
lock: $(UV)
	$(UV_COMPILE) $(UPGRADE) -o requirements/site.txt pyproject.toml requirements/build.in
	$(UV_COMPILE) $(UPGRADE) -o requirements/test.txt --extra test -c requirements/site.txt pyproject.toml requirements/build.in

# Move every package to the newest version the ranges allow.
upgrade:
	$(MAKE) lock UPGRADE=--upgrade

clean:
	rm -rf site .pytest_cache .hypothesis .mypy_cache .ruff_cache .cache/decision-paths
