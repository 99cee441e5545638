# govsim: `make run` runs the demo, `make test` runs the test suite.
# Each target creates .venv and installs the project into it when needed (with the dask
# extra, so the executor tests run on a real Dask cluster).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The ceiling: the newest Python here, with the newest releases of every dependency.
CEILING_PYTHON ?= python3.13
CEILING_VENV ?= .venv-ceiling

.PHONY: run test test-slow test-installed fuzz test-ceiling lint docs docs-serve gallery bench bench-experiments theory viz validate robustness clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,viz,dask,ema,geo,docs]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/govsim run scenarios/demo.yaml --plot out/demo.png --plot-by-time out/demo_by_time.png \
		--plot-hours out/demo_hours.png
	$(BIN)/govsim compare scenarios/demo.yaml --policy status_quo --policy whistle_and_report \
		--policy platform_dispatch --policy more_grid_workers --reps 5 --days 180 --plot out/compare.png

# The suite without the tests marked slow (a preset's full validation, the demo's Sobol
# study, the notebooks, the peer's day/night desk …): under 15 minutes on 2 cores.
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# The tests marked slow; CI runs them after `make test`.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

# The wheel installed (not editable) in a fresh venv, used from outside the checkout: the
# README's example, `govsim run demo` and an experiment naming a preset (a few minutes).
test-installed:
	PYTHON=$(PYTHON) .ci/installed

# The generated tests with random, 20 times as many cases (tests/conftest.py's fuzz profile);
# `make test` runs them derandomized. docs/reliability.md gives the counts.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/test_generated.py \
		--hypothesis-show-statistics

# Python 3.13 with the newest releases; Mesa's FutureWarnings and DeprecationWarnings fail.
test-ceiling:
	test -x $(CEILING_VENV)/bin/python || PYENV_VERSION=3.13.0 $(CEILING_PYTHON) -m venv $(CEILING_VENV)
	$(CEILING_VENV)/bin/python -m pip install -q --upgrade pip
	$(CEILING_VENV)/bin/python -m pip install -q --upgrade -e ".[dev,viz,dask,ema,geo,docs]"
	$(CEILING_VENV)/bin/python -m pytest -q -W "error::FutureWarning:mesa" -W "error::DeprecationWarning:mesa"

lint: $(STAMP)
	$(BIN)/ruff check .

# The website: the generated reference pages (docs/scenarios.md from the schema,
# docs/policies.md from policies/, the parameter tables of docs/odd.md), then the site built
# into site/ in strict mode: a broken link or anchor, a page left out of the nav, a public
# module missing from the API reference or an object without a docstring fails it.
# (NO_MKDOCS_2_WARNING: Material's notice about its successor, printed on every build.)
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs
docs: $(STAMP)
	$(BIN)/python -m govsim.reference
	$(MKDOCS) build --strict --clean

# the website on http://127.0.0.1:8000, rebuilt on every change (Ctrl-C stops it)
docs-serve: $(STAMP)
	$(BIN)/python -m govsim.reference
	$(MKDOCS) serve

# every figure family from small demo runs: docs/gallery.md and docs/gallery/*.png
gallery: $(STAMP)
	$(BIN)/python -m govsim.plots.gallery

# the live app on http://localhost:8765 (Ctrl-C stops it)
viz: $(STAMP)
	$(BIN)/govsim viz scenarios/demo.yaml

# the seed presets at full size against their sources; writes docs/validation.md
validate: $(STAMP)
	$(BIN)/govsim validate --all --out docs/validation.md

# the five presets' headline claims, small (16 samples x 2 replications each, ~1 h on 2
# busy cores): writes their sections of docs/robustness.md
ROBUSTNESS = zhenyuan_burden yuyao_whistle wuhou_property kongtong_arbitration helong_pay
robustness: $(STAMP)
	for name in $(ROBUSTNESS); do \
	  rm -rf out/robust/$$name; $(BIN)/govsim robustness robustness/$$name --out out/robust/$$name --executor processes \
	    --workers 2 --markdown docs/robustness.md || exit 1; \
	  cp out/robust/$$name/figures/effects.png docs/robustness/$$name.png; \
	done

theory: $(STAMP)
	$(BIN)/govsim theory

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python -m benchmarks.engine_peers

# Experiments at scale: flat memory over 2,000 runs; serial vs processes vs Dask (8-10 min).
bench-experiments: $(STAMP)
	$(BIN)/python -m benchmarks.experiments memory --runs 2000
	$(BIN)/python -m benchmarks.experiments speedup --runs 200 --days 60 --repeats 3

clean:
	rm -rf $(VENV) $(CEILING_VENV) out .pytest_cache
