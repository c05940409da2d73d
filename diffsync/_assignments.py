"""A count of the field assignments a model has seen, kept in its instance dict.

`RedisStore` finds the objects changed since it wrote them without serialising every one: an
object whose values are all immutable can only change by assignment, so the store compares
the count with the one the object had when its JSON was written (`store/redis/_unchanged.py`).
Every assignment counts, even one that replaces a value by an equal one whose JSON differs
(``1`` by ``True`` or ``1.0``, ``0.0`` by ``-0.0``). Models never assigned to (most of a large
load) never get the key: the class attribute of the same name gives 0.
"""

from __future__ import annotations

from typing import Any

#: Instance dict key of the count; the class attribute of the same name is the default, 0.
ASSIGNMENTS_KEY = "__diffsync_assignments__"


def count_assignment(model: Any) -> None:
    """A field of ``model`` is being assigned or deleted."""
    values = model.__dict__
    values[ASSIGNMENTS_KEY] = values.get(ASSIGNMENTS_KEY, 0) + 1
