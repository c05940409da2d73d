"""`RedisStore`: an adapter's models kept in Redis, so several processes can share one state.

Process A loads an adapter into ``RedisStore(url=..., store_id="inventory")`` and exits; process
B builds the same adapter class over the same store_id, without loading, and diffs or syncs.

Within one process the store behaves like `LocalStore`: it is an identity map (``get`` returns
the same object for a key for as long as the store lives), insertion order is kept, and changes
made to a model after it was added (``add_child``, ``update()``, ``remove_child``) are stored.
To be fast it reads each model's data once, whole, on first use and buffers writes until
`flush()`, which the adapter calls at the end of every diff and sync, `close()` and the ``with``
block call, and which runs for every live store when the interpreter exits.

Values are JSON written by pydantic and read back with the model class the adapter declares for
that model name; nothing named by the data is ever imported or executed. See
``docs/redis-store.md`` for the key layout, the value format and the guarantees.
"""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from inspect import isclass
from types import TracebackType
from typing import Any
from uuid import uuid4

try:
    import redis
except ImportError as missing:  # the optional dependency: say how to get it
    raise ImportError(
        "diffsync.store.redis needs the redis client library: pip install 'diffsync[redis]'"
    ) from missing
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound, ObjectStoreException
from diffsync.model import DiffSyncModel
from diffsync.store import BaseStore
from diffsync.store.redis._bucket import Bucket
from diffsync.store.redis._connect import build_client, check_reachable
from diffsync.store.redis._keys import FORMAT, StoreKeys
from diffsync.store.redis._replies import raw, text
from diffsync.store.redis._writer import BucketWriter, version_field

__all__ = ["RedisStore", "client_from_url"]

_EXCLUDE: set[str] = {"adapter"}


