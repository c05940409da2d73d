"""How a `DiffElement` built by the differ holds its keys and attributes: value tuples.

A tuple of four values takes half the memory of the dict users read, and an object that is the
same on both sides holds one tuple for both. `diffsync.diff.DiffElement` turns a tuple into
that dict when it is first read (and keeps it); these helpers say what the tuples mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diffsync.diff import Diff


class ElementLayout:
    """What the raw values of the elements built alike mean, shared by all of them.

    The differ stores an element's keys and attributes as tuples of values, in the order of
    ``key_names``, ``source_names`` and ``dest_names``, and turns a tuple into the dict users
    see only when they read it (`DiffElement.keys`, `source_attrs`, `dest_attrs`). A tuple of
    four values takes half the memory of the dict, and an object unchanged on both sides holds
    one tuple for both. ``diff_class`` is what the element's child diff is made of, when the
    element gets children.
    """

    __slots__ = ("dest_names", "diff_class", "key_names", "same_names", "source_names")

    def __init__(
        self,
        diff_class: type[Diff],
        key_names: tuple[str, ...] = (),
        source_names: tuple[str, ...] = (),
        dest_names: tuple[str, ...] = (),
    ) -> None:
        self.diff_class = diff_class
        self.key_names = key_names
        self.source_names = source_names
        self.dest_names = dest_names
        self.same_names = source_names == dest_names

    def __deepcopy__(self, memo: dict[int, Any]) -> ElementLayout:
        return self  # immutable and shared by design


_LAYOUTS: dict[type[Diff], ElementLayout] = {}


def layout_for(diff_class: type[Diff]) -> ElementLayout:
    layout = _LAYOUTS.get(diff_class)
    if layout is None:
        layout = _LAYOUTS[diff_class] = ElementLayout(diff_class)
    return layout


class AsGiven:
    """A tuple a user assigned to `keys` or the attrs: kept as given, never read as raw values."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def stored(value: Any) -> Any:
    return AsGiven(value) if type(value) is tuple else value


def view(raw: Any, names: tuple[str, ...]) -> Any:
    """The dict (or whatever was assigned) a raw slot stands for, without storing it."""
    if type(raw) is tuple:
        return dict(zip(names, raw, strict=True))
    if type(raw) is AsGiven:
        return raw.value
    return raw
