"""How a diff is calculated, counted, ordered and reported."""

from __future__ import annotations

import pytest
from library_inventory import BACKEND_A, BackendA, Device, Interface, Person, Site, extra_data, load_adapter

from diffsync import Adapter, Diff, DiffSyncModel
from diffsync.enum import DiffSyncFlags, DiffSyncModelFlags
from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound
from diffsync.helpers import DiffSyncDiffer


class FlatSitesAndPeople(Adapter):
    """Sites and people both at the top level."""

    site = Site
    person = Person
    top_level = ["site", "person"]


class PeopleFirst(Adapter):
    """The same models with the opposite top-level order."""

    site = Site
    person = Person
    top_level = ["person", "site"]


class SitesOnly(Adapter):
    """Knows people but only diffs sites."""

    site = Site
    person = Person
    top_level = ["site"]


class LeafDevice(DiffSyncModel):
    """A device type without interface children, for mappings that differ between sides."""

    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("site_name", "role")
    name: str
    site_name: str = ""
    role: str = ""


class LeafInventory(Adapter):
    site = Site
    device = LeafDevice
    person = Person
    top_level = ["site"]


class LabelledPort(DiffSyncModel):
    """A port whose short name is a non-identifier field, so it can disagree between sides."""

    _modelname = "port"
    _identifiers = ("name",)
    _shortname = ("label",)
    name: str
    label: str = ""


class SplitKey(DiffSyncModel):
    """Two identifiers whose joined unique id can collide with different key values."""

    _modelname = "splitkey"
    _identifiers = ("left", "right")
    left: str
    right: str


class PortAdapter(Adapter):
    port = LabelledPort
    splitkey = SplitKey
    top_level = ["port", "splitkey"]


class CountingDiff(Diff):
    """Records every instance whose complete() hook runs."""

    completed: list = []

    def complete(self):
        CountingDiff.completed.append(self)


def adapter_with(adapter_cls, *objects):
    adapter = adapter_cls()
    for obj in objects:
        adapter.add(obj)
    return adapter


def test_extra_fixture_diff_creates_two(backend_a, backend_extra):
    summary = backend_a.diff_from(backend_extra).summary()
    assert summary == {"create": 2, "update": 0, "delete": 0, "no-change": 23, "skip": 0}


@pytest.mark.parametrize("flag", [DiffSyncFlags.SKIP_UNMATCHED_SRC, DiffSyncFlags.SKIP_UNMATCHED_BOTH])
def test_extra_fixture_diff_with_skip_unmatched_src_skips_two(backend_a, backend_extra, flag):
    summary = backend_a.diff_from(backend_extra, flags=flag).summary()
    assert summary == {"create": 0, "update": 0, "delete": 0, "no-change": 23, "skip": 2}


def test_minus_fixture_diff_deletes_twelve(backend_a, backend_minus):
    summary = backend_a.diff_from(backend_minus).summary()
    assert summary == {"create": 0, "update": 0, "delete": 12, "no-change": 11, "skip": 0}


def test_minus_fixture_diff_with_skip_unmatched_dst_skips_two(backend_a, backend_minus):
    summary = backend_a.diff_from(backend_minus, flags=DiffSyncFlags.SKIP_UNMATCHED_DST).summary()
    assert summary == {"create": 0, "update": 0, "delete": 0, "no-change": 11, "skip": 2}


def test_differ_total_models_is_the_sum_of_both_adapter_lengths(backend_a, backend_minus):
    differ = DiffSyncDiffer(backend_minus, backend_a, DiffSyncFlags.NONE)
    assert differ.total_models == len(backend_minus) + len(backend_a) == 21 + 23


def test_differ_never_counts_orphans(backend_a, backend_minus):
    differ = DiffSyncDiffer(backend_minus, backend_a, DiffSyncFlags.NONE)
    diff = differ.calculate_diffs()
    assert differ.models_processed == diff.models_processed == 11 + 23


def test_calculate_diffs_caches_its_result(backend_a, backend_extra):
    differ = DiffSyncDiffer(backend_extra, backend_a, DiffSyncFlags.NONE)
    first = differ.calculate_diffs()
    assert differ.calculate_diffs() is first
    assert differ.diff is first


