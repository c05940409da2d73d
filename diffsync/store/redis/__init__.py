"""`RedisStore`: an adapter's models kept in Redis, so several processes can share one state.

Process A loads an adapter into ``RedisStore(url=..., store_id="inventory")`` and exits; process
B builds the same adapter class over the same store_id, without loading, and diffs or syncs.

Within one process the store behaves like `LocalStore`: it is an identity map (``get`` returns
the same object for a key for as long as the store lives), insertion order is kept, and changes
made to a model after it was added (``add_child``, ``update()``, ``remove_child``) are stored.
To be fast it reads each model's data once, whole, on first use and buffers writes until
`flush()`, which the adapter calls at the end of every diff and sync, `close()` and a completed
``with`` block call, and which runs for every live store when the interpreter exits (a failure
there makes the process exit non-zero). ``write_through=True`` writes each add, update and
remove before the call returns instead.

Redis losing the data (a restart without persistence, expiry, eviction, a failover that lost
the last writes) is detected on the next read or write and raised as `StoreDataLost`, never
taken for an emptier store.

A Redis Cluster works the same way (``url="redis+cluster://host:port"``, ``cluster=True``, or
``client=RedisCluster(...)``): a store's keys share one hash slot, or, with ``shards=N``, are
spread over N slot groups (so over the cluster's masters) with the same guarantees per group.

Values are JSON written by pydantic and read back with the model class the adapter declares for
that model name; nothing named by the data is ever imported or executed. See
``docs/redis-store.md`` for the key layout, the value format and the guarantees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from inspect import isclass
from types import TracebackType
from typing import Any
from uuid import uuid4

try:
    import redis  # noqa: F401  (the optional dependency)
except ImportError as missing:  # the optional dependency: say how to get it
    raise ImportError(
        "diffsync.store.redis needs the redis client library: pip install 'diffsync[redis]'"
    ) from missing
import pydantic

from diffsync._fields import bind_adapter, type_and_unique_id
from diffsync._fields_set import share_fields_set
from diffsync.exceptions import (
    ObjectAlreadyExists,
    ObjectNotFound,
    ObjectStoreException,
    StoreDataLost,
    StoreFormatMismatch,
)
from diffsync.model import DiffSyncModel
from diffsync.store import BaseStore
from diffsync.store.redis import _exit
from diffsync.store.redis._bucket import Bucket
from diffsync.store.redis._client import Client
from diffsync.store.redis._codec import ValueCodec
from diffsync.store.redis._connect import build_client, check_reachable
from diffsync.store.redis._exit import EXIT_STATUS as FLUSH_FAILED_EXIT_STATUS
from diffsync.store.redis._failures import reported
from diffsync.store.redis._generation import Generation
from diffsync.store.redis._keys import FORMAT, SHARDED_FORMAT, StoreKeys
from diffsync.store.redis._layout import Layout, layout_for
from diffsync.store.redis._reader import StoreReader
from diffsync.store.redis._removal import delete_store_keys, group_keys, named_keys
from diffsync.store.redis._replication import Replication
from diffsync.store.redis._replies import text as reply_text
from diffsync.store.redis._values import ValueFormat
from diffsync.store.redis._writer import BucketWriter

#: What `client_from_url` returns: a `redis.Redis`, or a `redis.cluster.RedisCluster` for a
#: cluster URL. Annotate code that takes either with it.
RedisClient = Client

__all__ = [
    "FLUSH_FAILED_EXIT_STATUS",
    "RedisClient",
    "RedisStore",
    "StoreDataLost",
    "StoreFormatMismatch",
    "ValueCodec",
    "client_from_url",
    "delete_store",
    "reply_text",
    "store_keys",
]


def client_from_url(
    url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    socket_timeout: float | None = 10.0,
    socket_connect_timeout: float | None = 5.0,
    retries: int = 3,
    connection_kwargs: dict[str, Any] | None = None,
    cluster: bool = False,
) -> Client:
    """A Redis client for `url` with the timeouts and retry policy `RedisStore` uses itself.

    For code that shares one client between several stores (``RedisStore(client=...)``) or
    keeps its own keys beside them: a client made with ``redis.Redis.from_url`` alone has no
    socket timeouts, so a server that stops answering would hang it for ever. The URL's own
    settings (database, password, TLS options) take precedence over the keyword arguments.

    ``redis+cluster://host:port[,host:port...]/0`` (``rediss+cluster://`` for TLS), or a
    ``redis://`` URL with ``cluster=True``, gives a `redis.cluster.RedisCluster` seeded with
    those nodes; every other URL gives a `redis.Redis`.
    """
    return build_client(
        host=None,
        port=6379,
        url=url,
        db=0,
        username=username,
        password=password,
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_connect_timeout,
        retries=retries,
        connection_kwargs=connection_kwargs,
        cluster=cluster,
    )


def store_keys(client: Client, store_id: str) -> list[str]:
    """The keys of store `store_id` as its meta names them, read without scanning; some may not exist.

    For code that expires or deletes a store's keys by name, e.g. under a Redis user that may
    not SCAN. Data of the previous format (``diffsync-redis/1``) is named too. Keys something
    else wrote under the store's prefix are not: only a SCAN finds those (`delete_store`).
    """
    keys = StoreKeys(store_id)
    with reported(store_id, client, "naming the keys of", keys.pattern, {}):
        named = [key for group in group_keys(client, store_id) for key in named_keys(client, group)]
        return named + named_keys(client, keys)


def delete_store(client: Client, store_id: str, *, scan: bool = True) -> int:
    """Delete store `store_id`, whatever format wrote it; returns how many keys were deleted.

    Unlike ``RedisStore(...).clear()`` it needs no store instance, so it also deletes data a
    store refuses to open (`StoreFormatMismatch`). The keys meta names go first, in one
    transaction; with ``scan`` (the default) a SCAN of the store's prefix then deletes what
    else is there. Pass ``scan=False`` for a Redis user that may not run SCAN.
    """
    keys = StoreKeys(store_id)
    with reported(store_id, client, "delete of", keys.pattern, {}):
        return delete_store_keys(client, store_id, scan=scan)


class RedisStore(BaseStore):
    """A store in Redis shared by every process that names the same `store_id`.

    Connect with ``url`` (``redis://``, ``rediss://`` for TLS, ``unix://`` for a socket),
    ``host``/``port``, or an existing ``client``. ``ttl`` (seconds) makes every key of the store
    expire that long after the last write. ``retries`` transient connection errors and timeouts
    are retried with exponential backoff; anything that still fails raises
    `ObjectStoreException`, naming the operation and the key.

    ``epoch`` (from `epoch` of the store that wrote the data, possibly in another process)
    makes the store refuse to open unless Redis still holds that data. ``write_through=True``
    writes every add, update and remove before it returns. ``codec`` (a `ValueCodec`) stores
    field values JSON cannot encode. ``allow_scan=False`` keeps `clear()` from sending SCAN,
    for a Redis user that may not run it (see `clear`).

    On a Redis Cluster (``url="redis+cluster://..."``, ``cluster=True`` with ``host``/``url``,
    or a ``redis.cluster.RedisCluster`` as ``client``) the store's keys share one hash slot, so
    one master holds them; ``shards=N`` spreads its objects over N slot groups instead (the
    count is recorded with the data: other processes may omit it). Each write waits until a
    replica of the master that took it holds it, where the master has one (``wait_replicas``:
    None for that default, a number to require, 0 never to wait).
    """

    def __init__(
        self,
        *args: Any,
        store_id: str | None = None,
        host: str | None = None,
        port: int = 6379,
        url: str | None = None,
        db: int = 0,
        client: Client | None = None,
        username: str | None = None,
        password: str | None = None,
        ttl: int | None = None,
        socket_timeout: float | None = 10.0,
        socket_connect_timeout: float | None = 5.0,
        retries: int = 3,
        connection_kwargs: dict[str, Any] | None = None,
        epoch: str | None = None,
        write_through: bool = False,
        codec: ValueCodec | None = None,
        allow_scan: bool = True,
        cluster: bool = False,
        shards: int | None = None,
        wait_replicas: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if url and host and port:
            raise ValueError("'url' and 'host' arguments can't be specified together.")
        if client is not None and (url or host):
            raise ValueError("'client' can't be combined with 'url' or 'host': pass one way to connect.")
        if ttl is not None and (not isinstance(ttl, int) or ttl <= 0):
            raise ValueError(f"ttl must be a positive number of seconds or None, got {ttl!r}")
        if codec is not None and not isinstance(codec, ValueCodec):
            raise TypeError(f"codec must be a diffsync.store.redis.ValueCodec, got {codec!r}")
        if codec is not None and tuple(int(part) for part in pydantic.VERSION.split(".")[:2]) < (2, 11):
            raise ObjectStoreException(
                f"RedisStore(codec=...) needs pydantic 2.11 or later, not {pydantic.VERSION}"
            )
        self.store_id = str(uuid4()) if store_id is None else store_id
        self.ttl = ttl
        self.write_through = write_through
        self.allow_scan = allow_scan
        self._keys = StoreKeys(self.store_id)
        self._owns_client = client is None
        if client is None:
            client = build_client(
                host=host,
                port=port,
                url=url,
                db=db,
                username=username,
                password=password,
                socket_timeout=socket_timeout,
                socket_connect_timeout=socket_connect_timeout,
                retries=retries,
                connection_kwargs=connection_kwargs,
                cluster=cluster,
            )
        self._client = client
        self._generation = Generation(str(self), self._keys.meta, expected=epoch)
        try:
            root = check_reachable(client, self._keys.meta, (FORMAT, SHARDED_FORMAT))
            self._generation.observe(root.epoch, False, self._keys.meta)
            self._layout: Layout = layout_for(self.store_id, shards, root, str(self))
            replication = Replication.for_client(client, wait_replicas, str(self))
        except BaseException:
            if self._owns_client:  # nobody else will release it
                client.close()
            raise
        self._values = ValueFormat(str(self), self._keys, codec)
        self._reader = StoreReader(client, self._layout, self._generation, str(self))
        self._writer = BucketWriter(
            client,
            self._layout,
            self._generation,
            self._values.dump,
            ttl,
            direct_json=codec is None,
            replication=replication,
            label=str(self),
        )
        self._buckets: dict[str, Bucket] = {}
        # Model names Redis knows (read once, then kept up to date by our own writes).
        self._registry: set[str] | None = None
        # Models removed, replaced or forgotten so far: see `_membership_version`.
        self._removals = 0
        _exit.track(self)

    def __str__(self) -> str:
        return f"{self.name} ({self.store_id})"

    @property
    def shards(self) -> int:
        """How many slot groups hold the store's objects (1: all keys in one hash slot)."""
        return self._layout.count if self._layout.sharded else 1

    @property
    def epoch(self) -> str | None:
        """The generation of the data this store works on (None until it has seen or written data).

        Hand it to a store in another process (``RedisStore(..., epoch=...)``) to make that one
        refuse to open a store whose data Redis has lost in between.
        """
        return self._generation.epoch

    # -- context and lifecycle -----------------------------------------------------------------

    def __enter__(self) -> RedisStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the store; a block that raised first drops what it left buffered.

        Like a redis-py pipeline, a failed block sends nothing it still buffers: a load that
        stopped half-way never reaches Redis (what was flushed inside the block stays). The
        connections are released either way, and the store leaves the at-exit flush.
        """
        if exc_type is not None:
            self._forget()
        self.close()

    def close(self) -> None:
        """Flush, then release the connections (of a client this store created).

        The connections are released and the store leaves the at-exit flush even when the
        flush raises: the exception is the report, and nothing is retried at exit.
        """
        try:
            self.flush()
        finally:
            _exit.untrack(self)
            if self._owns_client:
                self._client.close()

    def flush(self) -> None:
        """Write every addition, removal and in-place change since the last flush, in batches.

        Raises `StoreDataLost` as soon as a batch finds that Redis no longer holds the data this
        store read or wrote; that batch and everything after it are not written. Any other
        failure keeps what is unwritten for the next flush.
        """
        for bucket in list(self._buckets.values()):
            if bucket.loaded:
                self._write(bucket)

    def refresh(self) -> None:
        """Flush, then forget what was read, so the next reads see other writers' changes.

        Objects handed out before are no longer the ones `get` returns afterwards.
        """
        self.flush()
        self._forget()

    def clear(self) -> None:
        """Delete every key of this store and forget everything it held.

        The keys its meta names go first (every key diffsync writes, without scanning); then,
        unless the store was built with ``allow_scan=False``, a SCAN of the store's prefix
        deletes whatever else is there, whatever its type. SCAN lists keys beyond a Redis
        user's key patterns, so users confined to their own keys are not given it: build their
        stores with ``allow_scan=False`` (keys another program wrote under the prefix then stay).

        The store starts over: its next write begins a new epoch, so other store instances
        still working on the old data raise `StoreDataLost` on their next read or write.
        """
        known = set(self._buckets) | (self._registry or set())
        groups = self._layout.groups if self._layout.sharded else []
        with reported(str(self), self._client, "clear of", self._keys.pattern, {}):
            delete_store_keys(
                self._client, self.store_id, scan=self.allow_scan, groups=groups, known_models=known
            )
        self._buckets = {}
        self._registry = set()
        self._generation.start_over()
        self._layout.ready = False
        self._removals += 1

    # -- the store contract --------------------------------------------------------------------

    def get_all_model_names(self) -> set[str]:
        return self._model_names()

    def get(self, *, model: Any, identifier: str | Mapping[str, Any]) -> DiffSyncModel:
        object_class, model_name = self._get_object_class_and_model(model)
        unique_id = self._get_uid(model, object_class, identifier)
        bucket = self._loaded_bucket(model_name)
        if unique_id not in bucket.entries:
            raise self._not_found(model_name, unique_id)
        return self._materialize(bucket, unique_id, object_class)

    def get_all(self, *, model: Any) -> list[DiffSyncModel]:
        object_class, model_name = self._get_object_class_and_model(model)
        bucket = self._loaded_bucket(model_name)
        return [
            obj if obj is not None else self._materialize(bucket, uid, object_class)
            for uid, obj in list(bucket.entries.items())
        ]

    def get_by_uids(self, *, uids: list[str], model: Any) -> list[DiffSyncModel]:
        object_class, model_name = self._get_object_class_and_model(model)
        if not uids:
            self._bucket(model_name)
            return []
        bucket = self._loaded_bucket(model_name)
        try:
            found = list(map(bucket.entries.__getitem__, uids))
        except KeyError as missing:
            raise self._not_found(model_name, missing.args[0]) from None
        for index, obj in enumerate(found):
            if obj is None:
                found[index] = self._materialize(bucket, uids[index], object_class)
        return found  # type: ignore[return-value]  # every None was replaced

    def remove_item(self, modelname: str, uid: str) -> None:
        bucket = self._loaded_bucket(modelname)
        if uid not in bucket.entries:
            raise self._not_found(modelname, uid)
        bucket.remove(uid)
        self._removals += 1
        if self.write_through:
            self._write(bucket, changed=())

    def add(self, *, obj: DiffSyncModel) -> None:
        # A load adds every object: the short ways first, as LocalStore.add takes them (the
        # parent's add_child that follows reuses the identity read here).
        model_name, unique_id = type_and_unique_id(obj)
        bucket = self._buckets.get(model_name)
        if bucket is None or not bucket.loaded:
            bucket = self._loaded_bucket(model_name)
        existing = bucket.entries.get(unique_id, bucket)
        if existing is not bucket:
            if existing is not obj:
                raise ObjectAlreadyExists(f"Object {unique_id} already present", obj)
            return
        adapter = obj.adapter
        if adapter is None:
            bind_adapter(obj, self.adapter)
        elif adapter is self.adapter:  # already ours (a sync's create): nothing to bind
            share_fields_set(obj)
        elif not adapter:  # an empty adapter is falsy, as upstream tests it (len() counts the store)
            bind_adapter(obj, self.adapter)
        else:
            share_fields_set(obj)
        bucket.add(unique_id, obj)
        if self.write_through:
            try:
                self._write(bucket, changed=())
            except ObjectAlreadyExists:
                # Another writer holds this id: the add did not happen, as in LocalStore.
                if unique_id in bucket.pending_add:
                    del bucket.entries[unique_id], bucket.pending_add[unique_id]
                raise

    def update(self, *, obj: DiffSyncModel) -> None:
        model_name, unique_id = obj.get_type(), obj.get_unique_id()
        bucket = self._loaded_bucket(model_name)
        if unique_id in bucket.entries:
            if bucket.entries[unique_id] is not obj:
                self._removals += 1  # another object replaces the one stored (or unread)
            bucket.replace(unique_id, obj)  # written by the next flush, whatever changed how
        else:
            bucket.add(unique_id, obj)
        if self.write_through:
            self._write(bucket, changed=(unique_id,))

    def count(self, *, model: Any = None) -> int:
        if model:
            model_name = self._model_name(model)
            names = [model_name]
            self._bucket(model_name)
        else:
            names = sorted(self._model_names())
        total = 0
        unread = []
        for name in names:
            bucket = self._buckets.get(name)
            if bucket is not None and bucket.loaded:
                total += len(bucket.entries)
            else:
                unread.append(name)
        if unread:
            total += self._reader.count(unread)
        return total

    # -- internals -----------------------------------------------------------------------------

    def _write(self, bucket: Bucket, changed: Iterable[str] | None = None) -> None:
        """Write `bucket` (see `BucketWriter.write`), reporting failures by key."""
        names = self._model_names() if self.ttl else ()
        data_key = self._keys.data(bucket.name)
        touched = {
            key: kind
            for group in self._layout.groups
            for key, kind in group.expected_types([bucket.name]).items()
        }
        with reported(str(self), self._client, "flush of", data_key, touched):
            wrote = self._writer.write(bucket, changed, names)
        if wrote and self._registry is not None:
            self._registry.add(bucket.name)

    def _forget(self) -> None:
        """Drop everything read and everything still buffered."""
        self._buckets = {}
        self._registry = None
        self._removals += 1  # objects handed out before are no longer the stored ones

    def _membership_version(self) -> int:
        """Changes when a model is removed or replaced, or the store forgets what it read.

        Counted in this instance: other processes' writes are not seen until `refresh()`,
        which counts, so the models this instance hands out stay the ones it stores.
        """
        return self._removals

    def _lookups_return_stored_models(self) -> bool:
        return type(self).get is RedisStore.get

    def _not_found(self, model_name: str, unique_id: str) -> ObjectNotFound:
        return ObjectNotFound(f"{model_name} {unique_id} not present in {self}")

    def _model_names(self) -> set[str]:
        if self._registry is None:
            self._registry = self._reader.model_names()
        return self._registry | self._buckets.keys()

    def _bucket(self, model_name: str) -> Bucket:
        bucket = self._buckets.get(model_name)
        if bucket is None:
            bucket = self._buckets[model_name] = Bucket(model_name)
        return bucket

    def _loaded_bucket(self, model_name: str) -> Bucket:
        bucket = self._bucket(model_name)
        if not bucket.loaded:
            self._reader.read_bucket(bucket)
        return bucket

    def _model_class(self, model_name: str, fallback: Any) -> type[DiffSyncModel]:
        """The class the adapter declares for `model_name` (else the class the caller passed)."""
        found = getattr(self.adapter, model_name, None) if self.adapter is not None else None
        if found is None:
            found = fallback
        if isclass(found) and issubclass(found, DiffSyncModel):
            return found
        raise ObjectStoreException(
            f"{self}: cannot read {self._keys.data(model_name)}: adapter {self.adapter!r} declares no "
            f"model named {model_name!r}; add `{model_name} = <model class>` to the adapter class"
        )

    def _materialize(self, bucket: Bucket, unique_id: str, object_class: Any) -> DiffSyncModel:
        obj = bucket.entries[unique_id]
        if obj is not None:
            return obj
        model_class = self._model_class(bucket.name, object_class)
        data_key = self._keys.data(bucket.name)
        raw = bucket.written[unique_id]
        assert isinstance(raw, bytes)  # only a held object's JSON is replaced by its count
        obj = self._values.load(raw, model_class, unique_id, data_key)
        bind_adapter(obj, self.adapter)
        bucket.entries[unique_id] = obj
        return obj
