"""The plan of a diff: its id (the canonical diff's SHA-256), counts and the redacted sample."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from diffsync_operator.api.status import PLAN_SAMPLE_SIZE, PLAN_VALUE_LENGTH, DiffPlan, Stage
from diffsync_operator.stages.plans import canonical_bytes, canonical_changes, plan_id, plan_of
from diffsync_operator.stages.result import TERMINATION_MESSAGE_LIMIT, StageResult
from sample_adapters import SOURCE, TARGET, FileInventory, write_inventory

from diffsync import Adapter, DiffSyncModel
from diffsync.diff import Diff, DiffElement
from diffsync.store.local import LocalStore
from diffsync.store.redis import RedisStore

HERE = Path(__file__).resolve().parent


def _element(kind, name, keys, source=None, dest=None):
    element = DiffElement(kind, name, keys, source_name="yaml", dest_name="sqlite")
    element.add_attrs(source=source, dest=dest)
    return element


def _small_diff() -> Diff:
    diff = Diff()
    a1 = _element("shelf", "a1", {"name": "a1"}, {"zone": "north"}, {"zone": "north"})
    a1.add_child(_element("item", "a1__bolt", {"shelf": "a1", "sku": "bolt"}, {"qty": 10}, {"qty": 7}))
    a1.add_child(_element("item", "a1__nut", {"shelf": "a1", "sku": "nut"}, {"qty": 20}, {"qty": 20}))
    b2 = _element("shelf", "b2", {"name": "b2"}, {"zone": "south"})
    b2.add_child(_element("item", "b2__gear", {"shelf": "b2", "sku": "gear"}, {"qty": 3}))
    c3 = _element("shelf", "c3", {"name": "c3"}, dest={"zone": "east"})
    for element in (c3, b2, a1):
        diff.add(element)
    return diff


def test_the_id_is_the_sha256_of_the_canonical_diff_as_documented():
    expected = "\n".join(
        [
            "diffsync-plan/1",
            '[[["shelf","a1",{"name":"a1"}],["item","a1__bolt",{"shelf":"a1","sku":"bolt"}]],"update",'
            '{"+":{"qty":10},"-":{"qty":7}}]',
            '[[["shelf","b2",{"name":"b2"}],["item","b2__gear",{"shelf":"b2","sku":"gear"}]],"create",'
            '{"+":{"qty":3}}]',
            '[[["shelf","b2",{"name":"b2"}]],"create",{"+":{"zone":"south"}}]',
            '[[["shelf","c3",{"name":"c3"}]],"delete",{"-":{"zone":"east"}}]',
        ]
    ).encode()
    diff = _small_diff()
    assert canonical_bytes(canonical_changes(diff)) == expected
    assert plan_id(diff) == hashlib.sha256(expected).hexdigest()


def test_element_order_adapter_names_and_unchanged_objects_do_not_move_the_id():
    diff = _small_diff()
    reordered = Diff()
    for name in ("a1", "b2", "c3"):  # another insertion order
        reordered.add(next(e for e in diff.get_children() if e.name == name))
    renamed = _small_diff()
    for element in renamed.get_children():
        element.source_name, element.dest_name = "other", "names"
    renamed.models_processed = 99
    extra = _small_diff()
    extra.add(_element("shelf", "d4", {"name": "d4"}, {"zone": "west"}, {"zone": "west"}))  # no change
    assert plan_id(diff) == plan_id(reordered) == plan_id(renamed) == plan_id(extra)


@pytest.mark.parametrize(
    "change",
    ["value", "old value", "action", "identifier", "child"],
)
def test_any_change_of_what_the_sync_writes_or_overwrites_moves_the_id(change):
    diff = _small_diff()
    a1 = next(e for e in diff.get_children() if e.name == "a1")
    bolt = next(a1.get_children())
    if change == "value":
        bolt.source_attrs = {"qty": 11}
    elif change == "old value":
        bolt.dest_attrs = {"qty": 8}
    elif change == "action":
        bolt.dest_attrs = None  # now a create
    elif change == "identifier":
        bolt.keys = {"shelf": "a1", "sku": "bolts"}
    else:
        a1.add_child(_element("item", "a1__pin", {"shelf": "a1", "sku": "pin"}, {"qty": 1}))
    assert plan_id(diff) != plan_id(_small_diff())


class Rack(DiffSyncModel):
    _modelname = "rack"
    _identifiers = ("name",)
    _attributes = ("tags", "units")

    name: str
    tags: frozenset[str]
    units: int


class Racks(Adapter):
    rack = Rack
    top_level = ["rack"]

    def __init__(self, *, racks: dict, reverse: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.racks, self.reverse = racks, reverse

    def load(self) -> None:
        for name in sorted(self.racks, reverse=self.reverse):
            tags, units = self.racks[name]
            self.add(self.rack(name=name, tags=frozenset(tags), units=units))


SOURCE_RACKS = {f"r{i}": ({"edge", "core", f"row-{i}", "ünïcode"}, 42) for i in range(20)}
TARGET_RACKS = {f"r{i}": ({"edge", f"row-{i}"}, 40 + i % 3) for i in range(5, 25)}


def _racks_plan(store_factory, reverse: bool) -> str:
    source = Racks(racks=SOURCE_RACKS, reverse=reverse, internal_storage_engine=store_factory("s"))
    target = Racks(racks=TARGET_RACKS, reverse=not reverse, internal_storage_engine=store_factory("t"))
    source.load()
    target.load()
    return plan_id(target.diff_from(source))


def test_the_id_is_the_same_on_local_and_redis_stores_whatever_the_load_order(redis_url):
    local = _racks_plan(lambda side: LocalStore(name=side), reverse=False)
    redis = _racks_plan(lambda side: RedisStore(url=redis_url, store_id=f"plans-{side}"), reverse=True)
    assert local == redis


def test_the_id_is_the_same_in_processes_with_other_hash_seeds():
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        from test_plans import _racks_plan
        from diffsync.store.local import LocalStore
        print(_racks_plan(lambda side: LocalStore(name=side), reverse=False))
        """
    )
    ids = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, str(HERE)], env=env, capture_output=True, text=True, check=True
        )
        ids.add(done.stdout.strip().splitlines()[-1])  # the last line: structlog may print before it
    assert ids == {_racks_plan(lambda side: LocalStore(name=side), reverse=False)}


