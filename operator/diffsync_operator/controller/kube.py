"""The few Kubernetes API calls the operator makes, over the official client.

kopf watches and calls the handlers; these functions do the work inside them (synchronous,
so handlers run them in a thread). Bodies go out and come back as camelCase dicts, the same
shape the pure modules (pods, observe, planning) build and read.
"""

from __future__ import annotations

from typing import Any, cast

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from diffsync_operator.api.resource import GROUP, PLURAL, VERSION
from diffsync_operator.api.schedule import SCHEDULE_PLURAL
from diffsync_operator.controller.naming import job_selector

_MERGE_PATCH = "application/merge-patch+json"


def new_api_client() -> client.ApiClient:
    """A client from the pod's ServiceAccount in a cluster, else from KUBECONFIG / ~/.kube/config."""
    try:
        config.load_incluster_config()  # type: ignore[no-untyped-call]  # config/ has no annotations
        return client.ApiClient()
    except config.ConfigException:
        return cast(client.ApiClient, config.new_client_from_config())  # type: ignore[no-untyped-call]


class Kube:
    """The operator's view of the API: its SyncJobs and their stage pods."""

    def __init__(self, api: client.ApiClient) -> None:
        self.api = api
        self.core = client.CoreV1Api(api)
        self.custom = client.CustomObjectsApi(api)
        self.coordination = client.CoordinationV1Api(api)

    def _plain(self, obj: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.api.sanitize_for_serialization(obj)  # type: ignore[no-untyped-call]
        return result

    def get_job(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The SyncJob, or None when it is gone."""
        try:
            body = cast(
                "dict[str, Any]",
                self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name),
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return body

    def patch_job_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        """Merge `status` into the SyncJob's status subresource (404: the job is gone, fine)."""
        try:
            self.custom.patch_namespaced_custom_object_status(
                GROUP, VERSION, namespace, PLURAL, name, {"status": status}, _content_type=_MERGE_PATCH
            )
        except ApiException as error:
            if error.status != 404:
                raise

    def delete_job(self, namespace: str, name: str, uid: str) -> None:
        """Delete the SyncJob if it is still the object with `uid`."""
        try:
            self.custom.delete_namespaced_custom_object(
                GROUP,
                VERSION,
                namespace,
                PLURAL,
                name,
                body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=uid)),
            )
        except ApiException as error:
            if error.status not in (404, 409):
                raise

    def list_stage_pods(self, namespace: str, job_uid: str) -> list[dict[str, Any]]:
        """Every pod of the job, fresh from the API server (no cache: it is the truth)."""
        pods = self.core.list_namespaced_pod(namespace, label_selector=job_selector(job_uid))
        return [self._plain(pod) for pod in pods.items]

    def create_pod(self, body: dict[str, Any]) -> bool:
        """Create the pod; False when a pod of that name exists already (deterministic names)."""
        try:
            # Pods are built as plain dicts (pods.py); the client sends a dict as it is.
            self.core.create_namespaced_pod(body["metadata"]["namespace"], body)  # type: ignore[arg-type]
        except ApiException as error:
            if error.status == 409:
                return False
            raise
        return True

    def create_secret(self, body: dict[str, Any]) -> str:
        """Create a Secret (named by `generateName`); returns its name. The operator never reads Secrets."""
        created = self.core.create_namespaced_secret(body["metadata"]["namespace"], body)  # type: ignore[arg-type]
        return str(self._plain(created)["metadata"]["name"])

    def read_pod(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The pod, or None when it does not exist."""
        try:
            return self._plain(self.core.read_namespaced_pod(name, namespace))
        except ApiException as error:
            if error.status == 404:
                return None
            raise

    def delete_pod(self, namespace: str, name: str) -> None:
        """Delete a pod; one already gone is fine."""
        try:
            self.core.delete_namespaced_pod(name, namespace)
        except ApiException as error:
            if error.status != 404:
                raise

    # -- SyncSchedules and the SyncJobs they make ------------------------------------------

    def get_schedule(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The SyncSchedule, or None when it is gone."""
        try:
            body = cast(
                "dict[str, Any]",
                self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, SCHEDULE_PLURAL, name),
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return body

    def patch_schedule_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        """Merge `status` into the SyncSchedule's status (404: the schedule is gone, fine)."""
        try:
            self.custom.patch_namespaced_custom_object_status(
                GROUP,
                VERSION,
                namespace,
                SCHEDULE_PLURAL,
                name,
                {"status": status},
                _content_type=_MERGE_PATCH,
            )
        except ApiException as error:
            if error.status != 404:
                raise

    def list_jobs(self, namespace: str, label_selector: str) -> list[dict[str, Any]]:
        """The SyncJobs in `namespace` matching `label_selector`, fresh from the API server."""
        listed = self.custom.list_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, label_selector=label_selector
        )
        return list(cast("dict[str, Any]", listed).get("items") or [])

    def create_job(self, body: dict[str, Any]) -> bool:
        """Create a SyncJob; False when one of that name exists already (deterministic names)."""
        try:
            self.custom.create_namespaced_custom_object(
                GROUP, VERSION, body["metadata"]["namespace"], PLURAL, body
            )
        except ApiException as error:
            if error.status == 409:
                return False
            raise
        return True

    def delete_job_named(self, namespace: str, name: str) -> None:
        """Delete a SyncJob by name (its pods go with it); one already gone is fine."""
        try:
            self.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)
        except ApiException as error:
            if error.status != 404:
                raise

    # -- target locks (Leases in the operator's namespace) ----------------------------------

    def read_lease(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The Lease, or None when it does not exist."""
        try:
            return self._plain(self.coordination.read_namespaced_lease(name, namespace))
        except ApiException as error:
            if error.status == 404:
                return None
            raise

    def create_lease(self, body: dict[str, Any]) -> bool:
        """Create the Lease; False when one of that name exists already."""
        try:
            self.coordination.create_namespaced_lease(body["metadata"]["namespace"], body)  # type: ignore[arg-type]
        except ApiException as error:
            if error.status == 409:
                return False
            raise
        return True

    def replace_lease(self, body: dict[str, Any]) -> bool:
        """Replace the Lease at the body's resourceVersion; False when it changed meanwhile (or is gone)."""
        meta = body["metadata"]
        try:
            self.coordination.replace_namespaced_lease(meta["name"], meta["namespace"], body)  # type: ignore[arg-type]
        except ApiException as error:
            if error.status in (404, 409):
                return False
            raise
        return True

    def delete_lease(self, namespace: str, name: str, resource_version: str | None) -> None:
        """Delete the Lease if it is still at `resource_version`; one gone or changed is left alone."""
        precondition = client.V1Preconditions(resource_version=resource_version)
        options = client.V1DeleteOptions(preconditions=precondition)
        try:
            self.coordination.delete_namespaced_lease(name, namespace, body=options)
        except ApiException as error:
            if error.status not in (404, 409):
                raise
