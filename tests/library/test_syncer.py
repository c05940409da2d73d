"""What a sync does to the destination, in which order, and how failures behave."""

from __future__ import annotations

import pytest
from library_inventory import (
    BACKEND_A,
    Device,
    Interface,
    InventoryAdapter,
    Person,
    Site,
    backend_b_data,
    load_adapter,
    load_minus,
)

from diffsync.enum import DiffSyncFlags, DiffSyncModelFlags, DiffSyncStatus
from diffsync.exceptions import ObjectNotCreated, ObjectNotDeleted, ObjectNotUpdated
from diffsync.helpers import DiffSyncSyncer

JOURNAL: list[tuple] = []


class Recording:
    """CRUD overrides with keyword-only parameters: a positional call from the syncer fails."""

    @classmethod
    def create(cls, *, adapter, ids, attrs):
        JOURNAL.append(("create", cls.get_type(), cls.create_unique_id(**ids), attrs))
        return super().create(adapter=adapter, ids=ids, attrs=attrs)

    def update(self, *, attrs):
        JOURNAL.append(("update", self.get_type(), self.get_unique_id(), attrs))
        return super().update(attrs=attrs)

    def delete(self):
        JOURNAL.append(("delete", self.get_type(), self.get_unique_id()))
        return super().delete()


class RecSite(Recording, Site):
    pass


class RecDevice(Recording, Device):
    pass


class RecInterface(Recording, Interface):
    pass


class RecPerson(Recording, Person):
    pass


class RecordingAdapter(InventoryAdapter):
    site = RecSite
    device = RecDevice
    interface = RecInterface
    person = RecPerson


@pytest.fixture(autouse=True)
def clear_journal():
    JOURNAL.clear()
    yield
    JOURNAL.clear()


@pytest.fixture
def recording_a() -> RecordingAdapter:
    return load_adapter(RecordingAdapter, BACKEND_A)


def deletes():
    return [entry[1:3] for entry in JOURNAL if entry[0] == "delete"]


def test_sync_calls_crud_hooks_with_keyword_arguments(recording_a, backend_b):
    recording_a.sync_from(backend_b)
    assert sorted({entry[0] for entry in JOURNAL}) == ["create", "delete", "update"]


def test_update_receives_only_the_changed_attributes(recording_a, backend_b):
    recording_a.sync_from(backend_b)
    assert ("update", "site", "atl", {"region": "us-south"}) in JOURNAL
    assert ("update", "device", "nyc-edge1", {"role": "spine"}) in JOURNAL


def test_create_receives_ids_and_all_source_attributes(recording_a, backend_b):
    recording_a.sync_from(backend_b)
    assert ("create", "device", "atl-edge2", {"site_name": "atl", "role": "edge"}) in JOURNAL


def test_crud_hooks_run_in_diff_order(recording_a, backend_b):
    recording_a.sync_from(backend_b)
    assert [entry[:3] for entry in JOURNAL] == [
        ("update", "device", "nyc-edge1"),
        ("update", "interface", "nyc-core1__eth1"),
        ("delete", "interface", "sfo-edge1__eth2"),
        ("delete", "person", "bob"),
        ("update", "site", "atl"),
        ("create", "device", "atl-edge2"),
        ("create", "interface", "atl-edge2__eth0"),
        ("create", "site", "den"),
    ]


def test_created_object_is_added_to_parent_and_store(recording_a, backend_b):
    recording_a.sync_from(backend_b)
    assert recording_a.get(Site, "atl").devices == ["atl-edge1", "atl-edge2"]
    assert recording_a.get(Device, "atl-edge2").interfaces == ["atl-edge2__eth0"]
    assert recording_a.get(Interface, "atl-edge2__eth0").adapter is recording_a


def test_deleted_object_is_removed_from_parent_and_store(recording_a, backend_b):
    recording_a.sync_from(backend_b)
    assert recording_a.get(Site, "sfo").people == []
    assert recording_a.get_or_none(Person, "bob") is None


def test_parent_is_deleted_before_its_children_by_default(recording_a):
    recording_a.sync_from(load_minus())
    order = deletes()
    assert (
        order.index(("site", "nyc"))
        < order.index(("device", "nyc-edge1"))
        < order.index(("interface", "nyc-edge1__eth0"))
    )
    assert len(order) == 12


