"""Which runs make up a benchmark: sizes, stores, implementations, and the rules between them.

RedisStore runs at 36k (both implementations) and at 1m (ours only): upstream's RedisStore
needs minutes at 36k already. RedisStore on a Redis Cluster (``cluster``) runs where RedisStore
does, ours only (upstream's RedisStore has no cluster support). Upstream's in-memory store is
skipped at 1m for the same reason. ``1m-few`` is the 1m inventory with a tenth of the drift
(0.2% instead of 2%), LocalStore only: beside 1m it shows what a sync costs per change at the
same store size.
A size given as a plain number is devices per site, for quick experiments; it runs everything
except upstream's RedisStore above 36k.
"""

from __future__ import annotations

from dataclasses import dataclass

# cluster: RedisStore spread over three slot groups of a six-node Redis Cluster (ours only).
STORES = ("local", "redis", "cluster")
IMPLEMENTATIONS = ("ours", "upstream")


@dataclass(frozen=True)
class Size:
    """A workload size: its label and the devices per site that give it."""

    label: str
    devices_per_site: int
    redis: bool = True
    upstream_local: bool = True
    upstream_redis: bool = True
    rate: float = 0.02  # the share of objects that drift between the two sides


NAMED_SIZES = {
    # 10 sites x N devices x 8 interfaces on each side: 2 x (10 + 90 N) objects plus drift.
    "36k": Size("36k", 200),
    "360k": Size("360k", 2000, redis=False, upstream_redis=False),
    "1m": Size("1m", 5555, upstream_local=False, upstream_redis=False),
    "1m-few": Size("1m-few", 5555, redis=False, upstream_local=False, upstream_redis=False, rate=0.002),
}
DEFAULT_SIZES = "36k,360k,1m,1m-few"


@dataclass(frozen=True)
class Cell:
    """One benchmark run: an implementation on a store at a size."""

    implementation: str
    store: str
    size: Size


def parse_sizes(text: str) -> list[Size]:
    """``"36k,360k"`` -> sizes; a bare number is devices per site."""
    sizes = []
    for raw in (part.strip().lower() for part in text.split(",")):
        if raw in NAMED_SIZES:
            sizes.append(NAMED_SIZES[raw])
        elif raw.isdigit() and int(raw) > 0:
            devices = int(raw)
            sizes.append(Size(f"{devices}/site", devices, upstream_redis=devices <= 200))
        else:
            raise ValueError(
                f"unknown size {raw!r} in --sizes: use {', '.join(NAMED_SIZES)} or a number of "
                "devices per site"
            )
    return sizes


def parse_stores(text: str) -> list[str]:
    """``"local,redis"`` -> stores, checked against the known ones."""
    stores = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [store for store in stores if store not in STORES]
    if unknown or not stores:
        raise ValueError(f"unknown store(s) {unknown} in --stores: use {', '.join(STORES)}")
    return stores


def plan(sizes: list[Size], stores: list[str], with_upstream: bool) -> list[Cell]:
    """Every run to make, in the order the table shows them."""
    cells = []
    for size in sizes:
        for store in STORES:
            if store not in stores:
                continue
            if store in ("redis", "cluster") and not size.redis:
                continue
            cells.append(Cell("ours", store, size))
            if store == "cluster":
                continue
            upstream_allowed = size.upstream_local if store == "local" else size.upstream_redis
            if with_upstream and upstream_allowed:
                cells.append(Cell("upstream", store, size))
    return cells
