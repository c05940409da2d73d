# The project's vocabulary. Every target creates or reuses the virtualenv it needs, so a
# fresh machine needs nothing but python3 (and root, for the Debian packages tests use).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: help venv test lint layering demo bench upstream-venv bench-operator generate envtest redis-server clean

help:
	@echo "make demo            run the example SyncJob locally (no cluster, no Redis)"
	@echo "make test            everything: lint, layering, unit, Redis and cluster tests"
	@echo "                     (fast loop: .venv/bin/pytest -m 'not cluster')"
	@echo "make lint            ruff, mypy (diffsync/, operator/), layering check"
	@echo "make bench           library and store benchmarks (prints a table)"
	@echo "make upstream-venv   upstream diffsync 2.2.3 in .bench/upstream-venv, for make bench"
	@echo "make bench-operator  operator benchmark on the test control plane"
	@echo "make generate        regenerate the CRD from the SyncJob models"
	@echo "make envtest         build and cache the control-plane binaries"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[redis,operator,test,cli]'
	@rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP)

# redis-server (and redis-cli, which the Redis Cluster tests use) from Debian when either is
# missing and we are allowed to install it.
redis-server:
	@{ command -v redis-server && command -v redis-cli; } >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
	    || { echo "could not install redis-server"; exit 1; }; \
	  else echo "redis-server or redis-cli is missing: install the Debian package redis-server"; exit 1; fi; }

layering: venv
	$(PY) tools/check_layering.py

lint: venv layering
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check diffsync operator tests tools benchmarks examples
	$(VENV)/bin/mypy diffsync operator/diffsync_operator

# Everything CI runs. For a fast loop without the control plane: .venv/bin/pytest -m "not cluster"
test: lint redis-server envtest
	$(PY) -m pytest -q

# The README's first command: the network example's SyncJob run locally, with no cluster and
# no Redis. Reuses a current full install; otherwise installs only the `cli` extra (fast).
DEMO_STAMP := $(VENV)/.demo-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

$(DEMO_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -e $(STAMP) || $(PY) -m pip install -q --disable-pip-version-check -e '.[cli]'
	@rm -f $(VENV)/.demo-*; touch $@

demo: $(DEMO_STAMP)
	@rm -f /tmp/diffsync-network-inventory.db
	$(VENV)/bin/diffsync run examples/network/syncjob.yaml

# Library and store benchmarks. Set UPSTREAM_PYTHON to an interpreter with upstream diffsync
# 2.2.3 (see `make upstream-venv`) to add the upstream columns and ratios to the table.
bench: venv redis-server
	$(PY) -m benchmarks $(BENCH_ARGS)

# Operator benchmark on the test control plane: apply-to-first-pod latency, per-job overhead
# on the ~36k-object inventory against the same stages in one process, and 50 jobs at once.
bench-operator: venv redis-server envtest
	$(PY) tests/operator/bench_operator.py $(BENCH_ARGS)

# Upstream diffsync 2.2.3 in its own virtualenv, for the benchmark's comparison columns.
UPSTREAM_VENV ?= .bench/upstream-venv
upstream-venv: $(UPSTREAM_VENV)/.installed-2.2.3

$(UPSTREAM_VENV)/.installed-2.2.3:
	@test -x $(UPSTREAM_VENV)/bin/python || $(PYTHON) -m venv $(UPSTREAM_VENV)
	$(UPSTREAM_VENV)/bin/python -m pip install -q --upgrade pip
	$(UPSTREAM_VENV)/bin/python -m pip install -q 'diffsync==2.2.3' redis hiredis
	@touch $@

# The SyncJob CRD is generated from the pydantic models (tests/operator checks it is current).
generate: venv
	$(PY) -m diffsync_operator.api.crd

# Control-plane binaries (etcd, kube-apiserver, kube-controller-manager, kubectl, helm) built
# from pinned Go modules into ~/.cache/diffsync/envtest/<version>/; a no-op once cached.
envtest:
	tests/tooling/envtest/build.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
