"""Store ids are scoped to the job's namespace; local runs live apart from cluster jobs."""

from __future__ import annotations

import pytest
from diffsync_operator.stages.store_ids import (
    LOCAL_PREFIX,
    belongs_to,
    job_store_id,
    local_store_id,
    scoped_store_id,
)


def test_spec_store_id_is_prefixed_with_the_namespace():
    assert scoped_store_id("team-a", "inv", "0b5c4a8e-1111", "shared") == "team-a/shared"


def test_default_store_id_names_the_job_and_its_uid():
    assert scoped_store_id("team-a", "inv", "0b5c4a8e-1111", None) == "team-a/inv.0b5c4a8e"


def test_the_same_spec_store_id_in_two_namespaces_gives_two_stores():
    assert scoped_store_id("team-a", "x", "u", "shared") != scoped_store_id("team-b", "x", "u", "shared")


@pytest.mark.parametrize("requested", ["../team-b/shared", "team-b/shared", "/team-b"])
def test_no_spec_store_id_reaches_another_namespace(requested):
    # The spec pattern forbids a leading "/" or "."; even if one slipped through, the id would
    # still begin with the job's own namespace.
    effective = scoped_store_id("team-a", "x", "u", requested)
    assert belongs_to(effective, "team-a") and not belongs_to(effective, "team-b")


@pytest.mark.parametrize("namespace", ["Team-A", "a/b", "_local", "", "a_b"])
def test_a_namespace_that_is_not_a_dns_label_is_refused(namespace):
    with pytest.raises(ValueError, match="not a DNS label"):
        scoped_store_id(namespace, "x", "u", "shared")


def test_local_run_ids_can_never_be_a_cluster_jobs():
    local = local_store_id("team-a", "inv", "shared", "1234abcd")
    assert local == f"{LOCAL_PREFIX}/team-a/shared"
    assert not belongs_to(local, "team-a")
    assert local_store_id(None, "adhoc", None, "1234abcd") == f"{LOCAL_PREFIX}/default/adhoc.local-1234abcd"


def test_recorded_id_is_kept_only_inside_the_namespace():
    assert job_store_id("team-a", "x", "u", "new", "team-a/old") == "team-a/old"
    assert job_store_id("team-a", "x", "u", "new", "team-b/old") == "team-a/new"
    assert job_store_id("team-a", "x", "u", None, "team-a.x.u") == "team-a/x.u"  # an unscoped legacy id
