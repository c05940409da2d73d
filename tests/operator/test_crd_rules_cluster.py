"""The API server refuses, with 422 naming the field, what a stage pod could not honour.

The same manifests go through `diffsync validate` in tests/cli/test_cli_bad_input.py.
"""

from __future__ import annotations

import pytest
from refused_specs import REFUSED, manifest


@pytest.mark.parametrize(("extra", "field"), [(e, f) for _, e, f in REFUSED], ids=[i for i, _, _ in REFUSED])
def test_kubectl_apply_is_refused_naming_the_field(cluster, syncjob_crd, extra, field):
    namespace = cluster.create_namespace()
    done = cluster.kubectl("apply", "-n", namespace, "-f", "-", input=manifest(extra), check=False)
    assert done.returncode != 0, done.stdout
    assert "is invalid" in done.stderr, done.stderr
    assert field in done.stderr, done.stderr


def test_a_manifest_within_every_bound_is_stored(cluster, syncjob_crd):
    namespace = cluster.create_namespace()
    extra = "\n".join(
        [
            "backoffLimit: 2147483647",
            "activeDeadlineSeconds: 2147483647",
            "ttlSecondsAfterFinished: 0",
            'resources: {limits: {cpu: 500m, memory: 1.5Gi}, requests: {cpu: "0.5", memory: 1Gi}}',
            'podLabels: {example.com/team: net-ops, app: "", a.b-c_d: X1}',
            'podAnnotations: {example.com/note: "any text, even with spaces"}',
            "nodeSelector: {kubernetes.io/os: linux}",
            "tolerations: [{operator: Exists}, {key: k, effect: NoExecute, tolerationSeconds: -1}]",
            "serviceAccountName: diffsync.worker",
            "image: registry.example.com/diffsync:1",
        ]
    )
    done = cluster.kubectl("apply", "-n", namespace, "-f", "-", input=manifest(extra), check=False)
    assert done.returncode == 0, done.stderr
