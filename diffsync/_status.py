"""A model's sync status, and the reset a sync applies to models it leaves unchanged.

Upstream's syncer visits every element of a diff and resets the destination model's status to
``(UNKNOWN, "")`` before acting on it, so after a sync every destination model the diff paired
reads ``UNKNOWN`` unless the sync set another status. Visiting a million unchanged elements
only to reset their status made a sync cost as much as a diff. Instead the differ marks each
destination model it pairs with the diff's `Membership` (one entry in the instance dict, not a
field: dumps, JSON, stores and ``==`` never see it), and a sync that skips the unchanged part
of the diff applies the reset to all of them at once (`SyncMarks.applied`). Reading the
status (`get_status()`, ``model._status``, ``model._status_message``) honours the mark;
setting it (`set_status()`, assigning ``model._status``) records a status newer than the
reset. The syncer takes the mark off the models it visits (they get their status the upstream
way) and off the models a failure keeps it from reaching, so the statuses read the same as
upstream's after every sync.
"""

from __future__ import annotations

from typing import Any

from diffsync.enum import DiffSyncStatus

MARK_KEY = "_diffsync_sync_mark"
STATUS_KEY = "_status"
MESSAGE_KEY = "_status_message"
DEFAULT_STATUS = DiffSyncStatus.SUCCESS
DEFAULT_MESSAGE = ""


class SyncMarks:
    """The marks of one diff: whether its sync has reset the models it paired.

    ``overwritten`` means a later diff replaced one of these marks before this diff was synced
    (a model in two stores, say): a sync of this diff can then no longer reach every model it
    paired through the marks, and visits the whole diff instead.
    """

    __slots__ = ("applied", "fresh", "overwritten", "reset_before")

    def __init__(self) -> None:
        self.applied = False
        self.overwritten = False
        # The mark for a model with no reset pending, and the one for a model whose status an
        # earlier sync had already reset when this diff paired it.
        self.fresh = Membership(self, reset_before=False)
        self.reset_before = Membership(self, reset_before=True)


class Membership:
    """The mark a diff leaves on a destination model it paired."""

    __slots__ = ("marks", "reset_before")

    def __init__(self, marks: SyncMarks, reset_before: bool) -> None:
        self.marks = marks
        self.reset_before = reset_before

    @property
    def resets(self) -> bool:
        return self.reset_before or self.marks.applied


def mark(values: dict[str, Any], marks: SyncMarks) -> None:
    """Mark a destination model (by its instance dict) as paired by the diff of ``marks``."""
    previous = values.get(MARK_KEY)
    if previous is None:
        values[MARK_KEY] = marks.fresh
    elif previous.marks is not marks:
        if not previous.marks.applied:
            previous.marks.overwritten = True
        values[MARK_KEY] = marks.reset_before if previous.resets else marks.fresh


def unmark(values: dict[str, Any], marks: SyncMarks) -> None:
    """Take the mark of ``marks`` off a model; its pending reset, if any, becomes explicit."""
    current = values.get(MARK_KEY)
    if current is not None and current.marks is marks:
        del values[MARK_KEY]
        if current.reset_before:
            values[STATUS_KEY] = DiffSyncStatus.UNKNOWN
            values[MESSAGE_KEY] = ""


def settle_copy(values: dict[str, Any]) -> None:
    """A shallow copy of a model's dict: the copy keeps the status it has now, and no mark.

    The mark stands for the models the diff paired; a copy made afterwards is not one of them.
    """
    current = values.pop(MARK_KEY, None)
    if current is not None and current.resets:
        values[STATUS_KEY] = DiffSyncStatus.UNKNOWN
        values[MESSAGE_KEY] = ""


def read(values: dict[str, Any]) -> tuple[DiffSyncStatus, str]:
    """The status and message of a model, from its instance dict."""
    current = values.get(MARK_KEY)
    if current is not None and current.resets:
        return DiffSyncStatus.UNKNOWN, ""
    return values.get(STATUS_KEY, DEFAULT_STATUS), values.get(MESSAGE_KEY, DEFAULT_MESSAGE)


def write(values: dict[str, Any], key: str, value: Any) -> None:
    """Set the status or the message: newer than any reset, which stops applying to the model."""
    current = values.get(MARK_KEY)
    if current is not None and current.resets:
        # The reset happened (or is pending and already due): make it explicit, then overwrite.
        if current.marks.applied:
            del values[MARK_KEY]
        else:
            values[MARK_KEY] = current.marks.fresh
        values[STATUS_KEY] = DiffSyncStatus.UNKNOWN
        values[MESSAGE_KEY] = ""
    values[key] = value


class StatusAttribute:
    """``model._status`` / ``model._status_message``: read and written through the rules above."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return DEFAULT_STATUS if self.key == STATUS_KEY else DEFAULT_MESSAGE
        status, message = read(obj.__dict__)
        return status if self.key == STATUS_KEY else message

    def __set__(self, obj: Any, value: Any) -> None:
        write(obj.__dict__, self.key, value)