def test_differ_builds_the_given_diff_class(backend_a, backend_extra):
    differ = DiffSyncDiffer(backend_extra, backend_a, DiffSyncFlags.NONE, diff_class=CountingDiff)
    assert type(differ.calculate_diffs()) is CountingDiff


def test_complete_hook_runs_once_on_the_top_level_diff_only(backend_a, backend_b):
    CountingDiff.completed.clear()
    diff = backend_a.diff_from(backend_b, diff_class=CountingDiff)
    assert CountingDiff.completed == [diff]
    assert CountingDiff.completed[0] is diff


def test_child_diffs_use_the_diff_class(backend_a, backend_b):
    diff = backend_a.diff_from(backend_b, diff_class=CountingDiff)
    site = diff.children["site"]["nyc"]
    assert type(site.child_diff) is CountingDiff


def test_diff_calculation_logs_start_size_and_end(log, backend_a, backend_extra):
    backend_a.diff_from(backend_extra)
    seen = [(event["level"], event["event"]) for event in log.events]
    assert seen == [
        ("debug", "Diff calculation between these two datasets will involve 48 models"),
        ("info", "Beginning diff calculation"),
        ("info", "Diff calculation complete"),
    ]


def test_diff_events_carry_source_destination_and_flags(log, backend_a, backend_extra):
    backend_a.diff_from(backend_extra, flags=DiffSyncFlags.SKIP_UNMATCHED_SRC)
    assert log.events
    for event in log.events:
        assert event["src"] is backend_extra
        assert event["dst"] is backend_a
        assert event["flags"] == DiffSyncFlags.SKIP_UNMATCHED_SRC


def test_top_level_names_on_one_side_only_are_counted_not_diffed():
    # "person" is top level only in the source: its two people count as processed (skipped);
    # the destination's person is not reachable from its own top_level, so it is not counted.
    src = adapter_with(FlatSitesAndPeople, Site(name="hq"), Person(name="ann"), Person(name="bo"))
    dst = adapter_with(SitesOnly, Site(name="hq"), Person(name="cy"))
    diff = dst.diff_from(src)
    assert diff.groups() == ["site"]
    assert diff.summary() == {"create": 0, "update": 0, "delete": 0, "no-change": 1, "skip": 2}


def test_top_level_groups_follow_the_destination_order():
    src = adapter_with(PeopleFirst, Person(name="ann"), Site(name="hq"))
    dst = adapter_with(FlatSitesAndPeople, Person(name="ann"), Site(name="hq"))
    assert dst.diff_from(src).groups() == ["site", "person"]
    assert src.diff_from(dst).groups() == ["person", "site"]


def test_elements_follow_source_order_then_destination_only_order():
    src = adapter_with(SitesOnly, Site(name="b"), Site(name="a"))
    dst = adapter_with(SitesOnly, Site(name="c"), Site(name="a"), Site(name="d"))
    diff = dst.diff_from(src)
    assert [element.name for element in diff.get_children()] == ["b", "a", "c", "d"]


def test_element_is_named_by_shortname_and_keyed_by_identifiers(backend_a, backend_b):
    element = (
        backend_a.diff_from(backend_b).children["site"]["nyc"].child_diff.children["device"]["nyc-core1"]
    )
    interface = element.child_diff.children["interface"]["eth1"]
    assert (interface.type, interface.name) == ("interface", "eth1")
    assert interface.keys == {"device_name": "nyc-core1", "name": "eth1"}


def test_element_carries_adapter_names_as_source_and_dest_names(backend_b):
    dst = load_adapter(BackendA, BACKEND_A, name="dest-inventory")
    element = dst.diff_from(backend_b).children["site"]["atl"]
    assert (element.source_name, element.dest_name) == ("BackendB", "dest-inventory")


def test_element_records_attrs_of_each_present_side(backend_a, backend_b):
    diff = backend_a.diff_from(backend_b)
    assert diff.children["site"]["atl"].source_attrs == {"region": "us-south"}
    assert diff.children["site"]["atl"].dest_attrs == {"region": "us-east"}
    assert diff.children["site"]["den"].dest_attrs is None
    person = diff.children["site"]["sfo"].child_diff.children["person"]["bob"]
    assert (person.source_attrs, person.dest_attrs) == (None, {"email": "bob@example.com"})


def test_one_sided_element_includes_all_its_children(backend_a, backend_minus):
    diff = backend_a.diff_from(backend_minus)
    nyc = diff.children["site"]["nyc"]
    assert nyc.action == "delete"
    assert len(nyc) == 8


