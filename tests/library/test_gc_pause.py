"""The cyclic garbage collector is paused while a diff or a sync runs, full collections wait
while an adapter's load() runs, and the collector's settings are restored after both.

Not part of upstream's contract: a performance choice of ours (diffsync/_gc.py), tested so
that the collector's state is never left changed by the library.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import threading
import weakref
from collections.abc import Iterator

import pytest
from pydantic import field_validator

from diffsync import Adapter, Diff, DiffSyncModel
from diffsync.exceptions import ObjectNotCreated
from diffsync.helpers import DiffSyncDiffer

NEVER = 2**31 - 1


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


@pytest.fixture
def thresholds(collector_enabled) -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_full_collections_wait_while_load_runs_and_return_after(thresholds):
    seen = []

    class Loading(Adapter):
        def load(self):
            seen.append(gc.get_threshold())

    Loading().load()
    assert seen == [(thresholds[0], thresholds[1], NEVER)]
    assert gc.get_threshold() == thresholds


def test_full_collections_wait_while_load_from_dict_runs(thresholds):
    seen = []

    class Probe(DiffSyncModel):
        _modelname = "probe"
        _identifiers = ("name",)

        name: str

        @field_validator("name")
        @classmethod
        def record_thresholds(cls, value: str) -> str:
            seen.append(gc.get_threshold())
            return value

    class Probing(Adapter):
        probe = Probe
        top_level = ["probe"]

    Probing().load_from_dict({"probe": {"a": {"name": "a"}, "b": {"name": "b"}}})
    assert seen == [(thresholds[0], thresholds[1], NEVER)] * 2
    assert gc.get_threshold() == thresholds


def test_young_garbage_is_still_collected_while_load_runs(thresholds):
    collected_during_load = []

    class Node:
        pass

    class Loading(Adapter):
        def load(self):
            freed = []
            node = Node()
            node.itself = node  # only the cyclic collector can free it
            weakref.finalize(node, freed.append, True)
            del node
            kept = [[] for _ in range(5 * gc.get_threshold()[0])]  # enough to run young collections
            collected_during_load.append(bool(freed))
            del kept

    Loading().load()
    assert collected_during_load == [True]


def test_thresholds_return_when_load_raises(thresholds):
    class Failing(Adapter):
        def load(self):
            raise RuntimeError("source unreachable")

    with pytest.raises(RuntimeError):
        Failing().load()
    assert gc.get_threshold() == thresholds


def test_a_load_calling_its_parents_load_restores_once_at_the_end(thresholds):
    seen = []

    class Base(Adapter):
        def load(self):
            seen.append(("base", gc.get_threshold()[2]))

    class Child(Base):
        def load(self):
            super().load()
            seen.append(("child", gc.get_threshold()[2]))

    Child().load()
    assert seen == [("base", NEVER), ("child", NEVER)]
    assert gc.get_threshold() == thresholds


def test_thresholds_set_by_load_itself_are_kept(thresholds):
    class Tuning(Adapter):
        def load(self):
            gc.set_threshold(5000, 20, 20)

    Tuning().load()
    assert gc.get_threshold() == (5000, 20, 20)


def test_loads_in_two_threads_restore_when_the_last_one_ends(thresholds):
    first_inside, second_done = threading.Event(), threading.Event()
    seen_by_first_after_second = []

    class First(Adapter):
        def load(self):
            first_inside.set()
            second_done.wait(timeout=10)
            seen_by_first_after_second.append(gc.get_threshold()[2])

    class Second(Adapter):
        def load(self):
            first_inside.wait(timeout=10)

    first = threading.Thread(target=First().load)
    first.start()
    Second().load()
    second_done.set()
    first.join(timeout=10)
    assert seen_by_first_after_second == [NEVER]
    assert gc.get_threshold() == thresholds


def test_load_keeps_its_name_signature_and_docstring():
    class Loading(Adapter):
        def load(self, path: str, *, strict: bool = True) -> None:
            """Read the inventory at path."""

    assert Loading.load.__name__ == "load"
    assert Loading.load.__doc__ == "Read the inventory at path."
    assert list(inspect.signature(Loading.load).parameters) == ["self", "path", "strict"]


def test_async_and_generator_loads_are_left_as_they_are(thresholds):
    class AsyncLoading(Adapter):
        async def load(self):
            return gc.get_threshold()

    class GeneratorLoading(Adapter):
        def load(self):
            yield gc.get_threshold()

    assert inspect.iscoroutinefunction(AsyncLoading.load)
    assert inspect.isgeneratorfunction(GeneratorLoading.load)
    assert asyncio.run(AsyncLoading().load()) == thresholds


class FullCollections:
    """Each full collection, labelled with what the test said was going on when it started."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.moment = "setup"

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            self.seen.append(self.moment)


