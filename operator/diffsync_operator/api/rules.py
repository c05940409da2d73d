"""Validation rules declared once on the models and checked twice: by the API server and here.

A `Rule` is a CEL expression (what the CRD carries as `x-kubernetes-validations`, so
`kubectl apply` answers 422 naming the field) paired with the same test in Python (what
`diffsync validate` and the operator run through pydantic). Put one on a field with
`Annotated[T, Rule(...)]`, or on a whole model by listing it in the model's `object_rules`
(see `api.base.CamelModel`). The property test in tests/operator checks the pairs agree on
a real API server.

    PodLabels = Annotated[dict[str, str], Rule(
        cel="self.all(k, k.matches(...))", check=lambda labels: ..., message="...")]

`check(value)` returns None when the value passes, otherwise a short detail (the offending
key, say) that the Python error adds to the rule's message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

#: The JSON schema keyword the CRD generator keeps as is.
VALIDATIONS = "x-kubernetes-validations"

Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Rule:
    """A CEL rule for the CRD and the equivalent Python check, with one message for both."""

    cel: str
    check: Check
    message: str

    def failure(self, value: Any) -> str | None:
        """The message (and the detail) when `value` breaks the rule, else None."""
        detail = self.check(value)
        if detail is None:
            return None
        return f"{self.message}; got {detail}" if detail else self.message

    def schema_entry(self) -> dict[str, str]:
        """The `x-kubernetes-validations` item."""
        return {"rule": self.cel, "message": self.message}

    def validate(self, value: Any) -> Any:
        """Pydantic's after-validator: the value unchanged, or a `cel_rule` error."""
        problem = self.failure(value)
        if problem is not None:
            raise PydanticCustomError("cel_rule", "{problem}", {"problem": problem})
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.validate, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        add_rules(target, [self])
        return json_schema


def add_rules(json_schema: dict[str, Any], rules: list[Rule]) -> None:
    """Append `rules` to a JSON schema node's `x-kubernetes-validations`."""
    if rules:
        json_schema.setdefault(VALIDATIONS, []).extend(rule.schema_entry() for rule in rules)


def first_failure(rules: tuple[Rule, ...], value: Any) -> str | None:
    """The message of the first of `rules` that `value` breaks."""
    for rule in rules:
        problem = rule.failure(value)
        if problem is not None:
            return problem
    return None