def client_from_url(
    url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    socket_timeout: float | None = 10.0,
    socket_connect_timeout: float | None = 5.0,
    retries: int = 3,
    connection_kwargs: dict[str, Any] | None = None,
) -> redis.Redis:
    """A Redis client for `url` with the timeouts and retry policy `RedisStore` uses itself.

    For code that shares one client between several stores (``RedisStore(client=...)``) or
    keeps its own keys beside them: a client made with ``redis.Redis.from_url`` alone has no
    socket timeouts, so a server that stops answering would hang it for ever. The URL's own
    settings (database, password, TLS options) take precedence over the keyword arguments.
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
    )


_LIVE: weakref.WeakSet[RedisStore] = weakref.WeakSet()


class RedisStore(BaseStore):
    """A store in Redis shared by every process that names the same `store_id`.

    Connect with ``url`` (``redis://``, ``rediss://`` for TLS, ``unix://`` for a socket),
    ``host``/``port``, or an existing ``client``. ``ttl`` (seconds) makes every key of the store
    expire that long after the last write. ``retries`` transient connection errors and timeouts
    are retried with exponential backoff; anything that still fails raises
    `ObjectStoreException`, naming the operation and the key.
    """

    def __init__(
        self,
        *args: Any,
        store_id: str | None = None,
        host: str | None = None,
        port: int = 6379,
        url: str | None = None,
        db: int = 0,
        client: redis.Redis | None = None,
        username: str | None = None,
        password: str | None = None,
        ttl: int | None = None,
        socket_timeout: float | None = 10.0,
        socket_connect_timeout: float | None = 5.0,
        retries: int = 3,
        connection_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if url and host and port:
            raise ValueError("'url' and 'host' arguments can't be specified together.")
        if client is not None and (url or host):
            raise ValueError("'client' can't be combined with 'url' or 'host': pass one way to connect.")
        if ttl is not None and (not isinstance(ttl, int) or ttl <= 0):
            raise ValueError(f"ttl must be a positive number of seconds or None, got {ttl!r}")
        self.store_id = str(uuid4()) if store_id is None else store_id
        self._keys = StoreKeys(self.store_id)
        self.ttl = ttl
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
            )
        check_reachable(client, self._keys.meta, FORMAT)
        self._client = client
        self._writer = BucketWriter(client, self._keys, self._dump)
        self._buckets: dict[str, Bucket] = {}
        # Model names Redis knows (read once, then kept up to date by our own writes).
        self._registry: set[str] | None = None
        _LIVE.add(self)

    def __str__(self) -> str:
        return f"{self.name} ({self.store_id})"

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
            _LIVE.discard(self)
            if self._owns_client:
                self._client.close()

    def flush(self) -> None:
        """Write every addition, removal and in-place change since the last flush, in batches."""
        wrote = False
        for bucket in list(self._buckets.values()):
            if bucket.loaded:
                with self._errors("flush of", self._keys.data(bucket.name)):
                    wrote |= self._writer.write(bucket)
                if bucket.entries and self._registry is not None:
                    self._registry.add(bucket.name)
        if wrote and self.ttl:
            with self._errors("refreshing the ttl of", self._keys.prefix + ":*"):
                self._writer.refresh_ttl(self._model_names(), self.ttl)

    def refresh(self) -> None:
        """Flush, then forget what was read, so the next reads see other writers' changes.

        Objects handed out before are no longer the ones `get` returns afterwards.
        """
        self.flush()
        self._forget()

    def clear(self) -> None:
        """Delete every key of this store from Redis and forget everything held in memory."""
        names = self._model_names()
        keys = self._keys.all_keys(names)
        with self._errors("clear of", self._keys.prefix + ":*"):
            pipe = self._client.pipeline(transaction=True)
            for start in range(0, len(keys), 500):
                pipe.unlink(*keys[start : start + 500])
            pipe.execute()
        self._buckets = {}
        self._registry = set()

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
        entries = bucket.entries
        try:
            found = [entries[unique_id] for unique_id in uids]
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

    def add(self, *, obj: DiffSyncModel) -> None:
        model_name, unique_id = obj.get_type(), obj.get_unique_id()
        bucket = self._loaded_bucket(model_name)
        if unique_id in bucket.entries:
            if bucket.entries[unique_id] is not obj:
                raise ObjectAlreadyExists(f"Object {unique_id} already present", obj)
            return
        if not obj.adapter:
            obj.adapter = self.adapter
        bucket.add(unique_id, obj)

    def update(self, *, obj: DiffSyncModel) -> None:
        model_name, unique_id = obj.get_type(), obj.get_unique_id()
        bucket = self._loaded_bucket(model_name)
        if unique_id in bucket.entries:
            bucket.entries[unique_id] = obj
        else:
            bucket.add(unique_id, obj)

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
            with self._errors("count of", self._keys.data(unread[0])):
                pipe = self._client.pipeline(transaction=True)
                for name in unread:
                    pipe.hlen(self._keys.data(name))
                total += sum(pipe.execute())
        return total

    # -- internals -----------------------------------------------------------------------------

    @contextmanager
    def _errors(self, operation: str, key: str) -> Iterator[None]:
        """Report any Redis failure as an `ObjectStoreException` that names what failed."""
        try:
            yield
        except redis.RedisError as error:
            raise ObjectStoreException(
                f"{self}: {operation} {key} failed: {type(error).__name__}: {error}"
            ) from error

    def _forget(self) -> None:
        """Drop everything read and everything still buffered."""
        self._buckets = {}
        self._registry = None

    def _not_found(self, model_name: str, unique_id: str) -> ObjectNotFound:
        return ObjectNotFound(f"{model_name} {unique_id} not present in {self}")

    def _model_names(self) -> set[str]:
        if self._registry is None:
            with self._errors("reading the model names in", self._keys.models):
                members = self._client.smembers(self._keys.models)
            self._registry = {text(member) for member in members}
        return self._registry | self._buckets.keys()

    def _bucket(self, model_name: str) -> Bucket:
        bucket = self._buckets.get(model_name)
        if bucket is None:
            bucket = self._buckets[model_name] = Bucket(model_name)
        return bucket

    def _loaded_bucket(self, model_name: str) -> Bucket:
        bucket = self._bucket(model_name)
        if not bucket.loaded:
            self._read(bucket)
        return bucket

    def _read(self, bucket: Bucket) -> None:
        """Read one model's order and values in one MULTI, so they are a consistent snapshot."""
        data_key = self._keys.data(bucket.name)
        with self._errors("reading", data_key):
            pipe = self._client.pipeline(transaction=True)
            pipe.lrange(self._keys.order(bucket.name), 0, -1)
            pipe.hgetall(data_key)
            pipe.hget(self._keys.meta, version_field(bucket.name))
            order, values, version = pipe.execute()
        bucket.fill(
            [text(uid) for uid in order],
            {text(uid): raw(value) for uid, value in values.items()},
            text(version) if version is not None else "0",
        )

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
        try:
            obj = model_class.model_validate_json(bucket.written[unique_id])
        except ValidationError as error:
            raise ObjectStoreException(
                f"{self}: field {unique_id!r} of {self._keys.data(bucket.name)} is not a valid "
                f"{model_class.__name__}: {error}; delete or rewrite that field, or clear() the store"
            ) from error
        obj.adapter = self.adapter
        bucket.entries[unique_id] = obj
        return obj

    def _dump(self, obj: DiffSyncModel, model_name: str, unique_id: str) -> bytes:
        try:
            value: bytes = type(obj).__pydantic_serializer__.to_json(obj, exclude=_EXCLUDE)
        except PydanticSerializationError as error:
            raise ObjectStoreException(
                f"{self}: cannot store {model_name} {unique_id!r} in {self._keys.data(model_name)}: "
                f"{error}; give the field a JSON-serialisable type or a pydantic field serializer"
            ) from error
        return value


@atexit.register
def _flush_live_stores() -> None:
    """Write what live stores still buffer, so a script that loads and exits leaves its data."""
    for store in list(_LIVE):
        store._writer.overlap = False
        try:
            store.flush()
        except Exception as error:  # an exit hook must not hide the others
            store._log.error("Could not flush the Redis store at exit", error=str(error))
