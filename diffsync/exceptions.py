"""Exceptions raised by diffsync.

Three families, so callers can catch by cause: `ObjectCrudException` when a model's
create/update/delete fails, `ObjectStoreException` when storage refuses or cannot answer, and
`DiffException` when a diff cannot be used.
"""

from __future__ import annotations

from typing import Any


class ObjectCrudException(Exception):
    """A create, update or delete of one object failed."""


class ObjectNotCreated(ObjectCrudException):
    """The object could not be created."""


class ObjectNotUpdated(ObjectCrudException):
    """The object could not be updated."""


class ObjectNotDeleted(ObjectCrudException):
    """The object could not be deleted."""


class ObjectStoreException(Exception):
    """The store refused an operation or could not be reached."""


class ObjectAlreadyExists(ObjectStoreException):
    """An object with the same unique id is already stored.

    `existing_object` holds the object that was being added, as upstream diffsync does.
    """

    def __init__(self, message: str, existing_object: Any, *args: Any, **kwargs: Any) -> None:
        self.existing_object = existing_object
        super().__init__(message, existing_object, *args, **kwargs)


class ObjectNotFound(ObjectStoreException):
    """No object is stored under that model and unique id."""


class ObjectStoreWrongType(ObjectStoreException):
    """The object is of a type this container cannot hold."""


class StoreDataLost(ObjectStoreException):
    """The store's backend no longer holds the data this store read or wrote.

    Raised by reads and flushes of a `RedisStore` when the store's epoch (see
    ``docs/redis-store.md``) is gone or replaced: the server restarted without persistence, was
    flushed, the keys expired or were evicted, or another process cleared the store. Nothing is
    written once the loss is seen; the store keeps raising until it is cleared or rebuilt.
    Defined here, not beside `RedisStore`, so code that handles it needs no Redis client.
    """


class StoreFormatMismatch(ObjectStoreException):
    """The stored data is in a format this diffsync does not read (another version wrote it).

    Raised when a `RedisStore` is opened over data another layout wrote; the data itself is
    intact. Clear the store (`diffsync.store.redis.delete_store` works whatever the format) or
    use another store id, then load again.
    """


class DiffException(Exception):
    """A diff cannot be used as asked."""


class DiffClassMismatch(DiffException):
    """A supplied diff is not an instance of the requested diff class."""
