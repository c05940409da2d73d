"""The exception hierarchy and what ObjectAlreadyExists carries."""

from __future__ import annotations

import pytest
from library_inventory import Device, Site

from diffsync import Adapter, DiffSyncModel
from diffsync.exceptions import (
    DiffClassMismatch,
    DiffException,
    ObjectAlreadyExists,
    ObjectCrudException,
    ObjectNotCreated,
    ObjectNotDeleted,
    ObjectNotFound,
    ObjectNotUpdated,
    ObjectStoreException,
    ObjectStoreWrongType,
)


@pytest.mark.parametrize(
    ("exc", "parent"),
    [
        (ObjectCrudException, Exception),
        (ObjectNotCreated, ObjectCrudException),
        (ObjectNotUpdated, ObjectCrudException),
        (ObjectNotDeleted, ObjectCrudException),
        (ObjectStoreException, Exception),
        (ObjectAlreadyExists, ObjectStoreException),
        (ObjectNotFound, ObjectStoreException),
        (ObjectStoreWrongType, ObjectStoreException),
        (DiffException, Exception),
        (DiffClassMismatch, DiffException),
    ],
)
def test_exception_has_its_documented_parent(exc, parent):
    assert exc.__bases__ == (parent,)


def test_crud_store_and_diff_exception_families_are_unrelated():
    assert not issubclass(ObjectStoreException, ObjectCrudException)
    assert not issubclass(DiffException, ObjectStoreException)
    assert not issubclass(ObjectCrudException, DiffException)


def test_object_already_exists_keeps_the_object_and_the_args():
    marker = object()
    error = ObjectAlreadyExists("boom", marker, "extra")
    assert error.existing_object is marker
    assert error.args == ("boom", marker, "extra")


def test_adapter_add_duplicate_carries_the_new_object_not_the_stored_one():
    adapter = Adapter()
    adapter.add(DiffSyncModel())
    new_obj = DiffSyncModel()
    with pytest.raises(ObjectAlreadyExists) as error:
        adapter.add(new_obj)
    assert error.value.existing_object is new_obj


def test_add_child_duplicate_carries_the_child_in_args():
    site = Site(name="hq")
    child = Device(name="r1")
    site.add_child(Device(name="r1"))
    with pytest.raises(ObjectAlreadyExists) as error:
        site.add_child(child)
    assert error.value.args[1] is child
