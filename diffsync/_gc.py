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


@contextmanager
def collection_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, unless something else already did."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def full_collections_deferred() -> Iterator[None]:
    """Collect only the young generations during the block; nested and threaded blocks share it.

    The first block to enter saves the thresholds and the last to leave restores them, unless
    code inside changed them meanwhile: then its choice stands. A collector that ignores the
    oldest generation's threshold (CPython 3.14's incremental one) simply runs as usual.
    """
    global _deferral_depth, _threshold_before, _threshold_during
    with _deferral_lock:
        if _deferral_depth == 0:
            young, middle, _ = _threshold_before = gc.get_threshold()
            _threshold_during = (young, middle, _NEVER)
            gc.set_threshold(*_threshold_during)
        _deferral_depth += 1
    try:
        yield
    finally:
        with _deferral_lock:
            _deferral_depth -= 1
            if _deferral_depth == 0 and gc.get_threshold() == _threshold_during:
                gc.set_threshold(*_threshold_before)


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
