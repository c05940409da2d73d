"""The cyclic garbage collector is paused while a diff or a sync runs, and restored after.

Not part of upstream's contract: a performance choice of ours (diffsync/_gc.py), tested so
that the collector's state is never left changed by the library.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from diffsync.exceptions import ObjectNotCreated


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_collector_is_paused_during_diff_and_enabled_again_after(collector_enabled, backend_a, backend_b):
    states = []
    backend_a.diff_from(backend_b, callback=lambda *_: states.append(gc.isenabled()))
    assert states and not any(states)
    assert gc.isenabled()


def test_collector_is_paused_during_sync_and_enabled_again_after(collector_enabled, backend_a, backend_b):
    diff = backend_a.diff_from(backend_b)
    states = []
    backend_a.sync_from(backend_b, diff=diff, callback=lambda *_: states.append(gc.isenabled()))
    assert states and not any(states)
    assert gc.isenabled()


def test_collector_disabled_by_the_caller_stays_disabled(collector_enabled, backend_a, backend_b):
    gc.disable()
    backend_a.sync_from(backend_b)
    assert not gc.isenabled()


def test_collector_is_enabled_again_when_a_sync_fails(collector_enabled, backend_a, backend_b, monkeypatch):
    def refuse(cls, adapter, ids, attrs):
        raise ObjectNotCreated("refused")

    for model_class in (backend_a.site, backend_a.device, backend_a.interface, backend_a.person):
        monkeypatch.setattr(model_class, "create", classmethod(refuse))
    with pytest.raises(ObjectNotCreated):
        backend_a.sync_from(backend_b)
    assert gc.isenabled()
