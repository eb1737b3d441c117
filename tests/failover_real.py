"""Failover check against a real cluster (replication factor 2): kill a node, then, before the
survivors notice (the heartbeat timeout), read the keys it mastered and write one of them.

    python tests/failover_real.py --hosts 127.0.0.1:3200,127.0.0.1:3210,127.0.0.1:3220 \\
        --victim 127.0.0.1:3210 --kill 'kill -9 $(cat /work/refserver/run3/node2/asd.pid)'

Not a pytest test (it kills a node of the cluster it is given). Reads use replica SEQUENCE with a 1 s
total timeout, as tests/client/test_failover.py does on the dev server; the official client, when
installed, runs the same reads for comparison. Prints, per client, how many reads succeeded during
the window, their median and longest latency, and what a write to the dead master raised.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aerospike_py  # noqa: E402
from servers import partition_masters  # noqa: E402

READ = {"replica": aerospike_py.POLICY_REPLICA_SEQUENCE, "socket_timeout": 1000, "total_timeout": 1000, "max_retries": 2}
WRITE = {"max_retries": 0, "total_timeout": 1000}


def hostport(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


def partition_id(key) -> int:
    return int.from_bytes(bytes(aerospike_py.calc_digest(*key)[:2]), "little") & 0x0FFF


def clients(hosts):
    out = {"aerospike_py": aerospike_py.client({"hosts": hosts}).connect()}
    try:
        import aerospike

        out["aerospike (official)"] = aerospike.client({"hosts": hosts}).connect()
    except ImportError:
        pass
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", required=True, help="host:port[,host:port...] of every node")
    ap.add_argument("--victim", required=True, help="host:port of the node to kill")
    ap.add_argument("--kill", required=True, help="shell command that kills the victim")
    ap.add_argument("--keys", type=int, default=3000)
    ap.add_argument("--window", type=float, default=1.2, help="seconds of reads after the kill (< heartbeat timeout)")
    args = ap.parse_args()
    hosts = [hostport(h) for h in args.hosts.split(",")]
    victim = hostport(args.victim)

    conns = clients(hosts)
    ours = conns["aerospike_py"]
    set_name = "failover_" + uuid.uuid4().hex[:8]
    keys = [("test", set_name, i) for i in range(args.keys)]
    for k in keys:
        ours.put(k, {"v": k[2]})
    owner = partition_masters(hosts)
    mine = [k for k in keys if owner[partition_id(k)] == victim]
    print(f"{len(mine)} of {len(keys)} keys are mastered by {victim[0]}:{victim[1]}")

    subprocess.run(args.kill, shell=True, check=True)
    killed = time.monotonic()
    stats = {name: {"ok": 0, "failed": 0, "ms": [], "errors": {}} for name in conns}
    i = 0
    while time.monotonic() - killed < args.window:
        k = mine[i % len(mine)]
        i += 1
        for name, c in conns.items():
            s = stats[name]
            started = time.monotonic()
            try:
                ok = c.get(k, policy=READ)[2] == {"v": k[2]}
            except Exception as e:  # noqa: BLE001 - a report, every failure counts
                ok = False
                s["errors"][type(e).__name__] = s["errors"].get(type(e).__name__, 0) + 1
            s["ms"].append((time.monotonic() - started) * 1000)
            s["ok" if ok else "failed"] += 1
    writes = {}
    for name, c in conns.items():
        started = time.monotonic()
        try:
            c.put(mine[0], {"v": -1}, policy=WRITE)
            writes[name] = "succeeded"
        except Exception as e:  # noqa: BLE001
            writes[name] = f"{type(e).__name__} code={getattr(e, 'code', None)} in_doubt={getattr(e, 'in_doubt', None)}"
        writes[name] += f" after {(time.monotonic() - started) * 1000:.1f} ms"
    print(f"reads within {args.window} s of the kill:")
    for name, s in stats.items():
        ms = s["ms"] or [0.0]
        print(
            f"  {name}: {s['ok']} ok, {s['failed']} failed {s['errors'] or ''}; "
            f"median {statistics.median(ms):.2f} ms, longest {max(ms):.1f} ms"
        )
    print("write (max_retries 0) to a key of the dead master:")
    for name, outcome in writes.items():
        print(f"  {name}: {outcome}")
    return 0 if all(s["failed"] == 0 for s in stats.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
