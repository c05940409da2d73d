"""The SyncJob operator: runs a diffsync job on Kubernetes, one pod per stage.

The flow, and where each step lives:

    kubectl apply SyncJob          api/         the resource: spec and status models, the CRD
      -> kopf handler              controller/  handlers -> reconcile -> planning (pure)
      -> stage pod                 controller/  pods (the manifest), kube (the API calls)
      -> worker                    worker.py    `python -m diffsync_operator.worker <stage>`
      -> run_stage                 stages/      the stage work, its result and the handover
      -> status                    controller/  observe (pod -> result) -> planning -> status

`cli/` runs the same stages on a laptop (`diffsync run`) and reads jobs on a cluster.
Imports point one way: `cli` and `worker` use `stages` and `api`; `controller` uses both;
`api` uses nothing of ours (tools/check_layering.py enforces it).
"""
