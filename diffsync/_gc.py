"""Keeping CPython's cyclic garbage collector off the models while they are built and compared.

Two moments in a sync create objects by the hundred thousand that all stay alive:

- A diff builds one element per object and keeps all of them until it returns, so collections
  triggered meanwhile find nothing to free, yet each full collection walks every live model of
  both adapters: about a third of a diff's time at 36k objects and half at 360k. The collector
  is paused for the whole diff or sync (`collection_paused`).
- An adapter's `load()` adds model after model to its store. Full collections keep walking every
  model already loaded, and the more there are the more of them run: about 45% of a 360k load.
  Here the collector keeps running for the young generations, which is where the short-lived
  garbage of user code (parsers, HTTP clients) is found and freed; only the full collections
  wait until `load()` (or `load_from_dict()`) returns (`full_collections_deferred`).

Reference counting frees memory as usual in both cases, and the collector's previous settings
are restored when the block ends, whatever happens. Both are process-wide settings, so other
threads see them for that time; the changes are documented in docs/compatibility.md.
"""

from __future__ import annotations

import functools
import gc
import inspect
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# threshold2 counts collections of the middle generation; C int's largest value means "never".
_NEVER = 2**31 - 1

_WRAPPED_MARK = "__diffsync_full_collections_deferred__"

_deferral_lock = threading.Lock()
_deferral_depth = 0
_threshold_before: tuple[int, int, int] = gc.get_threshold()
_threshold_during: tuple[int, int, int] = gc.get_threshold()
_blocks_before = 0
_full_collection_pending = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, unless something else already did.

    A full collection a load held back (see `full_collections_deferred`) runs first, while the
    heap holds the loaded models but not yet what the block builds on top of them.
    """
    global _full_collection_pending
    was_enabled = gc.isenabled()
    if _full_collection_pending:
        _full_collection_pending = False
        if was_enabled and gc.get_count()[2] > gc.get_threshold()[2] > 0:
            gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _promote_young_objects()
            gc.enable()


def _promote_young_objects() -> None:
    """Move every young object to the oldest generation, without a collection walking them.

    A paused diff leaves a million new objects in the youngest generation: the diff, which the
    caller keeps. The first collection after the pause would walk all of them (a tenth of a
    large diff's time) and find nothing to free. `gc.freeze()` then `gc.unfreeze()` moves
    them to the oldest generation in constant time instead, where a full collection checks
    them like any long-lived object. Skipped when the application froze objects itself, as
    `unfreeze()` would release those too.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


@contextmanager
def full_collections_deferred() -> Iterator[None]:
    """Collect only the young generations during the block; nested and threaded blocks share it.

    The first block to enter saves the thresholds and the last to leave restores them, unless
    code inside changed them meanwhile: then its choice stands. A collector that ignores the
    oldest generation's threshold (CPython 3.14's incremental one) simply runs as usual.
    """
    global _deferral_depth, _threshold_before, _threshold_during, _blocks_before, _full_collection_pending
    with _deferral_lock:
        if _deferral_depth == 0:
            young, middle, _ = _threshold_before = gc.get_threshold()
            _threshold_during = (young, middle, _NEVER)
            gc.set_threshold(*_threshold_during)
            _blocks_before = sys.getallocatedblocks()
        _deferral_depth += 1
    try:
        yield
    finally:
        with _deferral_lock:
            _deferral_depth -= 1
            if _deferral_depth == 0 and gc.get_threshold() == _threshold_during:
                gc.set_threshold(*_threshold_before)
                if _full_collection_due(_threshold_before[2]):
                    _full_collection_pending = True


def _full_collection_due(oldest_threshold: int) -> bool:
    """Whether the collector would run a full collection at its next chance.

    CPython collects the oldest generation once it has counted more than its threshold of
    middle-generation collections, and only while the objects that reached the oldest
    generation since the last full collection are more than a quarter of those it kept then.
    The second count is not exposed; the growth of the interpreter's allocated blocks during
    the deferral stands for it. The collection then runs when the next diff or sync starts
    (`collection_paused`), unless the collector got to it first: that walks the loaded models
    once, and not also everything the diff builds on top of them, as a collection at the end
    of the diff would; two loads in a row (both sides of a sync) share the one collection.
    """
    grown = sys.getallocatedblocks() - _blocks_before
    return gc.isenabled() and gc.get_count()[2] > oldest_threshold > 0 and grown * 4 > _blocks_before


def with_full_collections_deferred(function: Callable[P, R]) -> Callable[P, R]:
    """Wrap a plain (not async, not generator) function so its calls run deferred."""
    if getattr(function, _WRAPPED_MARK, False) or not _is_plain_function(function):
        return function

    @functools.wraps(function)
    def deferred(*args: P.args, **kwargs: P.kwargs) -> R:
        with full_collections_deferred():
            return function(*args, **kwargs)

    setattr(deferred, _WRAPPED_MARK, True)
    return deferred


def _is_plain_function(function: object) -> bool:
    """Only a plain function runs its body inside the call; the others return before it starts."""
    return (
        inspect.isfunction(function)
        and not inspect.iscoroutinefunction(function)
        and not inspect.isgeneratorfunction(function)
        and not inspect.isasyncgenfunction(function)
    )
