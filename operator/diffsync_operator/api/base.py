"""The one pydantic base every SyncJob model shares.

Kubernetes manifests are camelCase while our Python is snake_case; the alias generator keeps
both honest so a field is declared once. Unknown fields are refused so a typo in a manifest
(`backofLimit`) is an error naming the field instead of a silently ignored setting.
Rules about a whole object (two fields that exclude each other, say) are listed in
`object_rules`: CEL for the CRD and the same check here (see `api.rules`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, model_validator
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from diffsync_operator.api.rules import Rule, add_rules, first_failure


class CamelModel(BaseModel):
    """Base model: camelCase aliases, snake_case attributes, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    #: Rules over the whole object, checked after its fields (see `api.rules`).
    object_rules: ClassVar[tuple[Rule, ...]] = ()

    @model_validator(mode="after")
    def _check_object_rules(self) -> Any:
        problem = first_failure(type(self).object_rules, self)
        if problem is not None:
            raise PydanticCustomError("cel_rule", "{problem}", {"problem": problem})
        return self

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        add_rules(handler.resolve_ref_schema(json_schema), list(cls.object_rules))
        return json_schema

    def to_manifest(self) -> dict[str, Any]:
        """The camelCase, JSON-compatible form, without unset optional fields."""
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)
