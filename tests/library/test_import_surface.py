"""The names users import must exist where upstream puts them."""

from __future__ import annotations

import importlib
import subprocess
import sys

import diffsync


def test_package_exports_model_adapter_and_deprecated_alias():
    assert isinstance(diffsync.DiffSyncModel, type)
    assert isinstance(diffsync.Adapter, type)
    assert issubclass(diffsync.DiffSync, diffsync.Adapter)


def test_package_reexports_the_objects_of_its_submodules():
    from diffsync import diff, enum, exceptions, helpers
    from diffsync.store import BaseStore
    from diffsync.store.local import LocalStore

    expected = {
        "Diff": diff.Diff,
        "DiffSyncFlags": enum.DiffSyncFlags,
        "DiffSyncModelFlags": enum.DiffSyncModelFlags,
        "DiffSyncStatus": enum.DiffSyncStatus,
        "DiffClassMismatch": exceptions.DiffClassMismatch,
        "ObjectAlreadyExists": exceptions.ObjectAlreadyExists,
        "ObjectNotFound": exceptions.ObjectNotFound,
        "ObjectStoreWrongType": exceptions.ObjectStoreWrongType,
        "DiffSyncDiffer": helpers.DiffSyncDiffer,
        "DiffSyncSyncer": helpers.DiffSyncSyncer,
        "BaseStore": BaseStore,
        "LocalStore": LocalStore,
    }
    for name, obj in expected.items():
        assert getattr(diffsync, name) is obj, name


def test_dunder_all_lists_every_public_name_of_the_import_surface():
    # A deliberate difference (docs/compatibility.md): upstream defines no __all__.
    expected = {
        "DiffSyncModel",
        "Adapter",
        "DiffSync",
        "Diff",
        "DiffSyncFlags",
        "DiffSyncModelFlags",
        "DiffSyncStatus",
        "DiffClassMismatch",
        "ObjectAlreadyExists",
        "ObjectNotFound",
        "ObjectStoreWrongType",
        "DiffSyncDiffer",
        "DiffSyncSyncer",
        "BaseStore",
        "LocalStore",
    }
    assert expected <= set(diffsync.__all__)
    assert all(hasattr(diffsync, name) for name in diffsync.__all__)


def test_diff_module_exports_diff_and_diff_element():
    module = importlib.import_module("diffsync.diff")
    assert isinstance(module.Diff, type)
    assert isinstance(module.DiffElement, type)


def test_enum_module_exports_the_four_enums():
    module = importlib.import_module("diffsync.enum")
    for name in ("DiffSyncModelFlags", "DiffSyncFlags", "DiffSyncStatus", "DiffSyncActions"):
        assert isinstance(getattr(module, name), type), name


def test_exceptions_module_exports_every_exception_class():
    module = importlib.import_module("diffsync.exceptions")
    names = (
        "ObjectCrudException",
        "ObjectNotCreated",
        "ObjectNotUpdated",
        "ObjectNotDeleted",
        "ObjectStoreException",
        "ObjectAlreadyExists",
        "ObjectNotFound",
        "ObjectStoreWrongType",
        "DiffException",
        "DiffClassMismatch",
    )
    for name in names:
        assert issubclass(getattr(module, name), Exception), name


def test_helpers_module_exports_differ_and_syncer():
    module = importlib.import_module("diffsync.helpers")
    assert isinstance(module.DiffSyncDiffer, type)
    assert isinstance(module.DiffSyncSyncer, type)


def test_store_modules_export_base_store_and_local_store():
    from diffsync.store import BaseStore
    from diffsync.store.local import LocalStore

    assert issubclass(LocalStore, BaseStore)


def test_utils_module_exports_helpers_and_tree_constants():
    module = importlib.import_module("diffsync.utils")
    for name in (
        "intersection",
        "symmetric_difference",
        "OrderedDefaultDict",
        "tree_string",
        "set_key",
        "get_path",
    ):
        assert callable(getattr(module, name)), name
    assert (module.TEE, module.LAST, module.BRANCH, module.SPACE) == ("├── ", "└── ", "│   ", "    ")


def test_logging_helper_modules_export_their_functions():
    assert callable(importlib.import_module("diffsync.logging").enable_console_logging)
    assert callable(importlib.import_module("diffsync.log").initialize_logging)


def test_redis_store_import_without_redis_raises_import_error_with_hint_and_prints_nothing(tmp_path):
    # A deliberate difference (docs/compatibility.md): upstream prints the hint to stdout.
    code = "import sys\nsys.modules['redis'] = None\nimport diffsync.store.redis\n"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert "ImportError" in result.stderr or "ModuleNotFoundError" in result.stderr
    assert "pip install 'diffsync[redis]'" in result.stderr
