"""A small differential campaign inside the suite (the long one is `make differential`).

Reference and candidate, by the environment:
- AEROSPIKE_REFERENCE_HOSTS (or else AEROSPIKE_HOSTS) names a real server: it is the reference and a one-node
  dev server the candidate;
- neither: a one-node dev server is the reference and a three-node dev server cluster the candidate (a
  cluster must change nothing a client sees).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from campaign import wait_for_nodes  # noqa: E402
from harness import Driver, Target, parse_hosts, run  # noqa: E402
from servers import DevServer  # noqa: E402

SEEDS = [11, 12, 13]
STEPS = 250


@pytest.fixture(scope="module")
def targets():
    real = os.environ.get("AEROSPIKE_REFERENCE_HOSTS") or os.environ.get("AEROSPIKE_HOSTS")
    drv = Driver("ours")
    with DevServer(nodes=1 if real else 3) as dev:
        if real:
            ref = Target(f"reference {real}", parse_hosts(real), drv)
            names = (ref.name, "dev server (1 node)")
        else:
            single = DevServer(nodes=1).start()
            ref = Target("dev server (1 node)", single.hosts, drv)
            names = (ref.name, "dev server (3 nodes)")
        wait_for_nodes(dev.hosts, len(dev.hosts))
        cand = Target(names[1], dev.hosts, drv)
        yield ref, cand, names, len(ref.hosts) == 1 and len(dev.hosts) == 1
        ref.close()
        cand.close()
        if not real:
            single.stop()


@pytest.mark.parametrize("seed", SEEDS)
def test_same_answers_from_both_servers(targets, seed):
    ref, cand, names, single_nodes = targets
    result = run(seed, STEPS, ref, cand, single_nodes=single_nodes)
    assert result.divergence is None, result.divergence.report(names)
    assert result.steps == STEPS
    # The mix reaches every kind of step within a few hundred.
    assert {"put", "get", "operate", "batch_read", "batch_operate", "query"} <= set(result.kinds)
