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


class DiffException(Exception):
    """A diff cannot be used as asked."""


class DiffClassMismatch(DiffException):
    """A supplied diff is not an instance of the requested diff class."""
