"""The Kubernetes string formats a SyncJob passes on to its pods, as regular expressions.

Each format is written once, as a regular expression both engines read alike (RE2 in the API
server's CEL, `re` here: ASCII classes, no look-around), and used twice: in a CEL rule the
CRD carries (`api.rules`) and in the Python check `diffsync validate` and the operator run.
The expressions follow k8s.io/apimachinery's validators (IsLabelKey, IsLabelValue,
IsDNS1123Subdomain, IsEnvVarName, IsConfigMapKey, ParseQuantity); where one of those is
more lenient than a plain expression can say (a quantity such as "." parses), the expression
here is the stricter, obvious form, so what passes here always passes there.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: A label name: at most 63 of [-A-Za-z0-9_.], starting and ending alphanumeric.
LABEL_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
#: A DNS-1123 subdomain (lowercase labels joined by dots), without its length limit of 253.
DNS_SUBDOMAIN = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
#: A label or annotation key: an optional DNS subdomain prefix and "/", then a label name.
QUALIFIED_NAME = rf"({DNS_SUBDOMAIN}/)?{LABEL_NAME}"
#: The longest prefix of a qualified name (a DNS subdomain).
QUALIFIED_PREFIX_MAX = 253
#: A label value: empty, or a label name.
LABEL_VALUE = rf"({LABEL_NAME})?"
#: An environment variable name (and an envFrom prefix).
ENV_VAR_NAME = r"[-._a-zA-Z][-._a-zA-Z0-9]*"
#: A key of a Secret or ConfigMap.
CONFIG_KEY = r"[-._a-zA-Z0-9]+"
#: A quantity ("500m", "1.5Gi", "2", "1e3"), never negative: resources and divisors.
QUANTITY = r"\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([numkMGTPE]|[KMGTPE]i|[eE][-+]?[0-9]{1,2})?"
#: The longest quantity string taken here (a bound the CRD's CEL cost estimate needs).
QUANTITY_MAX_LENGTH = 64
#: The largest integer a quantity (and any int64 of the core API) may be.
INT64_MAX = 2**63 - 1
#: The largest int32: Job's own bound for backoffLimit and ttlSecondsAfterFinished.
INT32_MAX = 2**31 - 1


def anchored(pattern: str) -> str:
    """`pattern` anchored at both ends, for CEL `matches` and the schema's `pattern`."""
    return f"^(?:{pattern})$"


def matches(pattern: str, value: str) -> bool:
    """Whether all of `value` matches `pattern` (what CEL's `matches` does with `anchored`)."""
    return re.fullmatch(pattern, value) is not None


def is_qualified_name(value: str) -> bool:
    """A label or annotation key Kubernetes accepts (IsLabelKey)."""
    return matches(QUALIFIED_NAME, value) and value.find("/") <= QUALIFIED_PREFIX_MAX


def is_label_value(value: str) -> bool:
    """A label value Kubernetes accepts (IsLabelValue)."""
    return matches(LABEL_VALUE, value)


def is_quantity(value: int | str) -> bool:
    """A non-negative quantity: an int64 of at least 0, or a string in the QUANTITY format."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value <= INT64_MAX
    return len(value) <= QUANTITY_MAX_LENGTH and matches(QUANTITY, value)


_SCALES = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
    **{f"{prefix}i": Decimal(2) ** (10 * power) for power, prefix in enumerate("KMGTPE", start=1)},
}


def quantity_value(value: int | str) -> Decimal:
    """The exact amount of a quantity `is_quantity` accepts ("1.5Gi" -> 1610612736)."""
    if isinstance(value, int):
        return Decimal(value)
    number = re.match(r"\+?([0-9.]*)", value)
    assert number is not None and is_quantity(value), value
    digits, suffix = number.group(1), value[number.end() :]
    amount = Decimal(digits) if digits.strip(".") else Decimal(0)  # "." and "" parse as 0 in Go too
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        return amount.scaleb(int(suffix[1:]))
    return amount * _SCALES[suffix]


def cel_string(text: str) -> str:
    """`text` as a CEL raw string literal (regular expressions keep their backslashes)."""
    if "'" in text:
        raise ValueError(f"no single quotes in CEL raw strings: {text!r}")
    return f"r'{text}'"


def cel_qualified_name(var: str) -> str:
    """CEL: `var` is a qualified name (the same test as `is_qualified_name`)."""
    regex = cel_string(anchored(QUALIFIED_NAME))
    return f"{var}.matches({regex}) && {var}.indexOf('/') <= {QUALIFIED_PREFIX_MAX}"


def cel_quantity(var: str) -> str:
    """CEL: `var` (int or string) is a non-negative quantity (the same test as `is_quantity`)."""
    return (
        f"type({var}) == int ? {var} >= 0 : "
        f"(type({var}) == string && {var}.matches({cel_string(anchored(QUANTITY))}))"
    )
