"""The one pydantic base every SyncJob model shares.

Kubernetes manifests are camelCase while our Python is snake_case; the alias generator keeps
both honest so a field is declared once. Unknown fields are refused so a typo in a manifest
(`backofLimit`) is an error naming the field instead of a silently ignored setting.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    """Base model: camelCase aliases, snake_case attributes, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def to_manifest(self) -> dict[str, Any]:
        """The camelCase, JSON-compatible form, without unset optional fields."""
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)