def _inventory_diff(tmp_path) -> Diff:
    source, target = tmp_path / "s.json", tmp_path / "t.json"
    write_inventory(source, SOURCE)
    write_inventory(target, TARGET)
    sides = [FileInventory(path=str(path)) for path in (source, target)]
    for side in sides:
        side.load()
    return sides[1].diff_from(sides[0])


def test_counts_per_model_and_action_add_up_to_the_summary(tmp_path):
    diff = _inventory_diff(tmp_path)
    plan = plan_of(diff)
    rows = {row.model: (row.create, row.update, row.delete) for row in plan.models}
    assert rows == {"item": (1, 1, 1), "shelf": (1, 0, 1)}
    summary = diff.summary()
    assert plan.changes == summary["create"] + summary["update"] + summary["delete"] == 5


def test_the_sample_lists_changes_in_canonical_order_and_deletes_without_values(tmp_path):
    plan = plan_of(_inventory_diff(tmp_path))
    shown = [
        (c.action, c.model, c.id, [(a.name, a.before, a.after) for a in c.attributes]) for c in plan.sample
    ]
    assert shown == [
        ("update", "item", "a1__bolt", [("qty", "7", "10")]),
        ("delete", "item", "a1__washer", []),
        ("create", "item", "b2__gear", [("qty", None, "3")]),
        ("create", "shelf", "b2", [("zone", None, "south")]),
        ("delete", "shelf", "c3", []),
    ]


def test_redacted_attributes_are_masked_and_a_star_masks_every_value(tmp_path):
    diff = _inventory_diff(tmp_path)
    qty = plan_of(diff, redact=["qty"])
    values = {(c.id, a.name): (a.before, a.after) for c in qty.sample for a in c.attributes}
    assert values[("a1__bolt", "qty")] == ("***", "***")
    assert values[("b2", "zone")] == (None, "south")
    every = plan_of(diff, redact=["*"])
    assert {a.after for c in every.sample for a in c.attributes} == {"***"}
    assert plan_of(diff, redact=["qty"]).id == plan_of(diff).id  # masking shows less, plans the same


def test_the_sample_is_bounded_in_changes_attributes_and_value_length():
    diff = Diff()
    attrs = {f"a{i:02}": "x" * 500 for i in range(30)}
    for i in range(200):
        diff.add(_element("thing", f"t{i:03}", {"name": f"t{i:03}"}, attrs))
    plan = plan_of(diff, sample_size=1000)
    assert plan.changes == 200
    assert len(plan.sample) == PLAN_SAMPLE_SIZE
    first = plan.sample[0]
    assert len(first.attributes) == 10 and first.omitted_attributes == 20
    assert all(len(a.after or "") == PLAN_VALUE_LENGTH + 3 for a in first.attributes)
    assert plan_of(diff, sample_size=0).sample == []


def test_a_full_termination_message_drops_sample_entries_but_keeps_id_and_counts():
    diff = Diff()
    for i in range(200):
        diff.add(_element("thing", f"t{i:03}", {"name": f"t{i:03}"}, {"v": "y" * 60, "w": "z" * 60}))
    plan = plan_of(diff)
    result = StageResult(stage=Stage.DIFF, ok=True, plan=plan)
    text = result.to_termination_message()
    assert len(text.encode()) <= TERMINATION_MESSAGE_LIMIT
    reported = StageResult.parse(text)
    assert reported is not None and reported.plan is not None
    assert (reported.plan.id, reported.plan.changes, reported.plan.models) == (plan.id, 200, plan.models)
    assert 0 < len(reported.plan.sample) < PLAN_SAMPLE_SIZE
    assert reported.plan.sample == plan.sample[: len(reported.plan.sample)]
    assert isinstance(reported.plan, DiffPlan)
