"""Specs the CRD and `diffsync validate` must both refuse, each with the field to be named.

One table for two tests: tests/operator/test_crd_rules_cluster.py applies each manifest to the
real API server (422 naming the field) and tests/cli/test_cli_bad_input.py runs
`diffsync validate` on it (exit 2, one line naming the field). The YAML is written by hand,
as a user writes it, so `1e30` is the float kubectl reads.
"""

from __future__ import annotations

import textwrap

HEADER = """\
apiVersion: diffsync.io/v1alpha1
kind: SyncJob
metadata:
  name: refused
spec:
  source: {adapter: "a.b:Source"}
  target: {adapter: "a.b:Target"}
"""

#: (id, YAML lines appended under spec:, the field path the error names)
REFUSED = [
    ("backoff-huge", "backoffLimit: 1e30", "spec.backoffLimit"),
    ("backoff-int32", "backoffLimit: 2147483648", "spec.backoffLimit"),
    ("deadline-huge", "activeDeadlineSeconds: 100000000000000", "spec.activeDeadlineSeconds"),
    ("ttl-huge", "ttlSecondsAfterFinished: 100000000000000", "spec.ttlSecondsAfterFinished"),
    ("store-ttl-huge", "storeTTLSeconds: 100000000000000000", "spec.storeTTLSeconds"),
    ("max-deletes-negative", "deletionGuard: {maxDeletes: -1}", "spec.deletionGuard.maxDeletes"),
    ("max-deletes-huge", "deletionGuard: {maxDeletes: 1e30}", "spec.deletionGuard.maxDeletes"),
    ("backoff-bool", "backoffLimit: true", "spec.backoffLimit"),
    ("suspend-string", 'suspend: "yes"', "spec.suspend"),
    ("cpu-not-a-quantity", "resources: {limits: {cpu: lots}}", "spec.resources.limits"),
    ("memory-negative", "resources: {requests: {memory: -1Gi}}", "spec.resources.requests"),
    ("resource-name", 'resources: {limits: {"c p u": "1"}}', "spec.resources.limits"),
    ("resource-gpu", "resources: {limits: {example.com/gpu: 1}}", "spec.resources.limits"),
    ("request-above-limit", "resources: {limits: {cpu: 500m}, requests: {cpu: 1}}", "spec.resources"),
    ("label-key-space", 'podLabels: {"team name": x}', "spec.podLabels"),
    ("label-value", 'podLabels: {team: "not ok"}', "spec.podLabels"),
    ("annotation-key", 'podAnnotations: {"-bad": x}', "spec.podAnnotations"),
    ("annotation-prefix", 'podAnnotations: {"Example.com/a": x}', "spec.podAnnotations"),
    ("node-selector-key", 'nodeSelector: {"a/b/c": x}', "spec.nodeSelector"),
    ("toleration-exists-value", "tolerations: [{key: k, operator: Exists, value: v}]", "spec.tolerations[0]"),
    ("toleration-no-key", "tolerations: [{operator: Equal, value: v}]", "spec.tolerations[0]"),
    (
        "toleration-seconds",
        "tolerations: [{key: k, effect: NoSchedule, tolerationSeconds: 5}]",
        "spec.tolerations[0]",
    ),
    (
        "tls-secret-name",
        "redis: {url: rediss://r:6380, tls: {clientCertificateSecretName: Client_Cert}}",
        "spec.redis.tls.clientCertificateSecretName",
    ),
    ("service-account", "serviceAccountName: Not_A_Name", "spec.serviceAccountName"),
    ("image-space", 'image: " img:1"', "spec.image"),
    (
        "divisor",
        "source:\n  adapter: a.b:Source\n  env:\n  - name: CPU\n    valueFrom:\n"
        "      resourceFieldRef: {resource: limits.cpu, divisor: 1Gi}",
        "spec.source.env[0].valueFrom.resourceFieldRef",
    ),
    ("env-name", 'source: {adapter: "a.b:Source", env: [{name: "1X", value: v}]}', "spec.source.env[0].name"),
    (
        "env-two-sources",
        'source: {adapter: "a.b:Source", env: [{name: X, value: v, '
        "valueFrom: {fieldRef: {fieldPath: metadata.name}}}]}",
        "spec.source.env[0]",
    ),
    (
        # Found by the property test: a pod refuses a label key that is not a qualified name.
        "field-path-label-key",
        'source: {adapter: "a.b:Source", env: [{name: X, '
        """valueFrom: {fieldRef: {fieldPath: "metadata.labels[':']"}}}]}""",
        "spec.source.env[0].valueFrom.fieldRef.fieldPath",
    ),
]


def manifest(extra: str) -> str:
    """The manifest text with `extra` (YAML under spec:) replacing or adding spec fields."""
    lines = HEADER
    if extra.startswith("source:"):
        lines = lines.replace('  source: {adapter: "a.b:Source"}\n', "")
    return lines + textwrap.indent(extra, "  ") + "\n"
