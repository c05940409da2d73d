"""The assignment count a model keeps in its instance dict (`diffsync/_assignments.py`).

RedisStore relies on it to tell an object of immutable values unchanged without serialising
it, so every way pydantic assigns or deletes a field must count; and, like the other
bookkeeping diffsync keeps beside the fields, it must never show in what users compare or dump.
"""

from __future__ import annotations

import pickle

from diffsync import DiffSyncModel


class Port(DiffSyncModel):
    _modelname = "port"
    _identifiers = ("name",)
    _attributes = ("speed", "note")

    name: str
    speed: int = 1
    note: str | None = None


def count(model: DiffSyncModel) -> int:
    return model.__diffsync_assignments__


def test_a_model_never_assigned_to_counts_zero_without_a_key():
    port = Port(name="p1")
    assert count(port) == 0
    assert "__diffsync_assignments__" not in port.__dict__


def test_every_assignment_and_deletion_counts_even_of_an_equal_value():
    port = Port(name="p1")
    port.speed = 1  # the same value
    port.speed = True  # an equal value of another type
    setattr(port, "note", "x")  # noqa: B010 - the way a sync's update() assigns
    del port.note
    assert count(port) == 4


def test_update_counts_each_attribute_it_assigns():
    port = Port(name="p1")
    port.update({"speed": 10, "note": "uplink"})
    assert count(port) == 2


def test_the_count_never_shows_in_comparisons_dumps_or_copies_of_state():
    assigned, fresh = Port(name="p1"), Port(name="p1")
    assigned.speed = 1
    assert assigned == fresh
    assert assigned.model_dump() == fresh.model_dump()
    assert assigned.model_dump_json() == fresh.model_dump_json()
    assert "__diffsync_assignments__" not in assigned.model_fields_set
    assert pickle.loads(pickle.dumps(assigned)) == fresh
