"""Shared pytest configuration for the whole test suite."""

# Test cluster fixtures (`cluster`, `local_kubelet`) from tests/envtest; see docs/testing.md.
pytest_plugins = ["envtest.plugin"]
