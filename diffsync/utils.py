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


# Parameter names are upstream's (lst1, lst2, nested_dict, search_value): callers pass them by name.


def intersection(lst1: Iterable[T], lst2: Iterable[T]) -> list[T]:
    """The items of `lst1` that are also in `lst2`, in the order of `lst1`."""
    wanted = list(lst2)
    return [item for item in lst1 if item in wanted]


def symmetric_difference(lst1: Iterable[T], lst2: Iterable[T]) -> list[T]:
    """The items in exactly one of the two, sorted so callers get a stable order."""
    return sorted(set(lst1) ^ set(lst2))  # type: ignore[type-var]


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


def get_path(nested_dict: dict[str, Any], search_value: str) -> list[str] | None:
    """The keys leading to the first key equal to `search_value`, depth first, or None."""
    for key, child in nested_dict.items():
        if key == search_value:
            return [key]
        if isinstance(child, dict):
            path = get_path(child, search_value)
            if path is not None:
                return [key, *path]
    return None