def test_natural_deletion_order_deletes_children_before_the_parent(recording_a):
    recording_a.get(Site, "nyc").model_flags = DiffSyncModelFlags.NATURAL_DELETION_ORDER
    recording_a.sync_from(load_minus())
    nyc_subtree = [entry for entry in deletes() if entry[1].startswith("nyc") or entry[1] == "alice"]
    assert len(nyc_subtree) == 8
    assert nyc_subtree[-1] == ("site", "nyc")
    assert recording_a.get_or_none(Interface, "nyc-edge1__eth0") is None


def test_natural_deletion_order_applies_only_to_the_flagged_object(recording_a):
    recording_a.get(Site, "nyc").model_flags = DiffSyncModelFlags.NATURAL_DELETION_ORDER
    recording_a.sync_from(load_minus())
    order = deletes()
    assert order.index(("device", "nyc-edge1")) < order.index(("interface", "nyc-edge1__eth0"))


def test_skip_children_on_delete_removes_children_without_deleting_them(recording_a):
    recording_a.get(Site, "nyc").model_flags = DiffSyncModelFlags.SKIP_CHILDREN_ON_DELETE
    recording_a.sync_from(load_minus())
    assert [entry for entry in deletes() if entry[1].startswith("nyc") or entry[1] == "alice"] == [
        ("site", "nyc")
    ]
    assert recording_a.get_or_none(Interface, "nyc-core1__eth1") is None
    assert recording_a.get_or_none(Person, "alice") is None
    assert recording_a.count() == 11


def test_skip_children_on_delete_wins_over_natural_deletion_order(recording_a):
    recording_a.get(Site, "nyc").model_flags = (
        DiffSyncModelFlags.SKIP_CHILDREN_ON_DELETE | DiffSyncModelFlags.NATURAL_DELETION_ORDER
    )
    recording_a.sync_from(load_minus())
    assert [entry for entry in deletes() if entry[1].startswith("nyc") or entry[1] == "alice"] == [
        ("site", "nyc")
    ]


def test_ignore_model_flag_leaves_the_object_and_its_children_alone(recording_a, backend_b):
    recording_a.get(Site, "atl").model_flags = DiffSyncModelFlags.IGNORE
    recording_a.sync_from(backend_b)
    assert recording_a.get(Site, "atl").region == "us-east"
    assert recording_a.get_or_none(Device, "atl-edge2") is None
    assert not [entry for entry in JOURNAL if entry[2] in ("atl", "atl-edge2", "atl-edge2__eth0")]


def test_skip_unmatched_dst_flag_on_sync_deletes_nothing(recording_a):
    recording_a.sync_from(load_minus(), flags=DiffSyncFlags.SKIP_UNMATCHED_DST)
    assert deletes() == []
    assert recording_a.count() == 23


def test_create_of_an_existing_object_raises_object_not_created(recording_a, backend_b):
    diff = recording_a.diff_from(backend_b)
    recording_a.add(Site(name="den"))
    with pytest.raises(ObjectNotCreated) as error:
        recording_a.sync_from(backend_b, diff=diff)
    assert str(error.value) == "Failed to create site {'name': 'den'} - it already exists!"


def test_update_of_a_missing_object_raises_object_not_updated(recording_a, backend_b):
    diff = recording_a.diff_from(backend_b)
    recording_a.remove(recording_a.get(Site, "atl"))
    with pytest.raises(ObjectNotUpdated) as error:
        recording_a.sync_from(backend_b, diff=diff)
    assert str(error.value) == "Failed to update site {'name': 'atl'} - not found!"


def test_delete_of_a_missing_object_raises_object_not_deleted(recording_a, backend_b):
    diff = recording_a.diff_from(backend_b)
    recording_a.remove(recording_a.get(Person, "bob"))
    with pytest.raises(ObjectNotDeleted) as error:
        recording_a.sync_from(backend_b, diff=diff)
    assert str(error.value) == "Failed to delete person {'name': 'bob'} - not found!"


class RefusingDevice(Device):
    """A device type whose create is refused by the backend."""

    @classmethod
    def create(cls, *, adapter, ids, attrs):
        raise ObjectNotCreated(f"backend refused {ids['name']}")


class NoResultDevice(Device):
    """A device type whose create fails softly (returns None)."""

    @classmethod
    def create(cls, *, adapter, ids, attrs):
        return None


