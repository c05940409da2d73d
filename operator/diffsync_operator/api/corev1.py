"""The few Kubernetes core shapes a SyncJob embeds (EnvVar, EnvFromSource, tolerations...).

Declared here rather than borrowed from the `kubernetes` client because the CRD schema is
generated from these models: they must be pydantic and must say exactly what the API server
accepts. Field names follow the core/v1 API so users can paste what they already write in
Pods and Deployments. The formats and rules are core/v1's own (see `api.formats`), so a
SyncJob the API server stores makes stage pods the API server accepts; what a schema cannot
say (requests above limits, an affinity term) is refused at pod creation, which fails the
job with a condition naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, PlainSerializer, StrictInt, WithJsonSchema

from diffsync_operator.api.base import CamelModel
from diffsync_operator.api.formats import (
    CONFIG_KEY,
    DNS_SUBDOMAIN,
    ENV_VAR_NAME,
    INT64_MAX,
    LABEL_VALUE,
    QUALIFIED_NAME,
    QUALIFIED_PREFIX_MAX,
    QUANTITY_MAX_LENGTH,
    anchored,
    cel_qualified_name,
    cel_quantity,
    is_qualified_name,
    is_quantity,
    quantity_value,
)
from diffsync_operator.api.rules import Rule

#: The name of the one container of every stage pod (a resourceFieldRef may name it).
WORKER_CONTAINER = "worker"

_QUANTITY_RULE = Rule(
    cel=cel_quantity("self"),
    check=lambda value: None if is_quantity(value) else repr(value),
    message="must be a quantity of at least 0 such as 500m, 2, 1.5Gi or 1e3",
)

#: A Kubernetes quantity ("500m", "1Gi" or 2): the schema marks it int-or-string. In JSON
#: (pods, reports) it is always text, as Kubernetes writes quantities: clients typed after
#: the core API refuse a number there.
Quantity = Annotated[
    int | str,
    WithJsonSchema({"x-kubernetes-int-or-string": True, "maxLength": QUANTITY_MAX_LENGTH}),
    _QUANTITY_RULE,
    PlainSerializer(str, return_type=str, when_used="json"),
]

#: An int64 of the core API. The schema says `format: int64` rather than the bounds, which
#: JSON numbers cannot carry exactly; a larger number is no JSON integer to the API server.
Int64 = Annotated[
    StrictInt,
    Field(ge=-INT64_MAX - 1, le=INT64_MAX),
    WithJsonSchema({"type": "integer", "format": "int64"}),
]

#: A count of at least 0, up to int64.
Count = Annotated[
    StrictInt,
    Field(ge=0, le=INT64_MAX),
    WithJsonSchema({"type": "integer", "format": "int64", "minimum": 0}),
]

#: An object the API server keeps as given (affinity and similar large core types).
FreeForm = Annotated[
    dict[str, Any], WithJsonSchema({"type": "object", "x-kubernetes-preserve-unknown-fields": True})
]

#: The name of a Secret, ConfigMap or ServiceAccount: a DNS subdomain.
ObjectName = Annotated[str, Field(min_length=1, max_length=253, pattern=anchored(DNS_SUBDOMAIN))]
#: A key of a Secret or ConfigMap.
ConfigKey = Annotated[str, Field(min_length=1, max_length=253, pattern=anchored(CONFIG_KEY))]
#: A label value: at most 63 characters, empty or alphanumeric at both ends.
LabelValue = Annotated[str, Field(max_length=63, pattern=anchored(LABEL_VALUE))]

#: The most entries a label, annotation or node selector map may have here. Kubernetes sets
#: no count, but the CRD's CEL rules must have a bounded cost; 256 is far above real use.
MAX_MAP_ENTRIES = 256


def _bad_key(mapping: Mapping[str, Any], valid: Any) -> str | None:
    bad = next((key for key in mapping if not valid(key)), None)
    return None if bad is None else f"key {bad!r}"


def qualified_keys(what: str) -> Rule:
    """Every key of the map is a qualified name (label and annotation keys, node selectors)."""
    return Rule(
        cel=f"self.all(k, {cel_qualified_name('k')})",
        check=lambda mapping: _bad_key(mapping, is_qualified_name),
        message=f"{what} keys must be qualified names: an optional DNS subdomain prefix and '/', "
        "then at most 63 of A-Z a-z 0-9 - _ . starting and ending alphanumeric (e.g. example.com/team)",
    )


#: Pod labels and node selectors: qualified-name keys, label values.
LabelMap = Annotated[
    dict[str, LabelValue],
    Field(max_length=MAX_MAP_ENTRIES),
    qualified_keys("label"),
]
#: Pod annotations: qualified-name keys, any values.
AnnotationMap = Annotated[
    dict[str, str],
    Field(max_length=MAX_MAP_ENTRIES),
    qualified_keys("annotation"),
]

#: The container resources a stage pod may ask for. Hugepages and extended resources (GPUs)
#: have rules of their own (whole numbers, requests equal to limits) and no use in a stage.
RESOURCE_NAMES = ("cpu", "memory", "ephemeral-storage")

_RESOURCE_NAMES = Rule(
    cel=f"self.all(k, k in {list(RESOURCE_NAMES)})",
    check=lambda amounts: next((repr(k) for k in amounts if k not in RESOURCE_NAMES), None),
    message="resource names must be cpu, memory or ephemeral-storage",
)

ResourceAmounts = Annotated[dict[str, Quantity], Field(max_length=len(RESOURCE_NAMES)), _RESOURCE_NAMES]


class SecretKeySelector(CamelModel):
    """One key of a Secret in the SyncJob's namespace."""

    name: ObjectName
    key: ConfigKey
    optional: bool | None = None


