"""The source of truth: the HR system's nightly export, two CSV files.

``teams.csv`` has the columns ``slug,name,cost_center``; ``people.csv`` has
``username,first_name,last_name,email,title,team``. Only active people are exported, so
someone who left simply disappears from the file and the sync removes their account.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from diffsync import Adapter

from .models import Person, Team


class HrSourceError(ValueError):
    """The export is not shaped as expected; the message names the file, line and column."""


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in columns if column not in (reader.fieldnames or ())]
        if missing:
            raise HrSourceError(
                f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}"
            )
        return [(number, row) for number, row in enumerate(reader, start=2)]


class HrSource(Adapter):
    """Reads teams and people from the HR export.

    Example::

        hr = HrSource(teams="data/teams.csv", people="data/people.csv")
        hr.load()
    """

    team = Team
    person = Person
    top_level = ["team", "person"]

    def __init__(self, *, teams: str | Path, people: str | Path, **kwargs: Any) -> None:
        # **kwargs carries name= and internal_storage_engine= (a SyncJob stage passes a store).
        super().__init__(**kwargs)
        self.teams_path = Path(teams)
        self.people_path = Path(people)

    def load(self) -> None:
        """Add every team, then every person (whose team must exist)."""
        teams: set[str] = set()
        for _, row in _read_rows(self.teams_path, ("slug", "name", "cost_center")):
            self.add(self.team(slug=row["slug"], display_name=row["name"], cost_center=row["cost_center"]))
            teams.add(row["slug"])
        people_columns = ("username", "first_name", "last_name", "email", "title", "team")
        for number, row in _read_rows(self.people_path, people_columns):
            if row["team"] not in teams:
                raise HrSourceError(
                    f"{self.people_path}:{number}: column team: unknown team {row['team']!r}; "
                    f"add it to {self.teams_path} or fix the person's team"
                )
            self.add(
                self.person(
                    username=row["username"],
                    full_name=f"{row['first_name']} {row['last_name']}".strip(),
                    email=row["email"],
                    title=row["title"],
                    team=row["team"],
                )
            )
