# The project's vocabulary. Every target creates or reuses the virtualenv it needs, so a
# fresh machine needs nothing but python3 (and root, for the Debian packages tests use).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: help venv test test-fast lint layering demo bench bench-operator generate envtest redis-server clean

help:
	@echo "make demo            run the example SyncJob locally (no cluster, no Redis)"
	@echo "make test            everything: lint, layering, unit, Redis and cluster tests"
	@echo "make lint            ruff, mypy (diffsync/), layering check"
	@echo "make bench           library and store benchmarks (prints a table)"
	@echo "make bench-operator  operator benchmark on the test control plane"
	@echo "make generate        regenerate the CRD from the SyncJob models"
	@echo "make envtest         build and cache the control-plane binaries"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[redis,operator,test]'
	@rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP)

# redis-server from Debian when it is missing and we are allowed to install it.
redis-server:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
	    || { echo "could not install redis-server"; exit 1; }; \
	  else echo "redis-server is missing: install the Debian package redis-server"; exit 1; fi; }

layering: venv
	$(PY) tools/check_layering.py

lint: venv layering
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check diffsync
	$(VENV)/bin/mypy diffsync

test: venv redis-server envtest layering
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy diffsync
	$(PY) -m pytest -q

demo:
	@echo "coming soon: the local SyncJob runner"

bench: venv redis-server
	$(PY) -m benchmarks

envtest:
	@echo "envtest: not built yet"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