class NoResultSite(Site):
    """A site type whose update fails softly (returns None)."""

    def update(self, *, attrs):
        return None


class SilentSite(Site):
    """A site type whose update neither calls super() nor sets a status."""

    def update(self, *, attrs):
        for key, value in attrs.items():
            setattr(self, key, value)
        return self


class BuggyPerson(Person):
    """A person type whose delete has a programming error."""

    def delete(self):
        raise NotImplementedError("delete is not written yet")


class RefusingAdapter(InventoryAdapter):
    device = RefusingDevice


class NoResultCreateAdapter(InventoryAdapter):
    device = NoResultDevice


class NoResultUpdateAdapter(InventoryAdapter):
    site = NoResultSite


class SilentAdapter(InventoryAdapter):
    site = SilentSite


class BuggyAdapter(InventoryAdapter):
    person = BuggyPerson


def test_crud_exception_is_re_raised_without_continue_on_failure(backend_b):
    dst = load_adapter(RefusingAdapter, BACKEND_A)
    with pytest.raises(ObjectNotCreated, match="backend refused atl-edge2"):
        dst.sync_from(backend_b)


def test_crud_exception_is_logged_as_error_with_its_message(log, backend_b):
    dst = load_adapter(RefusingAdapter, BACKEND_A)
    with pytest.raises(ObjectNotCreated):
        dst.sync_from(backend_b)
    assert log.has(
        "backend refused atl-edge2", level="error", status="error", model="device", action="create"
    )


def test_continue_on_failure_goes_on_after_a_crud_exception(backend_b):
    dst = load_adapter(RefusingAdapter, BACKEND_A)
    dst.sync_from(backend_b, flags=DiffSyncFlags.CONTINUE_ON_FAILURE)
    assert dst.get(Site, "den").region == "us-west"
    assert dst.get_or_none(Device, "atl-edge2") is None


def test_continue_on_failure_skips_children_of_the_failed_element(backend_b):
    dst = load_adapter(RefusingAdapter, BACKEND_A)
    dst.sync_from(backend_b, flags=DiffSyncFlags.CONTINUE_ON_FAILURE)
    assert dst.get_or_none(Interface, "atl-edge2__eth0") is None


def test_other_exceptions_propagate_even_with_continue_on_failure(backend_b):
    dst = load_adapter(BuggyAdapter, BACKEND_A)
    with pytest.raises(NotImplementedError):
        dst.sync_from(backend_b, flags=DiffSyncFlags.CONTINUE_ON_FAILURE)


def test_create_returning_none_logs_failure_and_skips_children(log, backend_b):
    dst = load_adapter(NoResultCreateAdapter, BACKEND_A)
    dst.sync_from(backend_b)
    assert log.has("device create did not return the model object.", level="warning", status="failure")
    assert log.has("No object resulted from sync, will not process child objects.", level="warning")
    assert dst.get_or_none(Interface, "atl-edge2__eth0") is None
    assert dst.get(Site, "den").name == "den"


def test_update_returning_none_logs_failure_and_skips_children(log, backend_b):
    dst = load_adapter(NoResultUpdateAdapter, BACKEND_A)
    dst.sync_from(backend_b)
    assert log.has(
        "site update did not return the model object.", level="warning", status="failure", unique_id="atl"
    )
    assert dst.get_or_none(Device, "atl-edge2") is None
    assert dst.get(Device, "nyc-edge1").role == "spine"


def test_update_without_status_is_logged_as_error_with_unknown_status(log, backend_b):
    dst = load_adapter(SilentAdapter, BACKEND_A)
    dst.sync_from(backend_b)
    assert log.has("", level="error", status="unknown", action="update", model="site", unique_id="atl")
    assert dst.get(Site, "atl").get_status() == (DiffSyncStatus.UNKNOWN, "")


def test_sync_sets_status_on_the_destination_objects(recording_a, backend_b):
    recording_a.sync_from(backend_b)
    assert recording_a.get(Site, "atl").get_status() == (DiffSyncStatus.SUCCESS, "Updated successfully")
    assert recording_a.get(Site, "den").get_status() == (DiffSyncStatus.SUCCESS, "Created successfully")


