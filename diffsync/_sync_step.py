"""One element's create, update or delete during a sync, and the events it logs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diffsync._typing import Attrs
from diffsync.enum import DiffSyncActions, DiffSyncFlags, DiffSyncStatus
from diffsync.exceptions import (
    ObjectCrudException,
    ObjectNotCreated,
    ObjectNotDeleted,
    ObjectNotUpdated,
)

if TYPE_CHECKING:
    from diffsync.diff import DiffElement
    from diffsync.helpers import DiffSyncSyncer
    from diffsync.model import DiffSyncModel


class ElementStep:
    """The create/update/delete of one element, with its lazily bound logger.

    Binding a logger for every element of a large diff costs more than the sync itself, so the
    element's context is bound only when an event is emitted, and events at a level the
    logger filters out (structlog's filtering loggers say so) are not emitted at all.
    """

    __slots__ = ("_diffs", "_logger", "_unique_id", "action", "element", "model_class", "syncer")

    def __init__(
        self,
        syncer: DiffSyncSyncer,
        element: DiffElement,
        model_class: type[DiffSyncModel],
        action: str | None,
    ) -> None:
        self.syncer = syncer
        self.element = element
        self.model_class = model_class
        self.action = action
        self._logger: Any = None
        self._diffs: dict[str, Attrs] | None = None
        self._unique_id: str | None = None

    @property
    def diffs(self) -> dict[str, Attrs]:
        """`element.get_attrs_diffs()`, once: the logged diffs and the attrs a hook gets."""
        if self._diffs is None:
            self._diffs = self.element.get_attrs_diffs()
        return self._diffs

    def _note_unique_id(self) -> None:
        """The unique id as it is before the hooks run (they get the keys dict to change)."""
        if self._unique_id is None:
            self._unique_id = self.model_class.create_unique_id(**self.element._keys_dict())

    @property
    def logger(self) -> Any:
        if self._logger is None:
            self._note_unique_id()
            self._logger = self.syncer.base_logger.bind(
                action=self.action,
                model=self.model_class.get_type(),
                unique_id=self._unique_id,
                diffs=self.diffs,
            )
        return self._logger

    def run(
        self,
        dst_model: DiffSyncModel | None,
        ids: dict[str, Any] | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> tuple[bool, DiffSyncModel | None]:
        """Return (changed, resulting object); None as the object stops the children.

        `ids` and `attrs` default to the element's keys and new attribute values.
        """
        if self.action is None:
            self.log_status(DiffSyncStatus.SUCCESS, "No changes to apply; no action needed")
            return False, dst_model
        type_name = self.model_class.get_type()
        if ids is None:
            ids = self.element._keys_dict()
        try:
            if self.syncer.debug_enabled:
                self.logger.debug(f"Attempting model {self.action}")
            else:
                self._note_unique_id()
                self.diffs  # noqa: B018 - taken before the hooks run, as the bound logger would
            result: DiffSyncModel | None
            if self.action == DiffSyncActions.CREATE:
                if dst_model is not None:
                    raise ObjectNotCreated(f"Failed to create {type_name} {ids} - it already exists!")
                if attrs is None:
                    attrs = self.diffs.get("+", {})
                result = self.model_class.create(adapter=self.syncer.dst_diffsync, ids=ids, attrs=attrs)
            elif self.action == DiffSyncActions.UPDATE:
                if dst_model is None:
                    raise ObjectNotUpdated(f"Failed to update {type_name} {ids} - not found!")
                if attrs is None:
                    attrs = self.diffs.get("+", {})
                result = dst_model.update(attrs=attrs)
            elif self.action == DiffSyncActions.DELETE:
                if dst_model is None:
                    raise ObjectNotDeleted(f"Failed to delete {type_name} {ids} - not found!")
                result = dst_model.delete()
            else:
                raise ObjectCrudException(f'Unknown action "{self.action}"!')
        except ObjectCrudException as error:
            self.log_status(DiffSyncStatus.ERROR, str(error))
            if self.syncer.flags & DiffSyncFlags.CONTINUE_ON_FAILURE:
                return True, None
            raise
        if result is None:
            status, message = (
                DiffSyncStatus.FAILURE,
                f"{type_name} {self.action} did not return the model object.",
            )
        else:
            status, message = result.get_status()
        self.log_status(status, message)
        return True, result

    def log_status(self, status: DiffSyncStatus, message: str) -> None:
        # Unchanged elements log nothing unless asked: skip the call for the many of them.
        if self.action is not None or self.syncer._log_every_status:
            self.syncer.log_sync_status(self.action, status, message)
