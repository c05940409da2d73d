"""The structlog events a sync emits, their levels and fields."""

from __future__ import annotations

from library_inventory import BACKEND_A, BackendA, load_adapter, load_minus

from diffsync.enum import DiffSyncFlags, DiffSyncModelFlags


def sync_events(log):
    """Events after the diff finished (the sync's own events)."""
    start = next(i for i, event in enumerate(log.events) if event["event"] == "Beginning sync")
    return log.events[start:]


def test_sync_logs_beginning_and_completion(log, backend_a, backend_b):
    backend_a.sync_from(backend_b)
    events = sync_events(log)
    assert (events[0]["event"], events[0]["level"]) == ("Beginning sync", "info")
    assert (events[-1]["event"], events[-1]["level"]) == ("Sync complete", "info")


def test_successful_update_logs_info_with_status_and_context(log, backend_a, backend_b):
    backend_a.sync_from(backend_b)
    assert log.has(
        "Updated successfully",
        level="info",
        status="success",
        action="update",
        model="site",
        unique_id="atl",
        diffs={"-": {"region": "us-east"}, "+": {"region": "us-south"}},
    )


def test_successful_create_logs_created_successfully(log, backend_a, backend_b):
    backend_a.sync_from(backend_b)
    assert log.has(
        "Created successfully",
        level="info",
        status="success",
        action="create",
        model="interface",
        unique_id="atl-edge2__eth0",
        diffs={"+": {"description": "uplink"}},
    )


def test_successful_delete_logs_deleted_successfully(log, backend_a, backend_b):
    backend_a.sync_from(backend_b)
    assert log.has(
        "Deleted successfully",
        level="info",
        status="success",
        action="delete",
        model="person",
        unique_id="bob",
        diffs={"-": {"email": "bob@example.com"}},
    )


def test_each_change_logs_an_attempt_at_debug_without_status(log, backend_a, backend_b):
    backend_a.sync_from(backend_b)
    attempts = [event for event in log.events if event["event"].startswith("Attempting model ")]
    assert len(attempts) == 8
    assert all(event["level"] == "debug" and "status" not in event for event in attempts)
    assert log.has("Attempting model update", model="device", unique_id="nyc-edge1", action="update")


def test_each_changed_element_emits_exactly_the_attempt_then_the_status(log, backend_a, backend_b):
    backend_a.sync_from(backend_b)
    with_action = [event for event in log.events if "action" in event]
    assert len(with_action) == 16
    for attempt, status in zip(with_action[::2], with_action[1::2], strict=True):
        assert attempt["event"] == f"Attempting model {attempt['action']}"
        assert (status["action"], status["model"], status["unique_id"]) == (
            attempt["action"],
            attempt["model"],
            attempt["unique_id"],
        )
        assert "status" in status
        assert status["diffs"] == attempt["diffs"]


def test_successful_sync_emits_only_debug_and_info(log, backend_a, backend_b):
    backend_a.sync_from(backend_b)
    assert {event["level"] for event in log.events} <= {"debug", "info"}


def test_every_sync_event_carries_source_destination_and_flags(log, backend_a, backend_b):
    flags = DiffSyncFlags.LOG_UNCHANGED_RECORDS
    backend_a.sync_from(backend_b, flags=flags)
    for event in log.events:
        assert (event["src"], event["dst"], event["flags"]) == (backend_b, backend_a, flags)


def test_unchanged_records_are_logged_at_debug_with_the_flag(log, backend_a, backend_b):
    backend_a.sync_from(backend_b, flags=DiffSyncFlags.LOG_UNCHANGED_RECORDS)
    assert log.has(
        "No changes to apply; no action needed",
        level="debug",
        status="success",
        model="site",
        unique_id="nyc",
    )
    assert log.count("No changes to apply; no action needed") == 18


def test_unchanged_records_are_not_logged_without_the_flag(log, backend_a, backend_b):
    backend_a.sync_from(backend_b)
    assert not log.has("No changes to apply; no action needed")


def test_sync_without_changes_logs_no_action_or_status(log, backend_a):
    backend_a.sync_from(load_adapter(BackendA, BACKEND_A))
    assert log.has("Sync complete")
    assert not [event for event in log.events if "action" in event or "status" in event]


def test_skip_children_on_delete_does_not_log_children(log, backend_a):
    backend_a.get("site", "nyc").model_flags = DiffSyncModelFlags.SKIP_CHILDREN_ON_DELETE
    backend_a.sync_from(load_minus())
    assert log.has("Deleted successfully", model="site", unique_id="nyc")
    assert not log.has("Deleted successfully", model="device", unique_id="nyc-edge1")
    assert log.has("Deleted successfully", model="device", unique_id="sfo-edge1")
