"""The operator's metrics endpoint as shipped: port, Service, ServiceMonitor and example alerts."""

from __future__ import annotations

import re

import promql_parser
import yaml
from diffsync_operator.controller import metrics  # noqa: F401 - registers the operator's metrics
from install_helpers import container_env, kustomize_build, of_kind, operator_container, render
from prometheus_client import REGISTRY


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def _pod_labels(docs: list[dict], name_suffix: str) -> dict[str, str]:
    deployment = next(d for d in of_kind(docs, "Deployment") if d["metadata"]["name"].endswith(name_suffix))
    return deployment["spec"]["template"]["metadata"]["labels"]


def test_chart_serves_metrics_on_a_named_port_selected_only_from_the_operator_pods():
    docs = render()
    container = operator_container(docs)
    assert container_env(container)["DIFFSYNC_METRICS_ADDRESS"] == "0.0.0.0:8000"
    assert {"name": "metrics", "containerPort": 8000} in container["ports"]
    (service,) = [s for s in of_kind(docs, "Service") if s["metadata"]["name"].endswith("-metrics")]
    assert _selects(service["spec"]["selector"], _pod_labels(docs, "operator"))
    assert not _selects(service["spec"]["selector"], _pod_labels(docs, "redis"))
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"


def test_chart_metrics_can_be_turned_off():
    docs = render("--set", "metrics.enabled=false")
    assert container_env(operator_container(docs))["DIFFSYNC_METRICS_ADDRESS"] == "off"
    assert not [s for s in of_kind(docs, "Service") if s["metadata"]["name"].endswith("-metrics")]


def test_service_monitor_selects_the_metrics_service_by_port_name():
    docs = render(
        "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.serviceMonitor.labels.release=prom"
    )
    (monitor,) = of_kind(docs, "ServiceMonitor")
    (service,) = [s for s in of_kind(docs, "Service") if s["metadata"]["name"].endswith("-metrics")]
    assert _selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"])
    assert monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
    assert monitor["metadata"]["labels"]["release"] == "prom"
    assert of_kind(render(), "ServiceMonitor") == []


def test_example_alerts_parse_as_promql_and_name_only_metrics_the_operator_exports():
    docs = render(
        "--set", "metrics.prometheusRule.enabled=true", "--set", "metrics.prometheusRule.driftedFor=2h"
    )
    (rule,) = of_kind(docs, "PrometheusRule")
    alerts = {r["alert"]: r for group in rule["spec"]["groups"] for r in group["rules"]}
    assert set(alerts) == {"DiffsyncScheduleDrifted", "DiffsyncSyncFailing"}
    assert alerts["DiffsyncScheduleDrifted"]["for"] == "2h"
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    exported = {
        family.name + suffix
        for family in REGISTRY.collect()
        if family.name.startswith("diffsync_")
        for suffix in suffixes.get(family.type, ("",))
    }
    for alert in alerts.values():
        promql_parser.parse(alert["expr"])  # raises ValueError on a syntax error
        named = set(re.findall(r"\b(diffsync_[a-z_]+)\b", alert["expr"]))
        assert named and named <= exported, named - exported


def test_kustomize_exposes_metrics_with_a_service_for_the_operator_pods():
    docs = [doc for doc in yaml.safe_load_all(kustomize_build()) if doc]
    container = operator_container(docs)
    assert container_env(container)["DIFFSYNC_METRICS_ADDRESS"] == "0.0.0.0:8000"
    (service,) = [s for s in of_kind(docs, "Service") if s["metadata"]["name"] == "diffsync-operator-metrics"]
    assert _selects(service["spec"]["selector"], _pod_labels(docs, "operator"))
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"
