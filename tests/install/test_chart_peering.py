"""High availability: with replicas > 1 the chart runs kopf peering; of two operator replicas
under the chart's token, one works and the other stands by, and the job completes."""

from __future__ import annotations

import yaml
from envtest.waiting import wait_for
from install_helpers import (
    DeploymentOperator,
    container_env,
    free_port,
    of_kind,
    operator_container,
    release_objects,
    run_sample,
)


def test_two_peered_replicas_complete_the_sample_with_one_standing_by(
    cluster, release, restricted_namespace, redis_url, local_kubelet, tmp_path
):
    name = release(
        "--set", "replicas=2", "--set", f"watchNamespaces={{{restricted_namespace}}}",
        "--set", "redis.enabled=false", "--set", f"redis.url={redis_url}", "--set", "pollSeconds=2",
    )  # fmt: skip
    objects = release_objects(cluster, name, restricted_namespace)
    (account,) = of_kind(objects, "ServiceAccount")
    env = container_env(operator_container(objects))
    assert env["DIFFSYNC_PEERING"]
    kubeconfig = cluster.token_kubeconfig(restricted_namespace, account["metadata"]["name"])
    replicas = [
        DeploymentOperator(
            kubeconfig,
            restricted_namespace,
            {**env, "POD_ID": f"replica-{i}", "DIFFSYNC_LIVENESS": f"http://127.0.0.1:{free_port()}/healthz"},
            tmp_path,
        ).start()
        for i in range(2)
    ]
    try:
        peering = ("get", "kopfpeering", env["DIFFSYNC_PEERING"], "-n", restricted_namespace, "-o", "yaml")
        peers = wait_for(
            lambda: (
                p
                if len(p := yaml.safe_load(cluster.kubectl(*peering).stdout).get("status") or {}) == 2
                else None
            ),
            timeout=60,
            what="both replicas to register in the peering object",
        )
        priorities = {peer["priority"] for peer in peers.values()}
        assert len(priorities) == 2, (
            f"the replicas registered with the same kopf peering priority {priorities}: kopf then pauses "
            "them all; the operator must give each replica its own (kopf.run(priority=...))"
        )
        ranked = sorted(peers, key=lambda identity: peers[identity]["priority"])
        standby, active = (replicas[int(identity.rsplit("-", 1)[1])] for identity in ranked)
        # kopf starts paused; a replica that resumed before its higher-priority peer appeared
        # pauses again when it sees that peer.
        wait_for(
            lambda: standby.log().count("Resuming operations") <= standby.log().count("Pausing operations"),
            timeout=60,
            what="the lower-priority replica to stand by",
        )
        phase = run_sample(cluster, restricted_namespace, local_kubelet.labels, tmp_path)
        assert phase == "Succeeded"
        handled = "Handler 'syncjob_changed'"
        assert handled in active.log() and handled not in standby.log(), standby.log()[-3000:]
    finally:
        for replica in replicas:
            replica.stop()
