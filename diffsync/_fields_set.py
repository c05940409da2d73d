"""One pydantic "fields set" shared by the stored models that have the same one.

pydantic gives every model instance its own ``__pydantic_fields_set__``: the names of the
fields set explicitly, which ``model_dump(exclude_unset=True)`` and ``model_fields_set`` read.
A set of seven names takes 728 bytes, more than the rest of a small model together (its
instance and ``__dict__`` take about 380), and is one more object for the cyclic collector
to walk. A million stored models that all hold the same seven names hold 700 MB of copies.

So a store that takes a model in (`share_fields_set`) swaps its set for one shared set with
the same names, kept per model class. The shared set is never changed in place:

- `DiffSyncModel.__setattr__` gives the model its own copy again before pydantic records an
  assignment in it (`own_fields_set`), so assigning fields works and is recorded as before;
- pydantic's copies (``model_copy``, ``copy.copy``, pickling) get plain sets;
- code that changes the set it got from ``model_fields_set`` in place gets a `TypeError`
  instead of silently changing every other model's set.
"""

from __future__ import annotations

from typing import Any, NoReturn

# Most classes have one or two patterns of explicitly set fields; a class whose models are
# built in more ways than this keeps its extra patterns per instance, as pydantic does.
_PATTERNS_PER_CLASS = 8


class SharedFieldsSet(set[str]):
    """A fields set held by many models at once: read it freely, never change it in place."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(
            "this model's fields set is shared with other models stored alike; assign the field "
            "(model.field = value) instead of changing model_fields_set in place"
        )

    add = discard = remove = pop = clear = update = _refuse
    intersection_update = difference_update = symmetric_difference_update = _refuse
    __ior__ = __iand__ = __isub__ = __ixor__ = _refuse

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[type[set[str]], tuple[list[str]]]:
        return set, (list(self),)


_SHARED: dict[type, list[SharedFieldsSet]] = {}


def _shared_set(model_class: type, names: set[str], also: str | None) -> SharedFieldsSet | None:
    """The class's shared set holding ``names`` plus ``also``, made if the class has room."""
    size = len(names) if also is None or also in names else len(names) + 1
    patterns = _SHARED.get(model_class)
    if patterns is None:
        patterns = _SHARED[model_class] = []
    for shared in patterns:
        if len(shared) == size and (also is None or also in shared) and shared.issuperset(names):
            return shared
    if len(patterns) >= _PATTERNS_PER_CLASS:
        return None
    shared = SharedFieldsSet(names)
    if also is not None:
        set.add(shared, also)
    patterns.append(shared)
    return shared


# Per class, for each ``also``: the shared set found last, tried first (a load builds models
# alike).
_LAST: dict[str | None, dict[type, SharedFieldsSet]] = {None: {}, "adapter": {}}


def last_shared_with(also: str | None) -> dict[type, SharedFieldsSet]:
    """Per class, the shared set holding ``also`` that a model of it got last."""
    return _LAST.setdefault(also, {})


def share_fields_set(model: Any, also: str | None = None) -> None:
    """Give ``model`` the shared set equal to its fields set plus the name ``also``, if any.

    A model whose set is already shared, or whose class has too many patterns, keeps a set of
    its own (with ``also`` added to it).
    """
    own = model.__pydantic_fields_set__
    if type(own) is set:
        by_class = _LAST.get(also)
        last = by_class.get(type(model)) if by_class is not None else None
        if (
            last is not None
            and (also is None or also not in own)
            and len(last) == len(own) + (also is not None)
            and last.issuperset(own)
        ):
            object.__setattr__(model, "__pydantic_fields_set__", last)
            return
    if type(own) is SharedFieldsSet:
        if also is None or also in own:
            return
        own = set(own)
    elif type(own) is not set:  # not a set pydantic made: leave it alone
        if also is not None:
            own.add(also)
        return
    shared = _shared_set(type(model), own, also)
    if shared is not None:
        object.__setattr__(model, "__pydantic_fields_set__", shared)
        _LAST.setdefault(also, {})[type(model)] = shared
    elif also is not None:
        own.add(also)
        object.__setattr__(model, "__pydantic_fields_set__", own)


def own_fields_set(model: Any) -> None:
    """Give ``model`` a fields set of its own again, before something records an assignment."""
    current = model.__pydantic_fields_set__
    if type(current) is SharedFieldsSet:
        object.__setattr__(model, "__pydantic_fields_set__", set(current))
