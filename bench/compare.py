"""Compare aerospike-py with the clients users would pick instead; print one table.

    python -m bench [--quick] [--workloads get,put] [--sizes 100] [--contenders ours-sync,official]

Runs every contender (one worker process each, see bench/contenders.py) against the same server:
the dev server started here, or a real cluster named by AEROSPIKE_HOSTS / --hosts. Each round runs
every (workload, size) cell once per contender in a shuffled order, after a warm-up; the table shows
medians over rounds with their spread and ratios to the official client and to the Rust floor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from .contenders import (BENCH, ROOT, Contender, Worker, WorkerError, all_contenders, ensure_legacy_venv,
                         ensure_native_venv, floor_binary)
from .otlp_sink import OtlpSink
from .report import (aggregate, draw_chart, format_table, format_targets, no_otel_api_lines, target_checks,
                     thread_scaling)

WORKLOADS = ["put", "get", "select", "exists", "operate", "batch_read", "batch_dict", "query"]
SEQUENTIAL_LOAD_SETS = {"put", "get", "select", "exists", "operate", "batch_read", "batch_dict"}  # use the kv set
VARIANT_WORKLOADS = ["get", "put"]
RESULTS = BENCH / "results"
FORK_CHECKED = ("ours-sync", "legacy-sync")  # the fork check's contenders (when they run)
FORK_TIMEOUT = 10.0  # seconds a forked child may take before it counts as a hang and is killed


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="smoke mode: 2 rounds of short runs, 2000-record query set (< 2 min)")
    ap.add_argument("--set-prefix", default="bench",
                    help="set names <prefix>_kv_<size> / <prefix>_q_<size> (a unique one on a shared server)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), help="comma list of " + ",".join(WORKLOADS))
    ap.add_argument("--sizes", default="100,10240", help="record payload sizes in bytes (comma list)")
    ap.add_argument("--contenders", default="", help="comma list (default: all); see --list")
    ap.add_argument("--list", action="store_true", help="list the contenders and exit")
    ap.add_argument("--no-tracing", action="store_true", help="skip the tracing variants of ours-sync")
    ap.add_argument("--no-threads", action="store_true", help="skip the N-threads-on-one-client variants")
    ap.add_argument("--no-fork-check", action="store_true",
                    help="skip the (untimed) fork check of ours-sync and legacy-sync")
    ap.add_argument("--pin", action="store_true",
                    help="pin the dev server to one CPU and every contender to the others (only when the "
                         "dev server is started here)")
    ap.add_argument("--rounds", type=int, help="measured rounds (default 3, quick 2)")
    ap.add_argument("--seconds", type=float, help="measured seconds per run (default 1.0, quick 0.15)")
    ap.add_argument("--warmup", type=float, help="warm-up seconds before each run (default 0.3, quick 0.05)")
    ap.add_argument("--concurrency", type=int, default=64, help="operations in flight for async contenders")
    ap.add_argument("--query-concurrency", type=int, default=4,
                    help="queries in flight for async contenders (each query reads the whole set)")
    ap.add_argument("--keys", type=int, default=1000, help="records in the key-value set per size")
    ap.add_argument("--query-records", type=int, help="records in the queried set (default 10000, quick 2000)")
    ap.add_argument("--hosts", default="", help="host:port[,..] of a running server (else AEROSPIKE_HOSTS, "
                                                  "else a dev server is started)")
    ap.add_argument("--namespace", default="test")
    ap.add_argument("--seed", type=int, default=None, help="seed of the contender order shuffle")
    ap.add_argument("--json", default="", help="write raw samples and rows here (default bench/results/)")
    ap.add_argument("--no-chart", action="store_true", help="do not draw the PNG (no matplotlib needed)")
    ap.add_argument("--profile", default="", help="comma list of Python contenders to run under py-spy "
                                                 "(flamegraph SVG beside the results; slows them down)")
    args = ap.parse_args(argv)
    quick = {"rounds": 2, "seconds": 0.15, "warmup": 0.05, "query_records": 2000}
    full = {"rounds": 3, "seconds": 1.0, "warmup": 0.3, "query_records": 10000}
    for k, v in (quick if args.quick else full).items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    args.workloads = [w for w in args.workloads.split(",") if w]
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown:
        ap.error(f"unknown workloads {sorted(unknown)}")
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    return args


def select_contenders(args) -> list[Contender]:
    known = all_contenders()
    if args.contenders:
        wanted = [c for c in args.contenders.split(",") if c]
        by_name = {c.name: c for c in known}
        missing = [w for w in wanted if w not in by_name]
        if missing:
            raise SystemExit(f"unknown contenders {missing}; known: {', '.join(by_name)}")
        return [by_name[w] for w in wanted]
    return [c for c in known if not (args.no_tracing and c.group == "tracing")
            and not (args.no_threads and c.group == "threads")]


def unavailable_reason(c: Contender) -> str | None:
    if c.kind == "rust" and not floor_binary().exists():
        return f"{floor_binary()} not built (make bench-floor)"
    if c.impl == "legacy":
        return ensure_legacy_venv(log)
    if c.impl == "native":
        return ensure_native_venv(log)
    return None


def server_hosts(args, stack: ExitStack) -> tuple[str, str]:
    """('h:p,..', description): the cluster to use, starting a dev server when none is named.

    With --pin the dev server is started with only the first CPU this process may use, and this
    process then keeps the others: every worker, the Rust floor and the OTLP collector started
    after it inherit them, so the server never shares the clients' CPUs.
    """
    raw = args.hosts or os.environ.get("AEROSPIKE_HOSTS", "")
    if raw.strip():
        note = "; --pin ignored (the server was not started here)" if args.pin else ""
        return raw.strip(), f"cluster {raw.strip()}{note}"
    sys.path.insert(0, str(ROOT / "tests"))
    from servers import DevServer

    if "AEROSPIKE_DEVSERVER_BIN" not in os.environ and "CARGO_TARGET_DIR" in os.environ:
        os.environ["AEROSPIKE_DEVSERVER_BIN"] = str(Path(os.environ["CARGO_TARGET_DIR"]) / "release"
                                                    / "aerospike-devserver")
    cpus = sorted(os.sched_getaffinity(0))
    if not args.pin:
        server = stack.enter_context(DevServer(nodes=1))
        return ",".join(f"{h}:{p}" for h, p in server.hosts), f"dev server on {server.hosts[0][1]}"
    if len(cpus) < 2:
        server = stack.enter_context(DevServer(nodes=1))
        return (",".join(f"{h}:{p}" for h, p in server.hosts),
                f"dev server on {server.hosts[0][1]}; --pin ignored (needs 2 CPUs, this process has {len(cpus)})")
    server_cpus, client_cpus = set(cpus[:1]), set(cpus[1:])
    os.sched_setaffinity(0, server_cpus)  # inherited by the server at exec: its runtime sizes itself to it
    try:
        server = stack.enter_context(DevServer(nodes=1))
    finally:
        os.sched_setaffinity(0, client_cpus)
    return (",".join(f"{h}:{p}" for h, p in server.hosts),
            f"dev server on {server.hosts[0][1]}; pinned: dev server on CPU {cpu_list(pid_cpus(server.proc.pid))}, "
            f"clients and orchestrator on CPU {cpu_list(os.sched_getaffinity(0))}")


def pid_cpus(pid: int) -> set[int]:
    """CPUs any thread of process `pid` may run on (read back, so the header shows what really holds)."""
    cpus: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            cpus |= os.sched_getaffinity(int(task.name))
        except ProcessLookupError:  # a thread that ended meanwhile
            pass
    return cpus


def cpu_list(cpus) -> str:
    return ",".join(str(c) for c in sorted(cpus))


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}  {cpu}, {os.cpu_count()} CPUs, load {load:.2f}, "
            f"Python {platform.python_version()}")


def fork_line(name: str, reply: dict) -> str:
    """fork: <name>: child with new client OK in X ms / child reusing parent client: <outcome>."""
    if "error" in reply:
        return f"! fork: {name}: the check itself failed: {reply['error']}"
    new, reuse = reply["new_client"], reply["reuse"]
    if new["outcome"] == "ok":
        first = f"child with new client OK in {new['ms']:.0f} ms"
    else:
        first = f"child with new client: {new['outcome']}: {new['detail']} ({new['ms']:.0f} ms)"
    if reuse["outcome"] == "ok":
        second = f"worked ({reuse['ms']:.0f} ms)"
    elif reuse["outcome"] == "raised":
        second = f"{reuse['detail']} ({reuse['ms']:.0f} ms)"
    else:
        second = f"{reuse['outcome']}: {reuse['detail']}"
    return f"{'' if new['outcome'] == 'ok' else '! '}fork: {name}: {first} / child reusing parent client: {second}"


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.list:
        for c in all_contenders():
            print(f"{c.name:26} {c.description}")
        return 0
    rng = random.Random(args.seed)
    t_start = time.monotonic()
    chosen = select_contenders(args)
    skipped: dict[str, str] = {}
    profiles: list[Path] = []
    samples: list[dict] = []
    with ExitStack() as stack:
        hosts, server_desc = server_hosts(args, stack)
        extra_env: dict[str, dict] = {}
        # One collector per exporting contender, so each one's spans are counted on their own.
        sinks: dict[str, OtlpSink] = {}
        traced_ops: dict[str, int] = {}  # per exporting contender: its operations, one span each
        for c in chosen:
            if c.needs_receiver:
                try:
                    sinks[c.name] = stack.enter_context(OtlpSink(count=True))
                except RuntimeError as e:
                    skipped[c.name] = str(e)
                    continue
                extra_env[c.name] = {"OTEL_EXPORTER_OTLP_ENDPOINT": sinks[c.name].endpoint}
                traced_ops[c.name] = 0
        workers: dict[str, Worker] = {}
        versions: dict[str, str] = {}
        for c in chosen:
            if c.name in skipped:
                continue
            reason = unavailable_reason(c)
            if reason:
                skipped[c.name] = reason
                continue
            profile_to = None
            if c.name in args.profile.split(",") and c.kind == "python":
                RESULTS.mkdir(exist_ok=True)
                profile_to = RESULTS / f"profile-{c.name}-{time.strftime('%Y%m%d-%H%M%S')}.svg"
                profiles.append(profile_to)
            w = Worker(c, extra_env.get(c.name), profile_to)
            stack.callback(w.close)
            try:
                versions[c.name] = w.request(cmd="connect", hosts=hosts)["version"]
                workers[c.name] = w
            except WorkerError as e:
                skipped[c.name] = str(e)
        if not workers:
            log("no contender could start:\n" + "\n".join(f"  {k}: {v}" for k, v in skipped.items()))
            return 1

        def sets_for(size):
            return f"{args.set_prefix}_kv_{size}", f"{args.set_prefix}_q_{size}"

        # Seed once with the fastest available writer; every contender then reads the same records.
        seeder = next((workers[n] for n in ("rust-seq", "rust-async", "official", "ours-sync") if n in workers),
                      next(iter(workers.values())))
        for size in args.sizes:
            kv, qset = sets_for(size)
            log(f"seeding {args.keys} + {args.query_records if 'query' in args.workloads else 0} "
                f"records of {size} B with {seeder.contender.name}...")
            seeder.request(cmd="seed", namespace=args.namespace, set=kv, count=args.keys, size=size)
            if "query" in args.workloads:
                seeder.request(cmd="seed", namespace=args.namespace, set=qset, count=args.query_records, size=size)
            if seeder.contender.needs_receiver:  # only when no other contender runs: its puts are spans too
                traced_ops[seeder.contender.name] += (args.keys + (args.query_records if "query" in args.workloads
                                                                   else 0))

        cells = [(w, s) for w in args.workloads for s in args.sizes]
        # The tracing and threads variants run get and put at the first size only.
        variant_cells = {(w, s) for w in VARIANT_WORKLOADS for s in args.sizes[:1]} & set(cells)

        def runs_cell(name, cell):
            group = next(c.group for c in chosen if c.name == name)
            return group == "main" or cell in variant_cells

        def request_fields(name, workload, size):
            kv, qset = sets_for(size)
            c = workers[name].contender
            conc = (min(args.concurrency, args.query_concurrency) if workload == "query"
                    else args.concurrency) if c.concurrent else 1
            if c.kind == "rust" and workload == "batch_dict":
                workload = "batch_read"  # the floor has no Python objects: its batch is the same work
            return dict(workload=workload, namespace=args.namespace, set=kv, query_set=qset, size=size,
                        keys=args.keys, query_count=args.query_records, concurrency=c.threads or conc)

        # Sanity check before timing anything: each contender does each workload once and verifies it.
        broken: set[tuple] = set()
        otel_absence: dict[str, str] = {}  # [no-otel-api] contenders: the worker's own evidence
        for cell in cells:
            for name, w in workers.items():
                if not runs_cell(name, cell):
                    continue
                try:
                    if w.contender.needs_receiver:
                        traced_ops[name] += 1
                    reply = w.request(cmd="check", **request_fields(name, *cell))
                    if "v_len" in reply and cell[0] == "get" and reply["v_len"] != cell[1]:
                        raise WorkerError(f"{name}: read {reply['v_len']} bytes, expected {cell[1]}")
                    if "no_otel_api" in reply and name not in otel_absence:
                        otel_absence[name] = reply["no_otel_api"]
                        log(f"check {name}: {reply['no_otel_api']}")
                except WorkerError as e:
                    broken.add((name, *cell))
                    skipped[f"{name} {cell[0]} {cell[1]}B"] = str(e)

        for rnd in range(args.rounds):
            log(f"round {rnd + 1}/{args.rounds} ({time.monotonic() - t_start:.0f}s elapsed)")
            for cell in cells:
                names = [n for n in workers if runs_cell(n, cell) and (n, *cell) not in broken]
                rng.shuffle(names)
                for name in names:
                    try:
                        reply = workers[name].request(cmd="run", seconds=args.seconds, warmup=args.warmup,
                                                      min_ops=1, timeout=120 + 5 * (args.seconds + args.warmup),
                                                      **request_fields(name, *cell))
                    except WorkerError as e:
                        broken.add((name, *cell))
                        skipped[f"{name} {cell[0]} {cell[1]}B"] = str(e)
                        continue
                    samples.append({"round": rnd, "contender": name, "workload": cell[0], "size": cell[1],
                                    **{k: reply[k] for k in ("ops", "errors", "first_error", "elapsed", "cpu",
                                                             "p50_us", "p99_us")}})
                    if workers[name].contender.needs_receiver:
                        traced_ops[name] += reply["ops"] + reply["errors"] + reply.get("warmup_ops", 0)

        fork_lines, forks = [], {}
        if not args.no_fork_check:
            for name in (n for n in FORK_CHECKED if n in workers):
                try:
                    forks[name] = workers[name].request(cmd="fork_check", namespace=args.namespace,
                                                        set=sets_for(args.sizes[0])[0],
                                                        child_timeout=FORK_TIMEOUT, timeout=2 * FORK_TIMEOUT + 60)
                except WorkerError as e:
                    forks[name] = {"error": str(e)}
                fork_lines.append(fork_line(name, forks[name]))
                log(fork_lines[-1])

        spans_lines, export = [], None
        exporters = [n for n, w in workers.items() if w.contender.needs_receiver]
        if exporters:
            for n in exporters:
                workers[n].close()  # shuts its tracing down: the spans still queued are exported now
            per = {}
            for n in exporters:
                spans, with_parent = sinks[n].wait_for(traced_ops[n])
                per[n] = {"spans": spans, "with_parent": with_parent, "operations": traced_ops[n]}
                parents = "" if with_parent is None else f" ({with_parent:,} with a parent)"
                spans_lines.append(f"{'' if spans >= traced_ops[n] else '! '}OTLP sink of {n}, {sinks[n].kind}, "
                                   f"received {spans:,} spans{parents} for {traced_ops[n]:,} operations")
            export = {"sink": sinks[exporters[0]].kind, "contenders": exporters, "per_contender": per,
                      "spans": sum(p["spans"] for p in per.values()),
                      "operations": sum(p["operations"] for p in per.values())}

    order = [c.name for c in chosen]
    rows = aggregate(samples, {c.name: c.concurrent for c in chosen})
    title = (f"aerospike-py benchmark: {server_desc}; {args.rounds} rounds x {args.seconds}s "
             f"(+{args.warmup}s warm-up); async in flight: {args.concurrency} "
             f"({min(args.concurrency, args.query_concurrency)} for query)")
    print(title)
    print(machine_line())
    for name in order:
        if name in versions:
            print(f"  {name:26} {versions[name]}")
    print()
    print(format_table(rows, order, args.workloads))
    print()
    print("Targets (ratios within this run):")
    print(format_targets(target_checks(rows)))
    no_otel = no_otel_api_lines(rows)
    if no_otel:
        print("\nTracing on, opentelemetry not importable (ratios to the same package untraced, this run):")
        print("\n".join(no_otel))
        for name, text in otel_absence.items():
            print(f"  checked in {name}: {text}")
    scaling = thread_scaling(rows)
    if scaling:
        print("\nThreads sharing one client (ops/s ratios within this run):")
        print("\n".join(scaling))
    errs = [r for r in rows if r.errors]
    for r in errs:
        print(f"! {r.contender} {r.workload} {r.size}B: {r.errors} errors, first: {r.first_error}")
    for line in spans_lines:
        print(line)
    for line in fork_lines:
        print(line)
    for what, why in skipped.items():
        print(f"- skipped {what}: {why}")

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    json_path = Path(args.json) if args.json else RESULTS / f"bench-{stamp}.json"
    json_path.write_text(json.dumps({
        "title": title, "machine": machine_line(), "versions": versions, "skipped": skipped,
        "samples": samples, "rows": [r.__dict__ for r in rows], "export": export, "fork": forks,
        "no_otel_api": otel_absence}, indent=1))
    print(f"\nraw results: {json_path}")
    if not args.no_chart and rows:
        png = json_path.with_suffix(".png")
        try:
            draw_chart(rows, order, args.workloads, png, title)
            print(f"chart: {png}")
        except ImportError:
            print("chart skipped: pip install matplotlib")
    for svg in profiles:
        print(f"py-spy flamegraph: {svg}" if svg.exists() else f"! py-spy wrote no {svg} (is py-spy installed?)")
    log(f"done in {time.monotonic() - t_start:.0f}s")
    return 0
