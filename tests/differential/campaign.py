"""Long differential campaigns: `make differential` or

    .venv/bin/python tests/differential/campaign.py [--seed S] [--runs N] [--steps M] [--driver ours|official]

The reference server is AEROSPIKE_REFERENCE_HOSTS (h:p[,h:p]) when set, else a dev server started here;
the candidate is AEROSPIKE_CANDIDATE_HOSTS when set, else a dev server started here (one node against a
real reference, three nodes against a dev server reference). Runs seeds S, S+1, ... and stops at the
first divergence, printing its report (exit status 1).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from harness import Driver, Target, run  # noqa: E402
from servers import DevServer, parse_hosts  # noqa: E402


@contextlib.contextmanager
def servers():
    """(reference hosts, candidate hosts, names) per the environment; dev servers are started as needed."""
    with contextlib.ExitStack() as stack:
        ref = os.environ.get("AEROSPIKE_REFERENCE_HOSTS", "").strip()
        cand = os.environ.get("AEROSPIKE_CANDIDATE_HOSTS", "").strip()
        if ref:
            ref_hosts, ref_name = parse_hosts(ref), f"reference {ref}"
        else:
            ref_hosts, ref_name = stack.enter_context(DevServer(nodes=1)).hosts, "dev server (1 node)"
        if cand:
            cand_hosts, cand_name = parse_hosts(cand), f"candidate {cand}"
        else:
            nodes = 1 if ref else 3
            server = stack.enter_context(DevServer(nodes=nodes))
            cand_hosts, cand_name = server.hosts, f"dev server ({nodes} node{'s' if nodes > 1 else ''})"
            wait_for_nodes(cand_hosts, nodes)
        yield ref_hosts, cand_hosts, (ref_name, cand_name), len(ref_hosts) == 1 and len(cand_hosts) == 1


def wait_for_nodes(hosts, n: int, timeout: float = 10.0) -> None:
    """Until a client sees every node of a fresh cluster (its partition map settles)."""
    import aerospike_py

    deadline = time.monotonic() + timeout
    with aerospike_py.client({"hosts": list(hosts)}).connect() as c:
        while len(c.info_all("node")) < n and time.monotonic() < deadline:
            time.sleep(0.1)


def campaign(seed: int, runs: int, steps: int, driver: str, log=print) -> int:
    """Runs `runs` seeds of `steps` steps; returns the number of steps that agreed before any divergence."""
    drv = Driver(driver)
    total = 0
    with servers() as (ref_hosts, cand_hosts, names, single_nodes):
        log(f"reference: {names[0]}; candidate: {names[1]}; driver: {driver}")
        ref, cand = Target(names[0], ref_hosts, drv), Target(names[1], cand_hosts, drv)
        try:
            for s in range(seed, seed + runs):
                result = run(s, steps, ref, cand, log=log, single_nodes=single_nodes)
                total += result.steps - (1 if result.divergence else 0)
                log(f"seed {s}: {result.steps} steps in {result.seconds:.1f}s"
                    + (" DIVERGED" if result.divergence else " agree"))
                if result.divergence:
                    log(result.divergence.report(names))
                    return -total
        finally:
            ref.close()
            cand.close()
    log(f"{total} steps over {runs} seeds agree")
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--driver", choices=["ours", "official"], default="ours")
    args = ap.parse_args()
    return 0 if campaign(args.seed, args.runs, args.steps, args.driver) >= 0 else 1


if __name__ == "__main__":
    sys.exit(main())
