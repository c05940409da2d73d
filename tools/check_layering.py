"""Fail when an import crosses a layer boundary of the repository.

The layers, and why each rule exists:

- `diffsync/` is a library people install on its own: it never imports the operator, kopf or
  the kubernetes client.
- `diffsync_operator/api/` is the resources as data: it imports only pydantic, yaml (to write the
  CRDs), cronsim (a SyncSchedule's schedule syntax), the library's enums and itself, so every
  other part can depend on it.
- `diffsync_operator/stages/`, `worker.py` and `cli/` run in stage pods and on laptops: they
  never import kopf or the controller. Only `controller/` talks to the API server for the
  operator; the one exception is `cli/cluster.py`, the user's own read of a job with their
  kubeconfig (`diffsync status`), which may import the kubernetes client.
- kopf is imported by `controller/` and the operator's entry point `__main__.py` only.

The check walks each module with `ast` (no import side effects), including imports inside
functions and under TYPE_CHECKING, and prints one line per crossing with file and line.
`python tools/check_layering.py [--root DIR]`; exit status 1 when anything crosses.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

OPERATOR = "operator/diffsync_operator"


@dataclass(frozen=True)
class Rule:
    """Modules under `where` may not import `forbidden`; with `only`, nothing outside it either."""

    where: str
    why: str
    forbidden: tuple[str, ...] = ()
    only: tuple[str, ...] | None = None  # allowed non-standard-library modules
    exempt: tuple[str, ...] = ()  # files (relative to the root) the rule does not apply to

    def applies_to(self, relative: str) -> bool:
        return (relative == self.where or relative.startswith(self.where.rstrip("/") + "/")) and (
            relative not in self.exempt
        )

    def violation(self, module: str) -> bool:
        if any(_within(module, prefix) for prefix in self.forbidden):
            return True
        if self.only is None or _is_stdlib(module):
            return False
        return not any(_within(module, prefix) for prefix in self.only)


RULES = (
    Rule(
        "diffsync",
        "the diffsync library must not import the operator, kopf or kubernetes",
        forbidden=("diffsync_operator", "kopf", "kubernetes"),
    ),
    Rule(
        f"{OPERATOR}/api",
        "api/ is pure data: only pydantic, yaml, cronsim, diffsync.enum and api/ itself",
        only=("pydantic", "pydantic_core", "yaml", "cronsim", "diffsync.enum", "diffsync_operator.api"),
    ),
    Rule(
        f"{OPERATOR}/stages",
        "stages/ runs in pods and the CLI: no kopf, no kubernetes, no controller or cli",
        forbidden=("kopf", "kubernetes", "diffsync_operator.controller", "diffsync_operator.cli"),
    ),
    Rule(
        f"{OPERATOR}/worker.py",
        "the stage-pod entry point uses stages/ and api/ only: no kopf, kubernetes or controller",
        forbidden=("kopf", "kubernetes", "diffsync_operator.controller", "diffsync_operator.cli"),
    ),
    Rule(
        f"{OPERATOR}/cli",
        "cli/ imports api/ and stages/ only: no kopf and no controller",
        forbidden=("kopf", "diffsync_operator.controller", "diffsync_operator.worker"),
    ),
    Rule(
        f"{OPERATOR}/cli",
        "only controller/ (and cli/cluster.py, the user's own reads) talks to the API server",
        forbidden=("kubernetes",),
        exempt=(f"{OPERATOR}/cli/cluster.py",),
    ),
)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names or module == "__future__"


def _package_of(relative: str) -> list[str]:
    """The dotted package a module file belongs to (for resolving relative imports)."""
    parts = Path(relative).with_suffix("").parts
    if parts[0] == "operator":
        parts = parts[1:]
    return list(parts[:-1])


def imported_modules(path: Path, relative: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every import statement in the file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(relative)
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            # `from pkg import sub` may name a submodule: check `pkg.sub` too.
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def crossings(root: Path) -> list[str]:
    """One line per import that breaks a rule, in file order."""
    found: dict[tuple[str, int, str], str] = {}
    files = sorted([*(root / "diffsync").rglob("*.py"), *(root / OPERATOR).rglob("*.py")])
    for path in files:
        relative = path.relative_to(root).as_posix()
        rules = [rule for rule in RULES if rule.applies_to(relative)]
        if not rules:
            continue
        for line, module in imported_modules(path, relative):
            for rule in rules:
                if rule.violation(module):  # the first (shortest) name of an import is reported
                    found.setdefault((relative, line, rule.why), module)
    return [f"{where}:{line}: imports {module}: {why}" for (where, line, why), module in found.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    problems = crossings(args.root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"layering: {len(problems)} import(s) cross a layer boundary (see tools/check_layering.py)")
        return 1
    print(f"layering: ok ({len(RULES)} rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
