"""Shared pytest configuration for the whole test suite."""

# Test cluster fixtures (`cluster`, `local_kubelet`) from tests/envtest; see docs/testing.md.
# Real redis-server fixtures (`redis_server`, `redis_url`, `restartable_redis`, ...) from
# tests/fixtures/redis_server.py; a real six-node Redis Cluster (`redis_cluster`,
# `redis_cluster_url`, `redis_cluster_factory`) from tests/fixtures/redis_cluster.py.
pytest_plugins = ["envtest.plugin", "fixtures.redis_server", "fixtures.redis_cluster"]
