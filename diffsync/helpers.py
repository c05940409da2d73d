"""The engines behind `diff_from` and `sync_from`.

`DiffSyncDiffer` walks two adapters from their top-level models down through children and
builds a `Diff`; `DiffSyncSyncer` walks a `Diff` and calls each destination model's
create/update/delete. Both report progress through an optional callback
``callback(stage, current, total)`` and log through structlog with `src`, `dst` and `flags`
bound on every event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from itertools import chain
from typing import TYPE_CHECKING, Any

import structlog

from diffsync import _handed_out
from diffsync._differ import DiffEngine, adder
from diffsync._fields import same_identity, shortname_is_unique_id
from diffsync._gc import collection_paused
from diffsync._quiet_sync import QuietSkips, record_built, skipping_plan
from diffsync._sync_step import ElementStep
from diffsync.diff import Diff, DiffElement
from diffsync.enum import DiffSyncActions, DiffSyncFlags, DiffSyncModelFlags, DiffSyncStatus
from diffsync.exceptions import ObjectNotFound
from diffsync.utils import intersection, symmetric_difference

# Importable from here, as upstream's module imports them (`from diffsync.helpers import ...`).
__all__ = [
    "DiffSyncDiffer",
    "DiffSyncSyncer",
    "ObjectNotFound",
    "ProgressCallback",
    "intersection",
    "symmetric_difference",
]

if TYPE_CHECKING:
    from diffsync.adapter import Adapter
    from diffsync.model import DiffSyncModel

ProgressCallback = Callable[[str, int, int], None]
_NO_MODEL_FLAGS = DiffSyncModelFlags.NONE

# The differ's overridable steps: a subclass replacing any of them gets the plain algorithm.
_DIFFER_HOOKS = (
    "diff_object_list",
    "validate_objects_for_diff",
    "diff_object_pair",
    "_diff_pair",
    "_skip_reason",
    "diff_child_objects",
    "incr_models_processed",
)


class DiffSyncDiffer:
    """Compute the diff that would turn `dst_diffsync` into `src_diffsync`."""

    def __init__(
        self,
        src_diffsync: Adapter,
        dst_diffsync: Adapter,
        flags: DiffSyncFlags,
        diff_class: type[Diff] = Diff,
        callback: ProgressCallback | None = None,
    ) -> None:
        self.src_diffsync = src_diffsync
        self.dst_diffsync = dst_diffsync
        self.flags = flags
        self.diff_class = diff_class
        self.callback = callback
        self.diff: Diff | None = None
        self.models_processed = 0
        self.total_models = len(src_diffsync) + len(dst_diffsync)
        self.logger = structlog.get_logger().new(src=src_diffsync, dst=dst_diffsync, flags=flags)

    def incr_models_processed(self, delta: int = 1) -> None:
        if delta:
            self.models_processed += delta
            if self.callback:
                self.callback("diff", self.models_processed, self.total_models)

    def calculate_diffs(self) -> Diff:
        """Build the diff once; later calls return the same one."""
        if self.diff is not None:
            return self.diff
        with collection_paused():
            return self._calculate_diffs()

    def _calculate_diffs(self) -> Diff:
        self.logger.debug(
            f"Diff calculation between these two datasets will involve {self.total_models} models"
        )
        self.logger.info("Beginning diff calculation")
        self.diff = self.diff_class()
        src_top, dst_top = self.src_diffsync.top_level, self.dst_diffsync.top_level
        # Types only one side knows at the top level cannot be paired: count them as seen.
        for name in symmetric_difference(dst_top, src_top):
            adapter = self.dst_diffsync if name in dst_top else self.src_diffsync
            self.incr_models_processed(len(adapter.get_all(name)))
        handed_out = _handed_out.count()
        engine = DiffEngine(self) if self._has_stock_hooks() else None
        add = adder(self.diff) if engine is not None else self.diff.add
        for name in intersection(dst_top, src_top):
            src, dst = self.src_diffsync.get_all(name), self.dst_diffsync.get_all(name)
            if engine is not None:
                elements: list[DiffElement] = []
                engine.diff_lists(src, dst, None, elements)
            else:
                elements = self.diff_object_list(
                    src=src, dst=dst, source_root=self.src_diffsync, dest_root=self.dst_diffsync
                )
            for element in elements:
                add(element)
        if engine is not None:
            engine.settle_count()
        self.logger.info("Diff calculation complete")
        diff = self.diff
        diff.models_processed = self.models_processed
        diff.complete()
        if engine is not None:
            record_built(diff, engine.marks, engine.elements, self.dst_diffsync, handed_out)
        return diff

    def _has_stock_hooks(self) -> bool:
        """True when no subclass replaced a step of the algorithm, so `DiffEngine` may run it."""
        return all(getattr(type(self), hook) is getattr(DiffSyncDiffer, hook) for hook in _DIFFER_HOOKS)

    def diff_object_list(
        self,
        src: Iterable[DiffSyncModel],
        dst: Iterable[DiffSyncModel],
        source_root: Adapter | None = None,
        dest_root: Adapter | None = None,
    ) -> list[DiffElement]:
        """Pair two lists of objects by unique id and diff each pair.

        Pairs come in source order, then destination-only objects in destination order.
        """
        if not isinstance(src, Iterable) or not isinstance(dst, Iterable):
            raise TypeError(f"Both src and dst must be iterable (got {type(src)} and {type(dst)})")
        by_uid_src = {obj.get_unique_id(): obj for obj in src}
        by_uid_dst = {obj.get_unique_id(): obj for obj in dst}
        self.validate_objects_for_diff(
            (src_obj, by_uid_dst[uid]) for uid, src_obj in by_uid_src.items() if uid in by_uid_dst
        )
        elements = []
        for uid, src_obj in by_uid_src.items():
            element = self._diff_pair(src_obj, by_uid_dst.get(uid), uid)
            if element is not None:
                elements.append(element)
        for uid, dst_obj in by_uid_dst.items():
            if uid not in by_uid_src:
                element = self._diff_pair(None, dst_obj, uid)
                if element is not None:
                    elements.append(element)
        return elements

    @staticmethod
    def validate_objects_for_diff(
        object_pairs: Iterable[tuple[DiffSyncModel | None, DiffSyncModel | None]],
    ) -> None:
        """Refuse pairs that share a unique id but are not the same kind of object.

        Pairs with a side missing (None) have nothing to compare and pass.
        """
        for src_obj, dst_obj in object_pairs:
            if src_obj is None or dst_obj is None:
                continue
            if src_obj.get_type() != dst_obj.get_type():
                raise TypeError(f"Type mismatch: {src_obj.get_type()} vs {dst_obj.get_type()}")
            # The common case, settled without dumping: one class, equal plain identifiers, and
            # shortnames made of identifier fields.
            if same_identity(src_obj, dst_obj):
                continue
            if src_obj.get_shortname() != dst_obj.get_shortname():
                raise ValueError(
                    f"Shortname mismatch: {src_obj.get_shortname()} vs {dst_obj.get_shortname()}"
                )
            if src_obj.get_identifiers() != dst_obj.get_identifiers():
                raise ValueError(f"Keys mismatch: {src_obj.get_identifiers()} vs {dst_obj.get_identifiers()}")

    def _skip_reason(self, src_obj: DiffSyncModel | None, dst_obj: DiffSyncModel | None) -> str | None:
        # Flag arithmetic on enum.Flag is slow; test the cheap truthiness first, as most
        # objects of a large diff carry no flags at all.
        if self.flags:
            if dst_obj is None and self.flags & DiffSyncFlags.SKIP_UNMATCHED_SRC:
                return "Skipping due to SKIP_UNMATCHED_SRC flag on source adapter"
            if src_obj is None and self.flags & DiffSyncFlags.SKIP_UNMATCHED_DST:
                return "Skipping due to SKIP_UNMATCHED_DST flag on source adapter"
        src_flags = src_obj.model_flags if src_obj is not None else None
        dst_flags = dst_obj.model_flags if dst_obj is not None else None
        if not src_flags and not dst_flags:
            return None
        if src_flags and dst_obj is None and src_flags & DiffSyncModelFlags.SKIP_UNMATCHED_SRC:
            return "Skipping due to SKIP_UNMATCHED_SRC flag on model"
        if dst_flags and src_obj is None and dst_flags & DiffSyncModelFlags.SKIP_UNMATCHED_DST:
            return "Skipping due to SKIP_UNMATCHED_DST flag on model"
        if src_flags and src_flags & DiffSyncModelFlags.IGNORE:
            return "Skipping due to IGNORE flag on source object"
        if dst_flags and dst_flags & DiffSyncModelFlags.IGNORE:
            return "Skipping due to IGNORE flag on dest object"
        return None

    def diff_object_pair(
        self, src_obj: DiffSyncModel | None, dst_obj: DiffSyncModel | None
    ) -> DiffElement | None:
        """The element for one pair (either side may be absent), or None when it is skipped."""
        reference = src_obj if src_obj is not None else dst_obj
        if reference is None:
            raise RuntimeError("diff_object_pair() needs at least one of src_obj and dst_obj")
        return self._diff_pair(src_obj, dst_obj, reference.get_unique_id())

    def _diff_pair(
        self, src_obj: DiffSyncModel | None, dst_obj: DiffSyncModel | None, unique_id: str
    ) -> DiffElement | None:
        reference: DiffSyncModel = src_obj if src_obj is not None else dst_obj  # type: ignore[assignment]
        reason = self._skip_reason(src_obj, dst_obj)
        if reason is not None:
            self.logger.debug(reason, model=reference.get_type(), unique_id=unique_id)
            self.incr_models_processed()
            return None

        element = DiffElement(
            obj_type=reference.get_type(),
            name=unique_id if shortname_is_unique_id(type(reference)) else reference.get_shortname(),
            keys=reference.get_identifiers(),
            source_name=self.src_diffsync.name,
            dest_name=self.dst_diffsync.name,
            diff_class=self.diff_class,
        )
        if src_obj is not None:
            element.source_attrs = src_obj.get_attrs()
        if dst_obj is not None:
            element.dest_attrs = dst_obj.get_attrs()
        self.incr_models_processed((src_obj is not None) + (dst_obj is not None))
        self.diff_child_objects(element, src_obj, dst_obj)
        return element

    def diff_child_objects(
        self, diff_element: DiffElement, src_obj: DiffSyncModel | None, dst_obj: DiffSyncModel | None
    ) -> DiffElement:
        """Diff the children of a pair into `diff_element`, and return it.

        Child types only one side declares are counted, not diffed.
        """
        src_mapping = src_obj.get_children_mapping() if src_obj is not None else {}
        dst_mapping = dst_obj.get_children_mapping() if dst_obj is not None else {}
        if src_obj is not None and dst_obj is not None:
            for child_type, field_name in src_mapping.items():
                if child_type not in dst_mapping:
                    self.incr_models_processed(len(getattr(src_obj, field_name)))
            for child_type, field_name in dst_mapping.items():
                if child_type not in src_mapping:
                    self.incr_models_processed(len(getattr(dst_obj, field_name)))
            child_types = [child_type for child_type in src_mapping if child_type in dst_mapping]
        else:
            child_types = list(src_mapping or dst_mapping)

        for child_type in child_types:
            src_uids = getattr(src_obj, src_mapping[child_type]) if src_obj is not None else []
            dst_uids = getattr(dst_obj, dst_mapping[child_type]) if dst_obj is not None else []
            for child_element in self.diff_object_list(
                src=self.src_diffsync.get_by_uids(src_uids, child_type),
                dst=self.dst_diffsync.get_by_uids(dst_uids, child_type),
            ):
                diff_element.add_child(child_element)
        return diff_element


class DiffSyncSyncer:
    """Apply a `Diff` to the destination adapter, element by element, parents before children."""

    def __init__(
        self,
        diff: Diff,
        src_diffsync: Adapter,
        dst_diffsync: Adapter,
        flags: DiffSyncFlags,
        callback: ProgressCallback | None = None,
    ) -> None:
        self.diff = diff
        self.src_diffsync = src_diffsync
        self.dst_diffsync = dst_diffsync
        self.flags = flags
        self.callback = callback
        self._processed = 0
        self._total_elements: int | None = None
        self.base_logger = structlog.get_logger().new(src=src_diffsync, dst=dst_diffsync, flags=flags)
        self.log_unchanged_records = bool(flags & DiffSyncFlags.LOG_UNCHANGED_RECORDS)
        # The element being synced, as upstream keeps it for `sync_model` and `log_sync_status`.
        self.action: str | None = None
        self.model_class: type[DiffSyncModel] | None = None
        self._step: ElementStep | None = None
        # A subclass overriding `sync_model` gets upstream's arguments (source object included),
        # and one overriding `log_sync_status` hears of every element, as upstream calls them.
        self._sync_model_overridden = type(self).sync_model is not DiffSyncSyncer.sync_model
        self._log_every_status = (
            self.log_unchanged_records or type(self).log_sync_status is not DiffSyncSyncer.log_sync_status
        )
        # structlog's filtering loggers tell which levels they drop; others may keep any event.
        enabled_for = getattr(self.base_logger, "is_enabled_for", None)
        self.debug_enabled = enabled_for is None or bool(enabled_for(logging.DEBUG))
        self.info_enabled = enabled_for is None or bool(enabled_for(logging.INFO))
        # Set while perform_sync skips the quiet parts of the diff (see diffsync/_quiet_sync.py).
        self._skips: QuietSkips | None = None

    @property
    def logger(self) -> Any:
        """The logger of the element being synced (bound with action, model, unique_id, diffs)."""
        return self._step.logger if self._step is not None else self.base_logger

    @logger.setter
    def logger(self, value: Any) -> None:
        if self._step is not None:
            self._step._logger = value
        else:
            self.base_logger = value

    @property
    def total_elements(self) -> int:
        """`len(diff)`: the elements a full sync processes (counted when first needed)."""
        if self._total_elements is None:
            self._total_elements = len(self.diff)
        return self._total_elements

    @total_elements.setter
    def total_elements(self, value: int) -> None:
        self._total_elements = value

    @property
    def elements_processed(self) -> int:
        """Elements processed so far, counting the quiet subtrees a sync skipped."""
        skipped = self._skips.skipped_size() if self._skips is not None else 0
        return self._processed + skipped

    @elements_processed.setter
    def elements_processed(self, value: int) -> None:
        skipped = self._skips.skipped_size() if self._skips is not None else 0
        self._processed = value - skipped

    def incr_elements_processed(self, delta: int = 1) -> None:
        if delta:
            self._processed += delta
            if self.callback:
                self.callback("sync", self.elements_processed, self.total_elements)

    def perform_sync(self) -> bool:
        """Sync every element; True when anything was created, updated or deleted."""
        changed = False
        self.base_logger.info("Beginning sync")
        with collection_paused():
            skips = self._skips = skipping_plan(self, DiffSyncSyncer)
            try:
                if skips is None:
                    for element in self.diff.get_children():
                        changed |= self.sync_diff_element(element)
                else:
                    changed = self._sync_quiet_aware(self.diff.get_children(), skips, None)
            except BaseException:
                if skips is not None:
                    skips.failed()
                raise
            if skips is not None:
                skips.finished()
        self.base_logger.info("Sync complete")
        return changed

    def _sync_children(self, element: DiffElement, parent_model: DiffSyncModel | None) -> bool:
        skips = self._skips
        if skips is None:
            changed = False
            for child in element.get_children():
                changed |= self.sync_diff_element(child, parent_model=parent_model)
            return changed
        child_diff = element._child_diff
        if child_diff is None:
            return False
        if type(child_diff) is Diff:  # its own visiting order: the groups' insertion order
            children: Iterable[DiffElement] = chain.from_iterable(
                [group.values() for group in list(child_diff._children.values())]
            )
        else:
            children = child_diff.get_children()
        return self._sync_quiet_aware(children, skips, parent_model)

    def _sync_quiet_aware(
        self, elements: Iterable[DiffElement], skips: QuietSkips, parent_model: DiffSyncModel | None
    ) -> bool:
        """Sync the elements that are not quiet; note the quiet ones as skipped."""
        changed = False
        skipped = skips.skipped
        may_skip = skips.may_skip()  # only a visit runs hooks that could change the store
        for child in elements:
            if may_skip and child._quiet:
                skipped.append(child)
            else:
                changed |= self.sync_diff_element(child, parent_model=parent_model)
                may_skip = skips.may_skip()
        return changed

    def sync_diff_element(self, element: DiffElement, parent_model: DiffSyncModel | None = None) -> bool:
        """Sync one element and, unless it says otherwise, its children; True if anything changed."""
        model_class: type[DiffSyncModel] = getattr(self.dst_diffsync, element.type)
        action = element.action
        skips = self._skips
        dst_model = skips.known_model(element) if skips is not None else None
        if dst_model is None:
            dst_model = self.dst_diffsync.get_or_none(model_class, element._keys_dict())
        step = ElementStep(self, element, model_class, action)
        if dst_model is not None:
            if skips is not None:
                skips.visiting(dst_model)
            dst_model.set_status(DiffSyncStatus.UNKNOWN, "")
        dst_flags: Any = dst_model.model_flags if dst_model is not None else None
        if dst_flags is None or dst_flags is _NO_MODEL_FLAGS:  # Flag truthiness is slow
            skip_children = natural_order = False
        else:
            skip_children = bool(dst_flags & DiffSyncModelFlags.SKIP_CHILDREN_ON_DELETE)
            natural_order = bool(dst_flags & DiffSyncModelFlags.NATURAL_DELETION_ORDER)
        children_first = natural_order and action == DiffSyncActions.DELETE and not skip_children

        changed = False
        if children_first:
            changed |= self._sync_children(element, parent_model=dst_model)

        self._step, self.action, self.model_class = step, action, model_class
        if self._sync_model_overridden:
            ids = element._keys_dict()
            model_changed, result = self.sync_model(
                src_model=self.src_diffsync.get_or_none(model_class, ids),
                dst_model=dst_model,
                ids=ids,
                attrs=step.diffs.get("+", {}),
            )
        else:
            model_changed, result = step.run(dst_model)
        changed |= model_changed
        if result is None:
            step.logger.warning("No object resulted from sync, will not process child objects.")
            if skips is not None and not children_first:
                skips.not_reaching(element.get_children())
            return changed

        if action == DiffSyncActions.CREATE:
            if parent_model is not None:
                parent_model.add_child(result)
            self.dst_diffsync.add(result)
        elif action == DiffSyncActions.DELETE:
            if parent_model is not None:
                parent_model.remove_child(result)
            if skips is None:
                self.dst_diffsync.remove(result, remove_children=skip_children)
            else:
                if skip_children:
                    skips.not_reaching(element.get_children())
                before = skips.removing()
                self.dst_diffsync.remove(result, remove_children=skip_children)
                skips.removed(before)
            if skip_children:
                return changed

        self.incr_elements_processed()

        if not (natural_order and action == DiffSyncActions.DELETE):
            changed |= self._sync_children(element, parent_model=result)
        return changed

    def sync_model(
        self,
        src_model: DiffSyncModel | None,
        dst_model: DiffSyncModel | None,
        ids: dict[str, Any],
        attrs: dict[str, Any],
    ) -> tuple[bool, DiffSyncModel | None]:
        """Create, update or delete the destination object of the element being synced.

        Returns (changed, resulting object); None as the object stops its children. Upstream's
        hook: `sync_diff_element` calls it for every element with the action in `self.action`
        and the model class in `self.model_class`; `src_model` is not used here.
        """
        if self._step is None:
            raise RuntimeError("sync_model() runs inside sync_diff_element(), for the element being synced")
        return self._step.run(dst_model, ids=ids, attrs=attrs)

    def log_sync_status(self, action: str | None, status: DiffSyncStatus, message: str) -> None:
        """Log the outcome of one element at the level its status calls for (upstream's hook)."""
        # Events at a level the logger filters out are not built (binding costs more than a step).
        if action is None:
            if self.log_unchanged_records and self.debug_enabled:
                self.logger.debug(message, status=status.value)
        elif status == DiffSyncStatus.SUCCESS:
            if self.info_enabled:
                self.logger.info(message, status=status.value)
        elif status == DiffSyncStatus.FAILURE:
            self.logger.warning(message, status=status.value)
        else:
            self.logger.error(message, status=status.value)
