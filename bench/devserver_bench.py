"""Dev server throughput: 1 KiB put/get from the official `aerospike` client, several client processes.

Starts its own dev server (tests/servers.py DevServer, --nodes N) unless AEROSPIKE_HOSTS is set.
Each configuration runs a warm-up, then several timed rounds; the table shows the median round's
throughput and latency percentiles over all measured operations.

    .venv/bin/python bench/devserver_bench.py [--processes 1,2,4] [--seconds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from servers import DevServer, real_cluster_hosts  # noqa: E402

NAMESPACE = "test"


def _connect(hosts):
    import aerospike

    c = aerospike.client({"hosts": [tuple(h) for h in hosts], "connect_timeout": 5000})
    if not c.is_connected():
        c.connect()
    return c


def _worker(hosts, set_name, op, n_keys, value, warmup, seconds, start, out):
    """One client process: warm up, wait for the common start, then run `op` for `seconds`."""
    client = _connect(hosts)
    rnd = random.Random(os.getpid())
    bins = {"v": value}

    def one():
        k = (NAMESPACE, set_name, rnd.randrange(n_keys))
        if op == "put":
            client.put(k, bins)
        else:
            client.get(k)

    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        one()
    start.wait()
    lat = []
    t_end = time.perf_counter() + seconds
    now = time.perf_counter()
    while now < t_end:
        one()
        after = time.perf_counter()
        lat.append(after - now)
        now = after
    client.close()
    out.put(lat)


def run_round(hosts, set_name, op, procs, n_keys, value, warmup, seconds):
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(procs + 1)
    out = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(hosts, set_name, op, n_keys, value, warmup, seconds, start, out))
        for _ in range(procs)
    ]
    for w in workers:
        w.start()
    start.wait()
    t0 = time.perf_counter()
    lats = [out.get() for _ in workers]
    wall = max(time.perf_counter() - t0, seconds)
    for w in workers:
        w.join()
    flat = [x for lat in lats for x in lat]
    return len(flat) / wall, flat


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    idx = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[idx]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--processes", default="1,2,4", help="comma-separated client process counts")
    ap.add_argument("--ops", default="put,get", help="comma-separated: put, get")
    ap.add_argument("--seconds", type=float, default=3.0, help="length of one timed round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per process before each round")
    ap.add_argument("--keys", type=int, default=10_000)
    ap.add_argument("--value-size", type=int, default=1024)
    ap.add_argument("--nodes", type=int, default=1, help="dev server nodes (ignored with AEROSPIKE_HOSTS)")
    args = ap.parse_args()

    hosts = real_cluster_hosts()
    server = None
    if hosts is None:
        server = DevServer(nodes=args.nodes).start()
        hosts = server.hosts
    try:
        set_name = "bench_" + uuid.uuid4().hex[:8]
        value = os.urandom(args.value_size)
        loader = _connect(hosts)
        for i in range(args.keys):  # every get finds its record
            loader.put((NAMESPACE, set_name, i), {"v": value})
        loader.close()

        if server is None:
            target = "real cluster " + ",".join(f"{h}:{p}" for h, p in hosts)
        else:
            target = f"dev server ({args.nodes} node(s))"
        print(f"target: {target}; value {args.value_size} B; {args.keys} keys; "
              f"{args.rounds} rounds x {args.seconds:g}s after {args.warmup:g}s warm-up; cpus {os.cpu_count()}")
        print(f"{'op':<4} {'procs':>5} {'ops/s (median)':>15} {'min..max ops/s':>20} {'p50 us':>8} {'p99 us':>8}")
        for op in [o.strip() for o in args.ops.split(",") if o.strip() in ("put", "get")]:
            for procs in [int(p) for p in args.processes.split(",") if p.strip()]:
                rates, all_lat = [], []
                for _ in range(args.rounds):
                    rate, lat = run_round(hosts, set_name, op, procs, args.keys, value, args.warmup, args.seconds)
                    rates.append(rate)
                    all_lat += lat
                all_lat.sort()
                print(f"{op:<4} {procs:>5} {statistics.median(rates):>15,.0f} "
                      f"{f'{min(rates):,.0f}..{max(rates):,.0f}':>20} "
                      f"{percentile(all_lat, 0.50) * 1e6:>8.0f} {percentile(all_lat, 0.99) * 1e6:>8.0f}",
                      flush=True)
        cleaner = _connect(hosts)
        try:
            cleaner.truncate(NAMESPACE, set_name, 0)
        finally:
            cleaner.close()
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
