"""The SyncJob operator, imported as ``diffsync_operator`` (the folder is ``operator/``)."""
