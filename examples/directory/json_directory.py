"""The system kept in step: a directory stored as one JSON document.

A sync changes the adapter's models as it goes and writes the file once, in
``sync_complete``, through a temporary file and an atomic rename. A sync that raises half-way
(a record the directory refuses, without ``CONTINUE_ON_FAILURE``) never reaches
``sync_complete``, so the file on disk is exactly what it was. The same holds when the sync
runs as a SyncJob stage over RedisStore: the models come from Redis, the file is written at
the end from what the store holds.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from diffsync import Adapter
from diffsync.exceptions import ObjectNotCreated, ObjectNotUpdated

from .models import Person, Team


class DirectoryFormatError(ValueError):
    """The directory document is not shaped as expected; the message says where."""


def _check_email(username: str, email: str, error: type[Exception]) -> None:
    local, _, domain = email.partition("@")
    if not local or "." not in domain:
        raise error(f"person {username}: email {email!r} is not an address; the directory refuses it")


class DirectoryPerson(Person):
    """A directory account; the directory refuses an account without a valid email."""

    @classmethod
    def create(cls, adapter: Adapter, ids: dict[str, Any], attrs: dict[str, Any]) -> Person | None:
        _check_email(ids["username"], attrs["email"], ObjectNotCreated)
        return super().create(adapter=adapter, ids=ids, attrs=attrs)

    def update(self, attrs: dict[str, Any]) -> Person | None:
        if "email" in attrs:
            _check_email(self.username, attrs["email"], ObjectNotUpdated)
        return super().update(attrs)


class JsonDirectory(Adapter):
    """The directory document at ``path``; a missing file is an empty directory.

    Example::

        directory = JsonDirectory(path="data/directory.json")
        directory.load()
        directory.sync_from(hr)   # the file is rewritten once, at the end
    """

    team = Team
    person = DirectoryPerson
    top_level = ["team", "person"]

    def __init__(self, *, path: str | Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = Path(path)

    def load(self) -> None:
        """Add the document's teams and their people."""
        if not self.path.exists():
            return
        document = json.loads(self.path.read_text(encoding="utf-8"))
        try:
            for entry in document["teams"]:
                self.add(
                    self.team(
                        slug=entry["slug"],
                        display_name=entry["displayName"],
                        cost_center=entry.get("costCenter", ""),
                    )
                )
            for entry in document["people"]:
                self.add(
                    self.person(
                        username=entry["username"],
                        full_name=entry["fullName"],
                        email=entry["email"],
                        title=entry.get("title", ""),
                        team=entry["team"],
                    )
                )
        except (KeyError, TypeError) as error:
            raise DirectoryFormatError(
                f"{self.path}: expected {{'teams': [...], 'people': [...]}} with the keys of each entry; "
                f"missing {error}"
            ) from error

    def document(self) -> dict[str, list[dict[str, str]]]:
        """The directory as the JSON document it is stored as, sorted for stable files."""
        teams = sorted(self.get_all("team"), key=lambda team: team.slug)
        people = sorted(self.get_all("person"), key=lambda person: person.username)
        return {
            "teams": [
                {"slug": team.slug, "displayName": team.display_name, "costCenter": team.cost_center}
                for team in teams
            ],
            "people": [
                {
                    "username": person.username,
                    "fullName": person.full_name,
                    "email": person.email,
                    "title": person.title,
                    "team": person.team,
                }
                for person in people
            ],
        }

    def sync_complete(self, source: Adapter, diff: Any, flags: Any = None, logger: Any = None) -> None:
        """Write the whole directory in one atomic step (temporary file, then rename)."""
        text = json.dumps(self.document(), indent=2) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