class ConfigMapKeySelector(CamelModel):
    """One key of a ConfigMap in the SyncJob's namespace."""

    name: ObjectName
    key: ConfigKey
    optional: bool | None = None


#: The pod fields the downward API can put in an environment variable.
FIELD_PATH = (
    rf"metadata\.(name|namespace|uid)|metadata\.(labels|annotations)\['{QUALIFIED_NAME}'\]"
    r"|spec\.(nodeName|serviceAccountName)|status\.(hostIP|hostIPs|podIP|podIPs)"
)


class ObjectFieldSelector(CamelModel):
    """A field of the pod itself (downward API), e.g. `metadata.namespace`."""

    field_path: str = Field(pattern=anchored(FIELD_PATH), max_length=320)
    api_version: Literal["v1"] | None = None


#: The container resources the downward API can expose.
RESOURCE_FIELD = r"(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-[0-9]+[KMGTPE]i)"
_CPU_DIVISORS = ("1m", "1")
_BYTE_DIVISORS = ("1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei")


def _divisor_problem(selector: ResourceFieldSelector) -> str | None:
    if selector.divisor is None:
        return None
    allowed = _CPU_DIVISORS if selector.resource.endswith(".cpu") else _BYTE_DIVISORS
    return (
        None if str(selector.divisor) in allowed else f"divisor {selector.divisor!r} for {selector.resource}"
    )


class ResourceFieldSelector(CamelModel):
    """A resource limit or request of a container (downward API)."""

    resource: str = Field(pattern=anchored(RESOURCE_FIELD), max_length=64)
    container_name: Literal["worker"] | None = Field(
        default=None, description=f"The stage pod's one container, {WORKER_CONTAINER!r}, if given."
    )
    divisor: Quantity | None = None

    object_rules: ClassVar = (
        Rule(
            cel="!has(self.divisor) || string(self.divisor) in (self.resource.endsWith('.cpu') ? "
            f"{list(_CPU_DIVISORS)} : {list(_BYTE_DIVISORS)})",
            check=_divisor_problem,
            message="divisor must be 1m or 1 for cpu, and 1 or 1 with a unit (1Ki, 1M, ...) otherwise",
        ),
    )


def _count_set(obj: CamelModel, fields: tuple[str, ...]) -> int:
    return sum(getattr(obj, name) is not None for name in fields)


def _exactly_one(fields: tuple[str, ...], aliases: tuple[str, ...]) -> Rule:
    return Rule(
        cel=" + ".join(f"(has(self.{alias}) ? 1 : 0)" for alias in aliases) + " == 1",
        check=lambda obj: None if _count_set(obj, fields) == 1 else "",
        message="set exactly one of " + ", ".join(aliases),
    )


