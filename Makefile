# Two commands set everything up on a fresh Debian machine (as root):
#   make site   - virtualenv, packages, Graphviz and a CJK font; validate decisions/
#                 and build both sites into site/internal/ and site/client/
#   make test   - the same plus the test tools and Chromium, then the test suite
# Both are idempotent: stamps skip what is already installed.

VENV    := .venv
PYTHON  := $(VENV)/bin/python
DP      := $(VENV)/bin/decision-paths
TODAY   ?=
TODAY_ARG := $(if $(TODAY),--today $(TODAY),)

.PHONY: site validate test system-deps benchmark clean schema serve

site: validate
	$(DP) build $(TODAY_ARG)

validate: $(VENV)/.installed system-deps
	$(DP) validate $(TODAY_ARG)

test: $(VENV)/.installed-test system-deps
	@sh scripts/setup-system.sh browser
	$(PYTHON) -m pytest -q

benchmark: $(VENV)/.installed system-deps
	$(PYTHON) benchmarks/validate_bench.py
	$(PYTHON) benchmarks/build_bench.py
	$(PYTHON) benchmarks/history_bench.py

serve: $(VENV)/.installed system-deps
	$(DP) serve

schema: $(VENV)/.installed
	$(PYTHON) -m decision_paths.schema schema

system-deps:
	@sh scripts/setup-system.sh

$(PYTHON):
	@sh scripts/setup-system.sh python
	python3 -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install -q --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PYTHON) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

clean:
	rm -rf site .pytest_cache .hypothesis .cache/decision-paths
