"""Code written for the released diffsync 2.2.3 runs unchanged: names, parameter names, hooks."""

from __future__ import annotations

import inspect

from library_inventory import BACKEND_A, BackendA, BackendB, backend_b_data, load_adapter

from diffsync.enum import DiffSyncFlags, DiffSyncStatus
from diffsync.helpers import DiffSyncDiffer, DiffSyncSyncer


def test_tree_helpers_are_importable_from_the_package():
    from diffsync import get_path, set_key, tree_string

    tree: dict = {}
    set_key(tree, ["site", "device"])
    assert get_path(tree, "device") == ["site", "device"]
    assert tree_string(tree, "Root").splitlines() == ["Root", "└── site", "    └── device"]


def test_intersection_is_importable_from_diff_and_helpers():
    from diffsync import utils
    from diffsync.diff import intersection as from_diff
    from diffsync.helpers import intersection as from_helpers

    assert from_diff is from_helpers is utils.intersection


def test_symmetric_difference_and_object_not_found_are_importable_from_helpers():
    from diffsync import exceptions, utils
    from diffsync.helpers import ObjectNotFound, symmetric_difference

    assert symmetric_difference is utils.symmetric_difference
    assert ObjectNotFound is exceptions.ObjectNotFound


def test_utils_take_upstreams_keyword_names():
    from diffsync.utils import get_path, intersection, symmetric_difference

    assert intersection(lst1=["c", "a", "b"], lst2=["b", "c"]) == ["c", "b"]
    assert symmetric_difference(lst1=["a", "b"], lst2=["b", "c"]) == ["a", "c"]
    assert get_path(nested_dict={"a": {"b": {}}}, search_value="b") == ["a", "b"]


def differ_for(src, dst) -> DiffSyncDiffer:
    return DiffSyncDiffer(src_diffsync=src, dst_diffsync=dst, flags=DiffSyncFlags.NONE)


def test_diff_child_objects_takes_diff_element_by_name_and_returns_it():
    src, dst = load_adapter(BackendA, BACKEND_A), load_adapter(BackendB, backend_b_data())
    differ = differ_for(src, dst)
    site_src, site_dst = src.get("site", "nyc"), dst.get("site", "nyc")
    element = differ.diff_object_pair(site_src, site_dst)
    children = len(element)
    element.child_diff = type(element.child_diff)()
    returned = differ.diff_child_objects(diff_element=element, src_obj=site_src, dst_obj=site_dst)
    assert returned is element
    assert len(element) == children


def test_validate_objects_for_diff_takes_object_pairs_with_missing_sides():
    src = load_adapter(BackendA, BACKEND_A)
    site = src.get("site", "nyc")
    DiffSyncDiffer.validate_objects_for_diff(object_pairs=[(site, site), (site, None), (None, site)])


def test_syncer_hooks_have_upstreams_signatures():
    assert list(inspect.signature(DiffSyncSyncer.sync_model).parameters) == [
        "self",
        "src_model",
        "dst_model",
        "ids",
        "attrs",
    ]
    assert list(inspect.signature(DiffSyncSyncer.log_sync_status).parameters) == [
        "self",
        "action",
        "status",
        "message",
    ]


class AuditingSyncer(DiffSyncSyncer):
    """A 2.2.3-style subclass that wraps both hooks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: list[tuple] = []
        self.statuses: list[tuple] = []

    def sync_model(self, src_model, dst_model, ids, attrs):
        self.seen.append((self.action, self.model_class.get_type(), src_model is not None, dict(ids), attrs))
        return super().sync_model(src_model=src_model, dst_model=dst_model, ids=ids, attrs=attrs)

    def log_sync_status(self, action, status, message):
        self.statuses.append((action, status, message))
        super().log_sync_status(action, status, message)


def test_a_syncer_subclass_overriding_the_hooks_is_called_for_every_element():
    src, dst = load_adapter(BackendB, backend_b_data()), load_adapter(BackendA, BACKEND_A)
    diff = dst.diff_from(src)
    syncer = AuditingSyncer(diff=diff, src_diffsync=src, dst_diffsync=dst, flags=DiffSyncFlags.NONE)
    assert syncer.perform_sync() is True
    assert len(syncer.seen) == len(diff)
    actions = {(action, model) for action, model, *_ in syncer.seen}
    assert ("create", "site") in actions and ("update", "device") in actions
    # The source object is looked up for the override, as upstream does; a delete has none.
    assert all(has_src == (action != "delete") for action, _, has_src, _, _ in syncer.seen)
    changed = [entry for entry in syncer.statuses if entry[0] is not None]
    assert changed and all(status is DiffSyncStatus.SUCCESS for _, status, _ in changed)
    assert not dst.diff_from(src).has_diffs()


def test_the_hooks_see_the_attrs_and_ids_of_an_update():
    src, dst = load_adapter(BackendB, backend_b_data()), load_adapter(BackendA, BACKEND_A)
    diff = dst.diff_from(src)
    syncer = AuditingSyncer(diff=diff, src_diffsync=src, dst_diffsync=dst, flags=DiffSyncFlags.NONE)
    syncer.perform_sync()
    updates = [(ids, attrs) for action, _, _, ids, attrs in syncer.seen if action == "update"]
    expected = [
        (element.keys, element.get_attrs_diffs()["+"])
        for element in _walk(diff.get_children())
        if element.action == "update"
    ]
    assert sorted(map(repr, updates)) == sorted(map(repr, expected))


def _walk(elements):
    for element in elements:
        yield element
        yield from _walk(element.get_children())


def test_log_sync_status_override_hears_of_every_element_but_logs_unchanged_only_when_asked(log):
    src, dst = load_adapter(BackendA, BACKEND_A), load_adapter(BackendA, BACKEND_A)
    diff = dst.diff_from(src)
    quiet = AuditingSyncer(diff=diff, src_diffsync=src, dst_diffsync=dst, flags=DiffSyncFlags.NONE)
    quiet.perform_sync()
    flags = DiffSyncFlags.LOG_UNCHANGED_RECORDS
    verbose = AuditingSyncer(diff=diff, src_diffsync=src, dst_diffsync=dst, flags=flags)
    verbose.perform_sync()
    assert quiet.statuses == verbose.statuses
    assert len(verbose.statuses) == len(diff)
    assert {message for _, _, message in verbose.statuses} == {"No changes to apply; no action needed"}
    logged = [event for event in log.events if event["event"] == "No changes to apply; no action needed"]
    assert len(logged) == len(diff)  # all from the verbose sync