@pytest.fixture
def full_collections() -> Iterator[FullCollections]:
    recorder = FullCollections()
    gc.callbacks.append(recorder)
    try:
        yield recorder
    finally:
        gc.callbacks.remove(recorder)


@pytest.fixture
def labelled_diff(full_collections, monkeypatch) -> None:
    """A diff relabels the moment once it starts building (after any collection at its start)."""
    calculate = DiffSyncDiffer._calculate_diffs

    def building(differ: DiffSyncDiffer) -> Diff:
        full_collections.moment = "diff building"
        return calculate(differ)

    monkeypatch.setattr(DiffSyncDiffer, "_calculate_diffs", building)


def test_a_full_collection_a_load_held_back_runs_when_the_next_diff_starts(
    thresholds, full_collections, labelled_diff, backend_a, backend_b
):
    kept: list[list[int]] = []

    class Growing(Adapter):
        def load(self):
            for number in range(200_000):  # enough middle-generation collections to make one due
                kept.append([number])

    gc.collect()
    full_collections.moment = "loading"
    Growing().load()
    Growing().load()
    full_collections.moment = "diff starting"
    backend_a.diff_from(backend_b)
    # Not during either load, once for both, and before the diff built anything.
    assert full_collections.seen == ["setup", "diff starting"]


def test_a_load_that_grows_a_large_heap_little_leaves_full_collections_to_the_collector(
    thresholds, full_collections, labelled_diff, backend_a, backend_b
):
    heap = [str(number) for number in range(10**6, 10**6 + 800_000)]  # blocks, not tracked objects
    gc.collect()
    kept: list[tuple[None]] = []

    class Small(Adapter):
        def load(self):
            item = None
            for _ in range(120_000):  # enough middle-generation collections, one block each
                kept.append((item,))

    full_collections.moment = "loading"
    Small().load()
    assert gc.get_count()[2] > thresholds[2]  # a full collection would be considered...
    full_collections.moment = "diff starting"
    backend_a.diff_from(backend_b)
    # ...but the heap grew too little: the collector decides, not the diff's start.
    assert "diff starting" not in full_collections.seen
    assert "loading" not in full_collections.seen
    assert len(heap) == 800_000


def test_a_diff_lands_in_the_oldest_generation_without_a_collection_walking_it(
    collector_enabled, full_collections, backend_a, backend_b
):
    collections_before = [stats["collections"] for stats in gc.get_stats()]
    diff = backend_a.diff_from(backend_b)
    element = next(diff.get_children())
    assert [stats["collections"] for stats in gc.get_stats()] == collections_before
    assert any(obj is element for obj in gc.get_objects(generation=2))
    assert gc.get_count()[0] < gc.get_threshold()[0]


def test_objects_the_application_froze_stay_frozen_across_a_diff(collector_enabled, backend_a, backend_b):
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        backend_a.diff_from(backend_b)
        assert gc.get_freeze_count() > frozen - 1000  # not released (some frozen objects may die)
    finally:
        gc.unfreeze()
