"""The node-kill scenario of the fault campaign on a real 3-node cluster (replication factor 2): both
clients under the mixed load of load.py, one node killed with SIGKILL mid-run, restarted a few
seconds later; then every acknowledged write is read back.

    python tests/reliability/real_cluster.py --hosts 127.0.0.1:3200,127.0.0.1:3210,127.0.0.1:3220 \\
        --kill 'kill -9 $(cat /work/refserver/cluster/node3/asd.pid)' --restart /work/refserver/start3.sh

Not a pytest test: it kills a node of the cluster it is given. Prints one JSON object (campaign.py
builds the table from it)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aerospike_py  # noqa: E402
from load import Load  # noqa: E402
from servers import parse_hosts  # noqa: E402


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", required=True)
    ap.add_argument("--kill", required=True, help="shell command that kills one node (SIGKILL)")
    ap.add_argument("--restart", required=True, help="shell command that starts it again and waits for the cluster")
    ap.add_argument("--down", type=float, default=5.0, help="seconds the node stays dead")
    ap.add_argument("--tasks", type=int, default=256)
    args = ap.parse_args(argv)
    hosts = parse_hosts(args.hosts)
    load = Load(hosts, "rel_" + uuid.uuid4().hex[:8], tasks=args.tasks).start()
    time.sleep(3)
    fault_start = load.now()
    subprocess.run(args.kill, shell=True, check=True)
    time.sleep(args.down)
    subprocess.run(args.restart, shell=True, check=True, capture_output=True)
    fault_end = load.now()
    time.sleep(5)
    load.stop()
    until = load.now()
    with aerospike_py.client({"hosts": hosts}).connect() as c:
        check = load.ledger.verify(c)
    out = {"scenario": "node_kill_real", "fault": f"kill -9 one node, {args.down} s down, restarted",
           "fault_s": round(fault_end - fault_start, 1), "lost": check["lost"], "wrong_in_doubt": check["wrong_in_doubt"],
           "keys_checked": check["checked"], "examples": check["examples"], "crashes": load.crashes[:5], "kinds": []}
    for kind, st in load.stats.items():
        s = st.summary()
        s["baseline_ops_s"] = round(st.rate(1.0, fault_start), 0)
        s["during_ops_s"] = round(st.rate(fault_start, fault_end), 0)
        s["recovery_s"] = st.recovery((1.0, fault_start), fault_end, until)
        out["kinds"].append(s)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
