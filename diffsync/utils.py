"""Small helpers shared by the diff renderer and the adapter's tree views."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

# Tree-drawing pieces used by `tree_string`.
SPACE = "    "
BRANCH = "│   "
TEE = "├── "
LAST = "└── "


def intersection(first: Iterable[T], second: Iterable[T]) -> list[T]:
    """The items of `first` that are also in `second`, in the order of `first`."""
    wanted = list(second)
    return [item for item in first if item in wanted]


def symmetric_difference(first: Iterable[T], second: Iterable[T]) -> list[T]:
    """The items in exactly one of the two, sorted so callers get a stable order."""
    return sorted(set(first) ^ set(second))  # type: ignore[type-var]


class OrderedDefaultDict(OrderedDict[Any, Any]):
    """An ordered dict that creates a missing value with `dict_type()`.

    `dict_type` has a default so that copies (`copy.deepcopy` rebuilds with no arguments) work.
    """

    # A class-level default keeps construction cheap: every diff element builds one.
    dict_type: Callable[[], Any] = dict

    def __init__(self, dict_type: Callable[[], Any] = dict) -> None:
        if dict_type is not dict:
            self.dict_type = dict_type

    def __missing__(self, key: Any) -> Any:
        value = self.dict_type()
        self[key] = value
        return value


def _tree_lines(data: dict[str, Any], prefix: str = "") -> Iterator[str]:
    keys = list(data)
    for position, key in enumerate(keys):
        is_last = position == len(keys) - 1
        yield f"{prefix}{LAST if is_last else TEE}{key}"
        if isinstance(data[key], dict) and data[key]:
            yield from _tree_lines(data[key], prefix + (SPACE if is_last else BRANCH))


def tree_string(data: dict[str, Any], root: str) -> str:
    """Draw a nested dict as a text tree under a `root` line."""
    return "\n".join([root, *_tree_lines(data)])


def set_key(data: dict[str, Any], keys: list[str]) -> None:
    """Create nested empty dicts along `keys` (existing levels are kept)."""
    current = data
    for key in keys:
        current = current.setdefault(key, {})


def get_path(nested: dict[str, Any], value: str) -> list[str] | None:
    """The keys leading to the first key equal to `value`, depth first, or None."""
    for key, child in nested.items():
        if key == value:
            return [key]
        if isinstance(child, dict):
            path = get_path(child, value)
            if path is not None:
                return [key, *path]
    return None
