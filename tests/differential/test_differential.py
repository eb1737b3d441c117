"""A small differential campaign inside the suite (the long one is `make differential`).

Reference and candidate, by the environment:
- AEROSPIKE_REFERENCE_HOSTS (or else AEROSPIKE_HOSTS) names a real server: it is the reference and a one-node
  dev server the candidate;
- neither: a one-node dev server is the reference and a three-node dev server cluster the candidate (a
  cluster must change nothing a client sees).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from campaign import wait_for_nodes  # noqa: E402
from harness import Driver, Target, run  # noqa: E402
from servers import DevServer, parse_hosts  # noqa: E402

SEEDS = [11, 12, 13]
STEPS = 250


@pytest.fixture(scope="module")
def targets():
    real = os.environ.get("AEROSPIKE_REFERENCE_HOSTS") or os.environ.get("AEROSPIKE_HOSTS")
    drv = Driver("ours")
    with contextlib.ExitStack() as stack:
        if real:
            ref_hosts, names = parse_hosts(real), (f"reference {real}", "dev server (1 node)")
            dev = stack.enter_context(DevServer(nodes=1))
        else:
            ref_hosts, names = stack.enter_context(DevServer(nodes=1)).hosts, ("dev server (1 node)", "dev server (3 nodes)")
            dev = stack.enter_context(DevServer(nodes=3))
        wait_for_nodes(dev.hosts, len(dev.hosts))
        ref, cand = Target(names[0], ref_hosts, drv), Target(names[1], dev.hosts, drv)
        stack.callback(ref.close)
        stack.callback(cand.close)
        yield ref, cand, names, len(ref_hosts) == 1 and len(dev.hosts) == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_same_answers_from_both_servers(targets, seed):
    ref, cand, names, single_nodes = targets
    result = run(seed, STEPS, ref, cand, single_nodes=single_nodes)
    assert result.divergence is None, result.divergence.report(names)
    assert result.steps == STEPS
    # The mix reaches every kind of step within a few hundred.
    assert {"put", "get", "operate", "batch_read", "batch_operate", "query"} <= set(result.kinds)
