"""The directory's models: a team and the people in it.

People are identified by their username alone, and their team is an attribute, not a parent:
someone who changes teams is updated, not deleted and re-created (which would lose their
account). So both models are top level and the diff is flat.
"""

from __future__ import annotations

from diffsync import DiffSyncModel


class Team(DiffSyncModel):
    """A team (the HR system calls it a department)."""

    _modelname = "team"
    _identifiers = ("slug",)
    _attributes = ("display_name", "cost_center")

    slug: str
    display_name: str
    cost_center: str = ""


class Person(DiffSyncModel):
    """A person with a directory account."""

    _modelname = "person"
    _identifiers = ("username",)
    _attributes = ("full_name", "email", "title", "team")

    username: str
    full_name: str
    email: str
    title: str = ""
    team: str