def test_child_types_in_only_one_mapping_are_counted_not_diffed(backend_a):
    src = LeafInventory()
    src.add(Site(name="atl", region="us-east", devices=["atl-edge1"], people=["carol", "dave"]))
    src.add(LeafDevice(name="atl-edge1", site_name="atl", role="edge"))
    src.add(Person(name="carol", email="carol@example.com"))
    src.add(Person(name="dave", email="dave@example.com"))
    dst = adapter_with(
        BackendA,
        Site(name="atl", region="us-east", devices=["atl-edge1"], people=["carol", "dave"]),
        Device(
            name="atl-edge1", site_name="atl", role="edge", interfaces=["atl-edge1__eth0", "atl-edge1__eth1"]
        ),
        Interface(device_name="atl-edge1", name="eth0"),
        Interface(device_name="atl-edge1", name="eth1"),
        Person(name="carol", email="carol@example.com"),
        Person(name="dave", email="dave@example.com"),
    )
    diff = dst.diff_from(src)
    device = diff.children["site"]["atl"].child_diff.children["device"]["atl-edge1"]
    assert device.child_diff.groups() == []
    assert diff.summary() == {"create": 0, "update": 0, "delete": 0, "no-change": 4, "skip": 2}


def test_dangling_child_uid_raises_not_found_during_diff(backend_a):
    src = load_adapter(BackendA, BACKEND_A)
    src.get(Device, "atl-edge1").interfaces.append("atl-edge1__eth7")
    with pytest.raises(ObjectNotFound):
        backend_a.diff_from(src)


def test_siblings_sharing_a_shortname_raise_already_exists():
    src = adapter_with(
        BackendA,
        Device(name="r1", interfaces=["r1__eth0", "r2__eth0"]),
        Interface(device_name="r1", name="eth0"),
        Interface(device_name="r2", name="eth0"),
    )
    src.top_level = ["device"]
    dst = BackendA()
    dst.top_level = ["device"]
    with pytest.raises(ObjectAlreadyExists) as error:
        dst.diff_from(src)
    assert error.value.args[0] == "Already storing a interface named eth0"


def test_matched_pair_with_different_shortnames_raises_value_error():
    src = adapter_with(PortAdapter, LabelledPort(name="p1", label="uplink"))
    dst = adapter_with(PortAdapter, LabelledPort(name="p1", label="downlink"))
    with pytest.raises(ValueError, match=r"^Shortname mismatch: "):
        dst.diff_from(src)


def test_matched_pair_with_different_identifiers_raises_value_error():
    src = adapter_with(PortAdapter, SplitKey(left="a__b", right="c"))
    dst = adapter_with(PortAdapter, SplitKey(left="a", right="b__c"))
    with pytest.raises(ValueError, match=r"^Keys mismatch: "):
        dst.diff_from(src)


def test_matched_pair_of_different_types_raises_type_error():
    differ = DiffSyncDiffer(BackendA(), BackendA(), DiffSyncFlags.NONE)
    with pytest.raises(TypeError, match=r"^Type mismatch: "):
        differ.diff_object_list([Device(name="x")], [Person(name="x")])


def test_diffing_non_iterables_raises_type_error():
    differ = DiffSyncDiffer(BackendA(), BackendA(), DiffSyncFlags.NONE)
    with pytest.raises(TypeError):
        differ.diff_object_list(5, 7)


def test_callback_reports_diff_progress_ending_at_the_total(backend_a, backend_extra):
    calls = []
    backend_a.diff_from(backend_extra, callback=lambda *args: calls.append(args))
    assert calls[-1] == ("diff", 48, 48)
    assert {stage for stage, _, _ in calls} == {"diff"}
    assert {total for _, _, total in calls} == {48}


def test_callback_is_called_only_when_progress_grows(backend_a, backend_extra):
    calls = []
    backend_a.diff_from(backend_extra, callback=lambda *args: calls.append(args))
    currents = [current for _, current, _ in calls]
    assert currents == sorted(set(currents))
    assert currents[0] > 0


def test_callback_total_includes_orphans_but_progress_does_not(backend_a, backend_minus):
    calls = []
    backend_a.diff_from(backend_minus, callback=lambda *args: calls.append(args))
    assert calls[-1] == ("diff", 34, 44)


