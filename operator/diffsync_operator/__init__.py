"""The SyncJob operator: runs a diffsync job on Kubernetes, one pod per stage."""
