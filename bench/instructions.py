"""Instructions per operation, counted by callgrind: the benchmark's repeatable measure.

    .venv/bin/python -m bench.instructions [--workloads get,put,batch_read] [--contenders ours-sync,official]

On a small shared machine the wall-clock ratios of `python -m bench` move by 20-100% from one run
to the next (the VM's wake-up latency, the neighbours); user-space instruction counts do not. Each
(contender, workload) runs in a worker process under `valgrind --tool=callgrind` twice, with
`--small` and with `--large` operations; the difference in instructions divided by the difference
in operations is the cost of one operation, with start-up, connection and the worker's protocol
cancelled out. Every thread counts (a PyO3 client's tokio threads too); time in the kernel and
waiting do not, so this complements the timed table rather than replacing it. A contender's
spinning while it waits for a reply does count, and varies a little from run to run: `--repeat`
runs each pair again and reports the median and spread.

The tracing contenders (ours-sync[parent-only], ours-sync[otlp+parent]) and the telemetry cells
(ours-sync[telemetry-off], [otel-disabled], [metrics-otlp], [otlp+parent,no-metrics]) run get and
put only; the lines under the table give the cost of full tracing with a Python parent span,
against the same span without our tracing, and of each signal on and off.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from .compare import RESULTS, VARIANT_WORKLOADS, log, server_hosts, unavailable_reason
from .contenders import Contender, Worker, WorkerError, all_contenders
from .otlp_sink import OtlpSink

WORKLOADS = ["get", "put", "select", "exists", "operate", "batch_read", "batch_dict", "query"]
DEFAULT_CONTENDERS = ("ours-sync,official,native-sync,rust-seq,ours-async,native-async,native-async[no-uvloop],"
                      "rust-async,ours-sync[parent-only],ours-sync[otlp+parent],"
                      "ours-sync[telemetry-off],ours-sync[otel-disabled],ours-sync[metrics-otlp],"
                      "ours-sync[otlp+parent+no-metrics]")
# A batch reads 100 records, a query the whole set (--keys): runs of them do fewer operations.
BATCH_SHARE = 20
SHARES = {"batch_read": BATCH_SHARE, "batch_dict": BATCH_SHARE, "query": 200}
BATCH_CONCURRENCY = 4
TRACING_PAIR = ("ours-sync[parent-only]", "ours-sync[otlp+parent]")
# The telemetry cells (docs/metrics.md): (what, contender, baseline); each line under the table is
# the contender's instructions per operation minus the baseline's, and the same in ns at ~3
# instructions per ns (this machine's rate for the client's code; callgrind counts, not times).
TELEMETRY_CELLS = [
    ("metrics recording (tracing off)", "ours-sync", "ours-sync[telemetry-off]"),
    ("metrics, OTEL_SDK_DISABLED=true (the reference's 'metrics only')", "ours-sync[otel-disabled]",
     "ours-sync[telemetry-off]"),
    ("metrics recording + OTLP export every 100 ms", "ours-sync[metrics-otlp]", "ours-sync[telemetry-off]"),
    ("metrics on top of full tracing with a parent span", "ours-sync[otlp+parent]",
     "ours-sync[otlp+parent+no-metrics]"),
    ("full tracing with a parent span, metrics off", "ours-sync[otlp+parent+no-metrics]", "ours-sync[parent-only]"),
]
INSTRUCTIONS_PER_NS = 3.0


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workloads", default="get,put,batch_read", help="comma list of " + ",".join(WORKLOADS))
    ap.add_argument("--size", type=int, default=100, help="record payload size in bytes")
    ap.add_argument("--contenders", default=DEFAULT_CONTENDERS, help="comma list (python -m bench --list)")
    ap.add_argument("--small", type=int, default=200, help="operations of the short run (batch_read: 1/20th)")
    ap.add_argument("--large", type=int, default=1200, help="operations of the long run (batch_read: 1/20th)")
    ap.add_argument("--concurrency", type=int, default=64, help="operations in flight for async contenders")
    ap.add_argument("--repeat", type=int, default=1, help="pairs of runs per cell (median reported)")
    ap.add_argument("--keys", type=int, default=1000, help="records in the key-value set")
    ap.add_argument("--hosts", default="", help="host:port[,..] of a running server (else AEROSPIKE_HOSTS, "
                                                  "else a dev server is started)")
    ap.add_argument("--namespace", default="test")
    ap.add_argument("--json", default="", help="write the rows here (default bench/results/)")
    args = ap.parse_args(argv)
    args.workloads = [w for w in args.workloads.split(",") if w]
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown:
        ap.error(f"unknown workloads {sorted(unknown)}")
    if not 0 < args.small < args.large:
        ap.error("--small must be positive and below --large")
    args.pin = False  # server_hosts() reads it
    return args


def counted_run(c: Contender, env: dict | None, hosts: str, fields: dict, ops: int) -> tuple[int, int]:
    """(instructions of the whole worker process, operations it ran), for one run of `ops`."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        w = Worker(c, env, wrap=["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"])
        try:
            w.request(cmd="connect", hosts=hosts)
            reply = w.request(cmd="run", seconds=0, warmup=0, min_ops=ops, **fields)
            if reply["errors"]:
                raise WorkerError(f"{reply['errors']} errors, first: {reply['first_error']}")
        finally:
            w.close()  # callgrind writes its totals when the process exits
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1]), reply["ops"]
    raise WorkerError(f"no instruction total in callgrind's output for {c.name}")


