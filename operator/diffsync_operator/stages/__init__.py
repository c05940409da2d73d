"""The work of a job's stages, shared by stage pods (`worker.py`) and the local CLI.

`run` (run_stage: load, diff, sync over any store), `config` (the job as a stage sees it, and
the environment that carries it into a pod), `handover` (what one stage leaves for the next:
each stage's result, generations, logs), `job_logs` (logs: the diff and the sync's results, a
page at a time), `result` (StageResult), `sync_log` (every object's outcome of a sync),
`diff_codec` (a Diff as JSON lines), `store_ids` (where a job's state lives). Nothing here
talks to Kubernetes.
"""