def test_sync_callback_ends_at_the_diff_length(recording_a, backend_b):
    calls = []
    diff = recording_a.sync_from(backend_b, callback=lambda *args: calls.append(args))
    sync_calls = [call for call in calls if call[0] == "sync"]
    assert sync_calls[-1] == ("sync", len(diff), len(diff))
    assert [call[1] for call in sync_calls] == list(range(1, len(diff) + 1))


def test_callback_stages_are_diff_then_sync(recording_a, backend_b):
    calls = []
    recording_a.sync_from(backend_b, callback=lambda *args: calls.append(args))
    stages = [stage for stage, _, _ in calls]
    assert set(stages) == {"diff", "sync"}
    assert stages.index("sync") > max(i for i, stage in enumerate(stages) if stage == "diff")


def test_perform_sync_reports_whether_anything_changed(recording_a, backend_b):
    diff = recording_a.diff_from(backend_b)
    syncer = DiffSyncSyncer(diff, backend_b, recording_a, DiffSyncFlags.NONE)
    assert syncer.total_elements == len(diff)
    assert syncer.perform_sync() is True
    unchanged = recording_a.diff_from(backend_b)
    assert DiffSyncSyncer(unchanged, backend_b, recording_a, DiffSyncFlags.NONE).perform_sync() is False


def test_sync_applies_custom_child_order():
    from diffsync import Diff

    class ReversedSites(Diff):
        @classmethod
        def order_children_site(cls, children):
            yield from reversed(list(children.values()))

    dst = load_adapter(RecordingAdapter, {})
    dst.sync_from(load_adapter(RecordingAdapter, BACKEND_A), diff_class=ReversedSites)
    sites = [entry[2] for entry in JOURNAL if entry[:2] == ("create", "site")]
    assert sites == ["atl", "sfo", "nyc"]


def test_sync_from_empty_builds_the_whole_inventory():
    dst = load_adapter(RecordingAdapter, {})
    dst.sync_from(load_adapter(RecordingAdapter, backend_b_data()))
    assert dst.count() == 24


def test_skip_children_on_delete_element_and_children_are_not_counted(recording_a):
    recording_a.get(Site, "nyc").model_flags = DiffSyncModelFlags.SKIP_CHILDREN_ON_DELETE
    calls = []
    diff = recording_a.sync_from(load_minus(), callback=lambda *args: calls.append(args))
    assert len(diff) == 23
    assert [call for call in calls if call[0] == "sync"][-1] == ("sync", 23 - 8, 23)


class NoResultPerson(Person):
    """A person type whose delete fails softly (returns None)."""

    def delete(self):
        return None


class PartialSite(Site):
    """A site type whose update reports a partial failure through its status."""

    def update(self, *, attrs):
        super().update(attrs=attrs)
        self.set_status(DiffSyncStatus.FAILURE, "only some fields applied")
        return self


class BrokenSite(Site):
    """A site type whose update reports an error through its status without raising."""

    def update(self, *, attrs):
        self.set_status(DiffSyncStatus.ERROR, "device unreachable")
        return self


class NoResultDeleteAdapter(InventoryAdapter):
    person = NoResultPerson


class PartialAdapter(InventoryAdapter):
    site = PartialSite


class BrokenAdapter(InventoryAdapter):
    site = BrokenSite


def test_delete_returning_none_logs_failure_and_keeps_the_object(log, backend_b):
    dst = load_adapter(NoResultDeleteAdapter, BACKEND_A)
    dst.sync_from(backend_b)
    assert log.has("person delete did not return the model object.", level="warning", status="failure")
    assert dst.get(Person, "bob").name == "bob"
    assert "bob" in dst.get(Site, "sfo").people


def test_failure_status_set_by_the_model_is_logged_as_warning(log, backend_b):
    dst = load_adapter(PartialAdapter, BACKEND_A)
    dst.sync_from(backend_b)
    assert log.has("only some fields applied", level="warning", status="failure", unique_id="atl")


def test_error_status_set_by_the_model_is_logged_as_error(log, backend_b):
    dst = load_adapter(BrokenAdapter, BACKEND_A)
    dst.sync_from(backend_b)
    assert log.has("device unreachable", level="error", status="error", unique_id="atl")


def test_created_objects_use_the_destination_adapter_model_class(recording_a, backend_b):
    recording_a.sync_from(backend_b)
    assert type(recording_a.get(Site, "den")) is RecSite
    assert type(recording_a.get(Interface, "atl-edge2__eth0")) is RecInterface
