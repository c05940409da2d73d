"""The operator's control loop: the only code that imports kopf or writes to the API server.

`handlers` (kopf glue: one daemon per job, pod events, the finalizer) calls `reconcile` (one
pass: list pods, plan, act, write status). `planning` decides (pure: spec, status and observed
pods in, a plan out), helped by `observe` (pod -> facts), `conditions` (kstatus shapes),
`pods` and `naming` (the stage pod manifest), `finalizer` (what deletion cleans), `kube` (the
API calls) and `settings` (the operator's environment). `schedule_*` do the same for
SyncSchedules; `runtime` holds what the daemons share; `metrics` counts for Prometheus.
"""
