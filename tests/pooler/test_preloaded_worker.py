"""The preloaded process worker refuses to start on what it cannot serve, naming the fix."""

from __future__ import annotations

import pytest
from prefect_cluster import POOL

from palfa.errors import PalfaError
from workers.preloaded import check_setup


def test_worker_refuses_a_missing_pool_or_module_and_accepts_the_real_ones(cluster):
    with pytest.raises(PalfaError, match=r"work pool nope: not found on http://127\.0\.0\.1.*"
                                         r"Fix: prefect work-pool create nope --type process"):
        check_setup("nope", ["flows.beam_search"])
    with pytest.raises(PalfaError, match=r"--preload flows\.nothing: not importable .* Fix: start the "
                                         r"worker in the pipeline checkout"):
        check_setup(POOL, ["flows.beam_search", "flows.nothing"])
    check_setup(POOL, ["flows.beam_search"])