def per_op(c: Contender, env: dict | None, hosts: str, fields: dict, small: int, large: int) -> float:
    n1, ops1 = counted_run(c, env, hosts, fields, small)
    n2, ops2 = counted_run(c, env, hosts, fields, large)
    return (n2 - n1) / (ops2 - ops1)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil.which("valgrind"):
        log("valgrind not found (Debian package `valgrind`)")
        return 2
    by_name = {c.name: c for c in all_contenders()}
    wanted = [n for n in args.contenders.split(",") if n]
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise SystemExit(f"unknown contenders {unknown}")
    rows, skipped = [], {}
    t0 = time.monotonic()
    with ExitStack() as stack:
        hosts, server_desc = server_hosts(args, stack)
        chosen = []
        for name in wanted:
            reason = unavailable_reason(by_name[name])
            if reason:
                skipped[name] = reason
            else:
                chosen.append(by_name[name])
        env = {}
        for c in chosen:
            if c.needs_receiver:
                env[c.name] = {"OTEL_EXPORTER_OTLP_ENDPOINT": stack.enter_context(OtlpSink()).endpoint}
        if not chosen:
            log("no contender available: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
            return 1
        kv = f"bench_instr_{args.size}"
        seeder = Worker(chosen[0], env.get(chosen[0].name))
        try:
            seeder.request(cmd="connect", hosts=hosts)
            seeder.request(cmd="seed", namespace=args.namespace, set=kv, count=args.keys, size=args.size)
        finally:
            seeder.close()
        for workload in args.workloads:
            share = SHARES.get(workload, 1)
            small, large = max(1, args.small // share), max(2, args.large // share)
            for c in chosen:
                if c.group != "main" and workload not in VARIANT_WORKLOADS:
                    continue
                conc = c.threads or (args.concurrency if c.concurrent else 1)
                if workload in SHARES:  # 64 batches at once under valgrind would time out
                    conc = min(conc, BATCH_CONCURRENCY)
                run_as = "batch_read" if c.kind == "rust" and workload == "batch_dict" else workload
                fields = dict(workload=run_as, namespace=args.namespace, set=kv, query_set=kv, size=args.size,
                              keys=args.keys, query_count=0, concurrency=conc)
                log(f"{workload} {c.name} ({time.monotonic() - t0:.0f}s elapsed)")
                try:
                    samples = [per_op(c, env.get(c.name), hosts, fields, small, large)
                               for _ in range(args.repeat)]
                except WorkerError as e:
                    skipped[f"{c.name} {workload}"] = str(e)
                    continue
                rows.append({"workload": workload, "size": args.size, "contender": c.name,
                             "instructions": statistics.median(samples), "samples": samples})
    print(f"\nInstructions per operation (callgrind, user space, all threads); {server_desc}\n")
    print(format_rows(rows))
    for line in tracing_lines(rows) + telemetry_lines(rows):
        print(line)
    for k, v in skipped.items():
        print(f"- skipped {k}: {v}")
    RESULTS.mkdir(exist_ok=True)
    path = Path(args.json) if args.json else RESULTS / f"instructions-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"server": server_desc, "rows": rows, "skipped": skipped}, indent=1))
    print(f"\nraw results: {path}")
    return 0


def ratio(rows: list[dict], row: dict, to: str) -> str:
    ref = next((r for r in rows if r["contender"] == to and r["workload"] == row["workload"]), None)
    return f"{row['instructions'] / ref['instructions']:.2f}" if ref else "-"


def format_rows(rows: list[dict]) -> str:
    head = ["workload", "size", "contender", "instr/op", "spread", "x official", "x floor"]
    lines = []
    for r in rows:
        floor = "rust-async" if "async" in r["contender"] else "rust-seq"
        s = r["samples"]
        spread = f"±{(max(s) - min(s)) / 2 / r['instructions'] * 100:.0f}%" if len(s) > 1 else "-"
        lines.append([r["workload"], f"{r['size']}B", r["contender"], f"{r['instructions']:,.0f}", spread,
                      ratio(rows, r, "official"), ratio(rows, r, floor)])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    fmt = "  ".join(f"{{:<{w}}}" if i < 3 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*head), "  ".join("-" * w for w in widths)] + [fmt.format(*x) for x in lines])


def tracing_lines(rows: list[dict]) -> list[str]:
    """Full tracing with a Python parent span against the same parent span without our tracing."""
    out = []
    for workload in VARIANT_WORKLOADS:
        base, traced = (next((r for r in rows if r["contender"] == n and r["workload"] == workload), None)
                        for n in TRACING_PAIR)
        if base and traced:
            cost = traced["instructions"] / base["instructions"] - 1
            verdict = "PASS" if cost <= 0.05 else "FAIL"
            out.append(f"{verdict}  tracing {workload}: {TRACING_PAIR[1]} costs {cost * 100:+.1f}% of "
                       f"{TRACING_PAIR[0]} (target within 5%)")
    return out


def telemetry_lines(rows: list[dict]) -> list[str]:
    """What each signal adds per operation (TELEMETRY_CELLS); the metrics target is < 100 ns."""
    out = []
    for workload in VARIANT_WORKLOADS:
        for what, name, base_name in TELEMETRY_CELLS:
            row, base = (next((r for r in rows if r["contender"] == n and r["workload"] == workload), None)
                         for n in (name, base_name))
            if row and base:
                extra = row["instructions"] - base["instructions"]
                ns = extra / INSTRUCTIONS_PER_NS
                verdict = ("PASS " if ns < 100 else "FAIL ") if what.startswith("metrics") else "     "
                out.append(f"{verdict} {workload}: {what}: {extra:+,.0f} instructions/op (~{ns:+,.0f} ns), "
                           f"{name} against {base_name}")
    return out


if __name__ == "__main__":
    raise SystemExit(main())