def test_skip_unmatched_src_flag_logs_each_skipped_object(log, backend_a, backend_extra):
    backend_a.diff_from(backend_extra, flags=DiffSyncFlags.SKIP_UNMATCHED_SRC)
    event = "Skipping due to SKIP_UNMATCHED_SRC flag on source adapter"
    assert log.has(event, level="debug", model="site", unique_id="lax")
    assert log.has(event, level="debug", model="device", unique_id="atl-edge2")


def test_skip_unmatched_dst_flag_logs_each_skipped_object(log, backend_a, backend_minus):
    backend_a.diff_from(backend_minus, flags=DiffSyncFlags.SKIP_UNMATCHED_DST)
    event = "Skipping due to SKIP_UNMATCHED_DST flag on source adapter"
    assert log.has(event, level="debug", model="site", unique_id="nyc")
    assert log.has(event, level="debug", model="device", unique_id="sfo-edge1")


def test_skip_unmatched_src_model_flag_skips_that_source_object(log, backend_a):
    src = load_adapter(BackendA, extra_data())
    src.get(Site, "lax").model_flags = DiffSyncModelFlags.SKIP_UNMATCHED_SRC
    summary = backend_a.diff_from(src).summary()
    assert summary == {"create": 1, "update": 0, "delete": 0, "no-change": 23, "skip": 1}
    assert log.has(
        "Skipping due to SKIP_UNMATCHED_SRC flag on model", level="debug", model="site", unique_id="lax"
    )


def test_skip_unmatched_src_model_flag_has_no_effect_on_a_matched_object(backend_a, backend_b):
    backend_b.get(Site, "atl").model_flags = DiffSyncModelFlags.SKIP_UNMATCHED_SRC
    assert backend_a.diff_from(backend_b).summary()["update"] == 3


def test_skip_unmatched_dst_model_flag_skips_that_destination_object(log, backend_a, backend_minus):
    backend_a.get(Device, "sfo-edge1").model_flags = DiffSyncModelFlags.SKIP_UNMATCHED_DST
    summary = backend_a.diff_from(backend_minus).summary()
    assert summary == {"create": 0, "update": 0, "delete": 8, "no-change": 11, "skip": 1}
    assert log.has(
        "Skipping due to SKIP_UNMATCHED_DST flag on model",
        level="debug",
        model="device",
        unique_id="sfo-edge1",
    )


def test_skip_unmatched_dst_model_flag_on_source_object_is_not_read(backend_a, backend_minus):
    backend_minus.get(Site, "sfo").model_flags = DiffSyncModelFlags.SKIP_UNMATCHED_DST
    assert backend_a.diff_from(backend_minus).summary()["delete"] == 12


def test_ignore_flag_on_source_object_skips_it_and_its_children(log, backend_a):
    src = load_adapter(BackendA, BACKEND_A)
    src.get(Device, "nyc-edge1").model_flags = DiffSyncModelFlags.IGNORE
    summary = backend_a.diff_from(src).summary()
    assert summary == {"create": 0, "update": 0, "delete": 0, "no-change": 20, "skip": 1}
    assert log.has(
        "Skipping due to IGNORE flag on source object", level="debug", model="device", unique_id="nyc-edge1"
    )


def test_ignore_flag_on_dest_object_skips_it_and_its_children(log, backend_a, backend_b):
    backend_a.get(Site, "sfo").model_flags = DiffSyncModelFlags.IGNORE
    diff = backend_a.diff_from(backend_b)
    assert "sfo" not in diff.children["site"]
    assert diff.summary() == {"create": 3, "update": 3, "delete": 0, "no-change": 11, "skip": 1}
    assert log.has("Skipping due to IGNORE flag on dest object", level="debug", model="site", unique_id="sfo")


def test_adapter_skip_flag_is_checked_before_model_ignore_flag(log, backend_a):
    src = load_adapter(BackendA, extra_data())
    src.get(Site, "lax").model_flags = DiffSyncModelFlags.IGNORE
    backend_a.diff_from(src, flags=DiffSyncFlags.SKIP_UNMATCHED_SRC)
    assert log.has("Skipping due to SKIP_UNMATCHED_SRC flag on source adapter", unique_id="lax")
    assert not log.has("Skipping due to IGNORE flag on source object", unique_id="lax")
