"""Whether any diff has been changed, or could have been, since the differ built it.

A sync may skip the parts of a diff the differ found unchanged only while that diff is as the
differ left it. Instead of watching every dict and list users can reach, `Diff` and
`DiffElement` count each moment they hand out something mutable (`keys`, `source_attrs`,
`dest_attrs`, `child_diff`, `children`) or are changed through their methods and setters
(`add`, `add_child`, `add_attrs`, assigning `type`, `name` and the above). One process-wide
count: a diff built when the count was n is untouched while the count is still n. Reading
renderings (`str()`, `dict()`, `summary()`, `has_diffs()`, `action`, `get_attrs_diffs()`) and
walking `get_children()` hand out nothing mutable and do not count.
"""

from __future__ import annotations

_count = 0


def note() -> None:
    """Something mutable inside a diff was handed out or changed."""
    global _count
    _count += 1


def count() -> int:
    return _count
