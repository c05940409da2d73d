"""A people directory example: an HR system's CSV export kept in step with a JSON directory.

Written the way a user of the library writes adapters, one module per system:

- ``models``: the two diffsync models, teams and the people in them;
- ``hr_source``: the source of truth, the CSV files an HR system exports nightly;
- ``json_directory``: the directory being kept in step, a JSON document that a sync rewrites
  in one atomic step at the end, so a sync that stops half-way leaves it untouched.

``syncjob.yaml`` (diff) and ``syncjob-sync.yaml`` (sync) run the pair as a SyncJob, locally
with ``diffsync run`` or on a cluster with ``kubectl apply``.
"""
