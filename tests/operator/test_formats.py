"""The Kubernetes formats as `diffsync validate` checks them (the CRD checks the same)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from diffsync_operator.api.formats import is_label_value, is_qualified_name, is_quantity, quantity_value


@pytest.mark.parametrize(
    "key", ["app", "example.com/team", "a.b-c_d", "A1", "x" * 63, "k8s.io/" + "y" * 63, "a" * 253 + "/b"]
)
def test_qualified_names_kubernetes_accepts(key):
    assert is_qualified_name(key)


@pytest.mark.parametrize(
    "key",
    ["", "a b", "-a", "a-", "x" * 64, "Example.com/a", "/a", "a/", "a/b/c", "a" * 254 + "/b", "é", "a\n"],
)
def test_qualified_names_kubernetes_refuses(key):
    assert not is_qualified_name(key)


def test_label_values():
    assert is_label_value("") and is_label_value("net-ops") and is_label_value("x" * 63)
    assert not is_label_value("x" * 64) and not is_label_value("not ok") and not is_label_value("a\n")


@pytest.mark.parametrize(
    ("quantity", "value"),
    [
        ("500m", "0.5"),
        ("1.5Gi", "1610612736"),
        ("2", "2"),
        (2, "2"),
        ("1e3", "1000"),
        (".5", "0.5"),
        ("1E", "1e18"),
    ],
)
def test_quantities_and_their_values(quantity, value):
    assert is_quantity(quantity)
    assert quantity_value(quantity) == Decimal(value)


@pytest.mark.parametrize(
    "quantity", ["", "-1", "lots", "1 Gi", "1.5.5", "1e999", "1Gib", True, -1, 2**63, "1" * 65]
)
def test_not_quantities(quantity):
    assert not is_quantity(quantity)
