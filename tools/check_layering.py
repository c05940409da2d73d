"""Fail when the library imports the operator.

`diffsync` is a library people install on its own; the operator builds on it, never the other
way round. This walks every module of the library with `ast` (no import side effects) and
reports each import of the operator package with file and line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "diffsync"
FORBIDDEN = ("diffsync_operator", "kopf", "kubernetes")


def forbidden_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            if name.split(".")[0] in FORBIDDEN:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {name}")
    return found


def main() -> int:
    problems = [p for path in sorted(LIBRARY.rglob("*.py")) for p in forbidden_imports(path)]
    for problem in problems:
        print(problem)
    if problems:
        print("layering: the diffsync library must not import the operator (or kopf/kubernetes)")
        return 1
    print(f"layering: ok ({len(list(LIBRARY.rglob('*.py')))} library modules checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
