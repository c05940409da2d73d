"""Enum members, values and flag arithmetic."""

from __future__ import annotations

import enum

from diffsync.enum import DiffSyncActions, DiffSyncFlags, DiffSyncModelFlags, DiffSyncStatus


def test_model_flags_is_a_flag_enum_with_the_documented_values():
    assert issubclass(DiffSyncModelFlags, enum.Flag)
    values = {member.name: member.value for member in DiffSyncModelFlags.__members__.values()}
    assert values == {
        "NONE": 0,
        "IGNORE": 1,
        "SKIP_CHILDREN_ON_DELETE": 2,
        "SKIP_UNMATCHED_SRC": 4,
        "SKIP_UNMATCHED_DST": 8,
        "NATURAL_DELETION_ORDER": 16,
        "SKIP_UNMATCHED_BOTH": 12,
    }


def test_model_flags_skip_unmatched_both_is_src_or_dst():
    both = DiffSyncModelFlags.SKIP_UNMATCHED_SRC | DiffSyncModelFlags.SKIP_UNMATCHED_DST
    assert both == DiffSyncModelFlags.SKIP_UNMATCHED_BOTH


def test_iterating_model_flags_yields_the_five_single_bit_members():
    assert [member.name for member in DiffSyncModelFlags] == [
        "IGNORE",
        "SKIP_CHILDREN_ON_DELETE",
        "SKIP_UNMATCHED_SRC",
        "SKIP_UNMATCHED_DST",
        "NATURAL_DELETION_ORDER",
    ]


def test_diffsync_flags_is_a_flag_enum_with_the_documented_values():
    assert issubclass(DiffSyncFlags, enum.Flag)
    values = {member.name: member.value for member in DiffSyncFlags.__members__.values()}
    assert values == {
        "NONE": 0,
        "CONTINUE_ON_FAILURE": 1,
        "SKIP_UNMATCHED_SRC": 2,
        "SKIP_UNMATCHED_DST": 4,
        "SKIP_UNMATCHED_BOTH": 6,
        "LOG_UNCHANGED_RECORDS": 8,
    }


def test_diffsync_flags_support_ordinary_bit_arithmetic():
    flags = DiffSyncFlags.NONE
    flags |= DiffSyncFlags.CONTINUE_ON_FAILURE
    flags |= DiffSyncFlags.SKIP_UNMATCHED_SRC
    assert bool(flags & DiffSyncFlags.CONTINUE_ON_FAILURE)
    flags &= ~DiffSyncFlags.CONTINUE_ON_FAILURE
    assert not flags & DiffSyncFlags.CONTINUE_ON_FAILURE
    assert flags == DiffSyncFlags.SKIP_UNMATCHED_SRC
    assert not DiffSyncFlags.NONE


def test_diffsync_flags_skip_unmatched_both_is_src_or_dst():
    assert (
        DiffSyncFlags.SKIP_UNMATCHED_BOTH
        == DiffSyncFlags.SKIP_UNMATCHED_SRC | DiffSyncFlags.SKIP_UNMATCHED_DST
    )


def test_status_is_a_plain_enum_of_lowercase_strings():
    assert issubclass(DiffSyncStatus, enum.Enum)
    assert not issubclass(DiffSyncStatus, enum.Flag)
    assert {member.name: member.value for member in DiffSyncStatus} == {
        "UNKNOWN": "unknown",
        "SUCCESS": "success",
        "FAILURE": "failure",
        "ERROR": "error",
    }


def test_actions_are_plain_class_constants_not_an_enum():
    assert not issubclass(DiffSyncActions, enum.Enum)
    assert DiffSyncActions.CREATE == "create"
    assert DiffSyncActions.UPDATE == "update"
    assert DiffSyncActions.DELETE == "delete"
    assert DiffSyncActions.SKIP == "skip"
    assert DiffSyncActions.NO_CHANGE is None
