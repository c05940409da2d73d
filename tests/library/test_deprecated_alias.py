"""DiffSync is a deprecated alias of Adapter."""

from __future__ import annotations

import warnings

import pytest

from diffsync import Adapter, DiffSync

MESSAGE = "'diffsync.DiffSync' is deprecated and will be removed with 2.1, use 'diffsync.Adapter' instead."


def test_instantiating_diffsync_warns_with_the_deprecation_message():
    with pytest.warns(DeprecationWarning) as record:
        DiffSync()
    assert [str(w.message) for w in record] == [MESSAGE]


def test_subclassing_diffsync_warns():
    with pytest.warns(DeprecationWarning, match="'diffsync.DiffSync' is deprecated"):

        class Legacy(DiffSync):
            pass


def test_instantiating_a_diffsync_subclass_does_not_warn():
    with pytest.deprecated_call():

        class Legacy(DiffSync):
            pass

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        adapter = Legacy()
    assert adapter.type == "Legacy"


def test_diffsync_carries_the_message_in_dunder_deprecated():
    assert DiffSync.__deprecated__ == MESSAGE


def test_diffsync_is_an_adapter_subclass_without_additions():
    assert DiffSync.__bases__ == (Adapter,)


def test_bare_diffsync_has_its_class_name_as_type_and_name():
    with pytest.deprecated_call():
        adapter = DiffSync()
    assert (adapter.type, adapter.name) == ("DiffSync", "DiffSync")