class EnvVarSource(CamelModel):
    """Where an environment variable's value comes from; exactly one member is set."""

    secret_key_ref: SecretKeySelector | None = None
    config_map_key_ref: ConfigMapKeySelector | None = None
    field_ref: ObjectFieldSelector | None = None
    resource_field_ref: ResourceFieldSelector | None = None

    object_rules: ClassVar = (
        _exactly_one(
            ("secret_key_ref", "config_map_key_ref", "field_ref", "resource_field_ref"),
            ("secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef"),
        ),
    )


class EnvVar(CamelModel):
    """core/v1 EnvVar: a literal `value` or a `valueFrom` reference (for credentials)."""

    name: str = Field(min_length=1, max_length=1024, pattern=anchored(ENV_VAR_NAME))
    value: str | None = None
    value_from: EnvVarSource | None = None

    object_rules: ClassVar = (
        Rule(
            cel="!has(self.valueFrom) || !has(self.value) || self.value == ''",
            check=lambda var: "" if var.value and var.value_from is not None else None,
            message="set value or valueFrom, not both",
        ),
    )


class LocalObjectReference(CamelModel):
    """A Secret or ConfigMap by name, used by envFrom."""

    name: ObjectName
    optional: bool | None = None


class EnvFromSource(CamelModel):
    """core/v1 EnvFromSource: every key of a Secret or ConfigMap becomes a variable."""

    prefix: str | None = Field(default=None, max_length=1024, pattern=anchored(f"({ENV_VAR_NAME})?"))
    secret_ref: LocalObjectReference | None = None
    config_map_ref: LocalObjectReference | None = None

    object_rules: ClassVar = (_exactly_one(("secret_ref", "config_map_ref"), ("secretRef", "configMapRef")),)


def _request_above_limit(resources: ResourceRequirements) -> str | None:
    limits, requests = resources.limits or {}, resources.requests or {}
    for name, request in requests.items():
        if name in limits and quantity_value(request) > quantity_value(limits[name]):
            return f"{name} request {request!r} above limit {limits[name]!r}"
    return None


class ResourceRequirements(CamelModel):
    """CPU and memory for the stage pods (`limits`, `requests`)."""

    limits: ResourceAmounts | None = None
    requests: ResourceAmounts | None = None

    object_rules: ClassVar = (
        Rule(
            cel="!has(self.limits) || !has(self.requests) || self.requests.all(r, !(r in self.limits) "
            "|| quantity(string(self.requests[r])).compareTo(quantity(string(self.limits[r]))) <= 0)",
            check=_request_above_limit,
            message="a request must not be above the limit of the same resource",
        ),
    )


def _toleration_key(toleration: Toleration) -> str | None:
    key = toleration.key
    return None if not key or is_qualified_name(key) else repr(key)


class Toleration(CamelModel):
    """core/v1 Toleration."""

    key: str | None = Field(default=None, max_length=QUALIFIED_PREFIX_MAX + 1 + 63)
    operator: Literal["Exists", "Equal"] | None = None
    value: LabelValue | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: Int64 | None = None

    object_rules: ClassVar = (
        Rule(
            cel=f"!has(self.key) || self.key == '' || ({cel_qualified_name('self.key')})",
            check=_toleration_key,
            message="key must be a qualified name (e.g. example.com/dedicated)",
        ),
        Rule(
            cel="(has(self.key) && self.key != '') || (has(self.operator) && self.operator == 'Exists')",
            check=lambda t: None if t.key or t.operator == "Exists" else "",
            message="operator must be Exists when key is empty (it then tolerates every taint)",
        ),
        Rule(
            cel="!has(self.operator) || self.operator != 'Exists' || !has(self.value) || self.value == ''",
            check=lambda t: "" if t.operator == "Exists" and t.value else None,
            message="value must be empty when operator is Exists",
        ),
        Rule(
            cel="!has(self.tolerationSeconds) || (has(self.effect) && self.effect == 'NoExecute')",
            check=lambda t: "" if t.toleration_seconds is not None and t.effect != "NoExecute" else None,
            message="tolerationSeconds needs effect NoExecute",
        ),
    )
