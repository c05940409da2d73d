"""The layering check fails on each kind of import that crosses a layer, and passes this tree."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_checker():  # tools/ is not a package: load the script as a module
    spec = importlib.util.spec_from_file_location("check_layering", ROOT / "tools" / "check_layering.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_layering"] = module
    spec.loader.exec_module(module)
    return module


checker = _load_checker()


def _plant(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)


def test_the_repository_respects_its_layers():
    assert checker.crossings(ROOT) == []


@pytest.mark.parametrize(
    ("relative", "source", "reported"),
    [
        ("diffsync/store/bad.py", "import kopf\n", "imports kopf"),
        ("diffsync/bad.py", "from diffsync_operator.api import SyncJob\n", "imports diffsync_operator.api"),
        ("operator/diffsync_operator/api/bad.py", "import redis\n", "imports redis"),
        ("operator/diffsync_operator/api/bad.py", "from diffsync.store import BaseStore\n", "diffsync.store"),
        (
            "operator/diffsync_operator/stages/bad.py",
            "from diffsync_operator.controller import pods\n",
            "imports diffsync_operator.controller",
        ),
        ("operator/diffsync_operator/stages/bad.py", "def f():\n    import kopf\n", "imports kopf"),
        (
            "operator/diffsync_operator/worker.py",
            "from .controller import pods\n",
            "diffsync_operator.controller",
        ),
        ("operator/diffsync_operator/cli/bad.py", "from kubernetes import client\n", "imports kubernetes"),
        ("operator/diffsync_operator/cli/bad.py", "import kopf\n", "imports kopf"),
        (
            "operator/diffsync_operator/cli/bad.py",
            "from ..controller.reconcile import reconcile\n",
            "diffsync_operator.controller",
        ),
    ],
)
def test_a_planted_crossing_is_reported_with_file_and_line(tmp_path, relative, source, reported):
    _plant(tmp_path, relative, source)
    problems = checker.crossings(tmp_path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{relative}:{source.count(chr(10))}:") and reported in problems[0]
    assert checker.main(["--root", str(tmp_path)]) == 1


def test_allowed_imports_pass(tmp_path):
    _plant(
        tmp_path,
        "operator/diffsync_operator/api/fine.py",
        "from __future__ import annotations\nimport json\nfrom pydantic import Field\n"
        "from diffsync.enum import DiffSyncFlags\nfrom diffsync_operator.api.base import CamelModel\n",
    )
    _plant(tmp_path, "operator/diffsync_operator/cli/cluster.py", "from kubernetes import client\n")
    _plant(tmp_path, "operator/diffsync_operator/controller/handlers.py", "import kopf\nimport kubernetes\n")
    _plant(tmp_path, "operator/diffsync_operator/stages/run.py", "from diffsync.store import BaseStore\n")
    assert checker.crossings(tmp_path) == []
    assert checker.main(["--root", str(tmp_path)]) == 0
