# The project's commands. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SRC := qa tests benchmarks app.py

.PHONY: setup run test quick lint browser bench screenshots audit clean

setup: $(STAMP)

# CPU PyTorch first, by pip (a plain `torch` would pull a CUDA build of several GB; pip takes the CPU build this
# machine keeps on disk), then the project by uv (the same packages from PyPI: 9 s here against pip's 92 s, 34 s with
# an empty cache).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[dev]"
	touch $(STAMP)

# Index corpus/ (only new or changed files are embedded) and serve the chat on 127.0.0.1:7860.
run: setup
	HF_HUB_OFFLINE=1 $(BIN)/qa index corpus --index index
	HF_HUB_OFFLINE=1 $(BIN)/python app.py

# Debian's Chromium for the browser tests (root installs it; otherwise say how).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: 'sudo apt-get install chromium' (browser tests skip without it)."; fi; }

lint: setup
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)
	$(BIN)/mypy qa
	$(BIN)/lint-imports

# Everything CI runs: lint, types, and the whole suite (real model, served app, real browser), on a worker a core
# (pytest-xdist): each costly group of tests (the browser, the real model, Ray; their `xdist_group`) on one worker,
# the costliest first (tests/conftest.py). Two workers took 356 s here against 660 s in one process, three 403 s.
test: setup browser lint
	HF_HUB_OFFLINE=1 $(BIN)/pytest -n 2 --dist loadgroup --no-loadscope-reorder

# The fast loop: lint and the unit tests only, in parallel (a worker a core; the Ray tests kept in one worker
# by their `xdist_group`).
quick: setup lint
	$(BIN)/pytest -m "not slow" -n auto --dist loadgroup --no-loadscope-reorder

# Re-take the screenshots in docs/ from the browser tests.
screenshots: setup browser
	QA_SCREENSHOTS=docs HF_HUB_OFFLINE=1 $(BIN)/pytest tests/test_browser.py

# Known vulnerabilities in the installed dependencies (says so when the database cannot be reached).
audit: setup
	.ci/audit

bench: setup
	HF_HUB_OFFLINE=1 $(BIN)/python -m benchmarks.quality
	HF_HUB_OFFLINE=1 $(BIN)/python -m benchmarks.factbook
	HF_HUB_OFFLINE=1 $(BIN)/python -m benchmarks.latency

clean:
	rm -rf index/gen-* index/CURRENT index/.lock index/.tmp-* .pytest_cache .mypy_cache .ruff_cache
