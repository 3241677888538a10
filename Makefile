# The two set-up commands the README promises: `make demo` and `make test`.
# Both build .venv from nothing. CPU torch is installed first, at the version pinned in
# constraints.txt (the package itself only asks for torch >= 2.1), and every later install is
# held to the same constraints, so that nothing pulls a multi-GB CUDA build. Off this machine,
# point TORCH_INDEX at PyTorch's CPU wheel index:
#   make demo TORCH_INDEX=https://download.pytorch.org/whl/cpu
PYTHON ?= python3
VENV ?= .venv
CONSTRAINTS ?= constraints.txt
TORCH_INDEX ?=
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# pip byte-compiles what it installs (not --no-compile, though that made the install 60 s
# shorter): where PYTHONDONTWRITEBYTECODE is set, nothing compiled on first use is kept, and
# every test process compiled torch again (BENCHMARKS.md, "The test suite's install").
PIP_INSTALL := $(PIP) install --quiet
# Everything after torch is installed by uv (from PyPI, like pip), which resolves to the same
# versions and, compiling bytecode on both cores, installs the dev extras in about half pip's
# time (BENCHMARKS.md, "The test suite's install"). Should uv fail (an index it cannot reach),
# pip installs instead. torch stays with pip: it comes from the machine's own wheel (pip's
# find-links), which uv does not read, and uv keeps the torch it finds.
UV_INSTALL := $(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode
# The 30 slowest tests are listed at the end: the suite is held under 15 minutes with its install.
PYTEST_ARGS ?= --durations=30
# The test suite runs on three processes (pytest-xdist): on this project's 2-core machine
# many tests wait (for a server, a Ray or PostgreSQL start, a subprocess) and leave a core idle,
# and a fresh clone's `make test` took 887-893 s on two and 744-822 s on three (BENCHMARKS.md, "A
# twenty-third session"). Three, the number it is checked with; a plain `pytest` runs on one, and
# `make test PYTEST_WORKERS=0` does too.
PYTEST_WORKERS ?= 3
# A process that has run out of tests takes some from another's queue (xdist's worksteal), and
# the slow ones run first (tests/conftest.py): the run does not end on one process alone.
PYTEST_DIST ?= worksteal

.PHONY: demo test lint typecheck bench validate clean

$(VENV)/.torch:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip uv
	$(PIP_INSTALL) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) -c $(CONSTRAINTS) torch
	touch $@

# The demo installs every extra the README's commands use (the pytest plugin, detoxify).
$(VENV)/.installed: $(VENV)/.torch pyproject.toml $(CONSTRAINTS)
	$(UV_INSTALL) -c $(CONSTRAINTS) -e ".[all]" \
	  || $(PIP_INSTALL) -c $(CONSTRAINTS) -e ".[all]"
	touch $@

$(VENV)/.installed-dev: $(VENV)/.torch pyproject.toml $(CONSTRAINTS)
	$(UV_INSTALL) -c $(CONSTRAINTS) -e ".[dev]" \
	  || $(PIP_INSTALL) -c $(CONSTRAINTS) -e ".[dev]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	@# Exit 1 means a gate failed: the demo assistant has documented flaws, so that is expected.
	$(VENV)/bin/assurance run suites/ --target targets/demo.yaml --reports reports; \
	  code=$$?; if [ $$code -gt 1 ]; then exit $$code; fi
	$(VENV)/bin/assurance runs list --reports reports
	$(VENV)/bin/assurance register status --reports reports
	$(VENV)/bin/assurance ui --index --reports reports
	@echo "Open reports/index.html (every run's report), or browse, compare and review with: $(VENV)/bin/assurance ui"

# The package's own modules are compiled first: where PYTHONDONTWRITEBYTECODE is set (as in this
# project's shells) nothing compiled on import is kept, and each of the thousands of
# `assurance` processes the tests start compiled the package again, about 0.3 s a run
# (BENCHMARKS.md, "The test suite's time").
test: $(VENV)/.installed-dev
	$(PY) -m compileall -q src >/dev/null
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy src

bench: $(VENV)/.installed-dev
	$(PY) benchmarks/runner_throughput.py
	$(PY) benchmarks/detoxify_throughput.py

validate: $(VENV)/.installed-dev
	$(PY) benchmarks/validate_scorers.py

clean:
	rm -rf $(VENV) reports/*/ reports/runs.db
