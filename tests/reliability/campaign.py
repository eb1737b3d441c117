"""`make reliability`: the whole campaign of issue 15, one part after another, each in processes of
its own (a crash is a figure, not the end of the run), then one table of figures. The raw results go
to docs/reliability/reliability-<time>.json.

    python tests/reliability/campaign.py [--short] [--parts faults,telemetry,fuzz,leaks,loops,real]

Parts: faults (faults.py), telemetry (telemetry.py), fuzz (socket_fuzz.py and the API fuzz,
tests/fuzz), leaks (leaks.py), loops (test_event_loops.py and the async client tests on uvloop),
real (the node-kill scenario on a real 3-node cluster, when AEROSPIKE_REAL_CLUSTER=h:p,h:p,h:p; the
node is killed by $REAL_KILL and restarted by $REAL_RESTART, see real_cluster.py).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PY = sys.executable


def lines_of(cmd: list[str], timeout: float, env: dict | None = None) -> tuple[list[dict], subprocess.CompletedProcess]:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, **(env or {})})
    out = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out, proc


def pytest_counts(proc: subprocess.CompletedProcess) -> str:
    """The summary line, and which tests failed (pytest -rf)."""
    lines = proc.stdout.splitlines()
    last = [l for l in lines if " passed" in l or " failed" in l or " error" in l]
    failed = [l.split(" - ")[0].removeprefix("FAILED ") for l in lines if l.startswith(("FAILED", "ERROR"))]
    text = last[-1].strip("= ") if last else f"exit {proc.returncode}"
    return text + (f" ({', '.join(failed)})" if failed else "")


def part_faults(short: bool) -> dict:
    rows, proc = lines_of([PY, str(HERE / "faults.py")] + (["--short"] if short else []), 3600)
    return {"rows": rows, "returncode": proc.returncode, "stderr": proc.stderr[-2000:] if proc.returncode else ""}


def part_telemetry(short: bool) -> dict:
    rows, proc = lines_of([PY, str(HERE / "telemetry.py")] + (["--short"] if short else []), 1800)
    return {"rows": rows, "returncode": proc.returncode, "stderr": proc.stderr[-2000:] if proc.returncode else ""}


def part_fuzz(short: bool) -> dict:
    rows, proc = lines_of([PY, str(HERE / "socket_fuzz.py"), "--frames", "2000" if short else "100000"], 1800)
    res = {"socket": rows, "returncode": proc.returncode}
    # `make fuzz` runs 21,000 per property (105,000 calls); the campaign a fifth of that.
    examples = "300" if short else "4000"
    _, api = lines_of([PY, "-m", "pytest", "tests/fuzz", "-q", "-rf", "-p", "no:cacheprovider"], 7200,
                      env={"FUZZ_EXAMPLES": examples})
    res["api"] = {"examples_per_property": int(examples), "result": pytest_counts(api), "returncode": api.returncode}
    return res


def part_leaks(short: bool) -> dict:
    rows, proc = lines_of([PY, str(HERE / "leaks.py")] + (["--short"] if short else []), 7200)
    return {"rows": rows, "returncode": proc.returncode, "stderr": proc.stderr[-2000:] if proc.returncode else ""}


def part_loops(short: bool) -> dict:
    _, p1 = lines_of([PY, "-m", "pytest", str(HERE / "test_event_loops.py"), "-q", "-rf", "-p", "no:cacheprovider"], 1800)
    res = {"event_loops": pytest_counts(p1), "returncode": p1.returncode}
    if not short:
        _, p2 = lines_of([PY, "-m", "pytest", "tests/client", "-q", "-rf", "-p", "no:cacheprovider", "-k", "async or Async"],
                         3600, env={"AEROSPIKE_PY_LOOP": "uvloop"})
        res["async_client_suite_on_uvloop"] = pytest_counts(p2)
        res["returncode"] |= p2.returncode
    return res


def part_real(short: bool) -> dict:
    hosts = os.environ.get("AEROSPIKE_REAL_CLUSTER")
    if not hosts:
        return {"skipped": "AEROSPIKE_REAL_CLUSTER not set"}
    rows, proc = lines_of([PY, str(HERE / "real_cluster.py"), "--hosts", hosts, "--kill", os.environ["REAL_KILL"],
                           "--restart", os.environ["REAL_RESTART"]], 1800)
    return {"rows": rows, "returncode": proc.returncode, "stderr": proc.stderr[-2000:] if proc.returncode else ""}


PARTS = {"faults": part_faults, "telemetry": part_telemetry, "fuzz": part_fuzz, "leaks": part_leaks,
         "loops": part_loops, "real": part_real}


def errors_text(errors: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in errors.items()) or "-"


def table(results: dict) -> str:
    out = []
    f = results.get("faults")
    if f:
        out += ["### Faults (3-node dev server, RF 2; sync: 4 threads, async: 256 tasks; 1 s total timeout, 300 ms socket timeout)", "",
                "| scenario | client | ops | acked writes | lost | wrong in_doubt | past deadline (worst overrun) | errors by class | ops/s before / during | recovery |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |"]
        for r in f["rows"]:
            if "kinds" not in r:
                out.append(f"| {r.get('scenario')} | SERVER DIED {r} | | | | | | | | |")
                continue
            for k in r["kinds"]:
                rec = "not recovered" if k["recovery_s"] is None else f"{k['recovery_s']} s"
                out.append(f"| {r['scenario']}: {r['fault']} | {k['kind']} | {k['ops']:,} | {k['acked_writes']:,} | "
                           f"{r['lost']} | {r['wrong_in_doubt']} | {k['past_deadline']} ({k['worst_overrun_ms']} ms) | "
                           f"{errors_text(k['errors'])} | {k['baseline_ops_s']:,.0f} / {k['during_ops_s']:,.0f} | {rec} |")
            if r.get("crashes"):
                out.append(f"| {r['scenario']} | unexpected exceptions | {r['crashes']} | | | | | | | |")
        out.append("")
    def counted(st):
        if not st:
            return "-"
        return f"{st['spans_exported']:,} / {st['spans_export_failed']:,} / {st['spans_queued_or_dropped']:,}"

    t = results.get("telemetry")
    if t:
        healthy = next((r["ops_s"] for r in t["rows"] if r["mode"] == "healthy" and "ops_s" in r), None)
        out += ["### Telemetry faults (sync client, put/get loop, spans to an OTLP/gRPC collector)", "",
                "| collector | ops (= spans recorded) | ops/s (vs healthy) | longest call gap | RSS growth after warm-up | warnings | resumed | spans received | exported / failed / dropped (tracing_stats) | shutdown |",
                "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
        for r in t["rows"]:
            if "ops_s" not in r:
                out.append(f"| {r['mode']} | CRASHED rc={r.get('returncode')} | | | | | | | | |")
                continue
            ratio = f" ({r['ops_s'] / healthy:.2f}x)" if healthy else ""
            resumed = {"flapping": f"yes, {r.get('spans_after_return', 0):,} spans after return" if r["resumed"] else "NO"}.get(r["mode"], "-")
            out.append(f"| {r['mode']} | {r['ops']:,} | {r['ops_s']:,.0f}{ratio} | {r['max_gap_s'] * 1000:.0f} ms | {r['rss_growth_mb']:.1f} MB | "
                       f"{r['warnings']} | {resumed} | {r['spans_received']:,} | {counted(r.get('stats'))} | {r['shutdown_s'] * 1000:.0f} ms |")
        out.append("")
    z = results.get("fuzz")
    if z:
        out += ["### Bad input", ""]
        for s in z.get("socket", []):
            out.append(f"- dev server over sockets: {s['frames']:,} malformed frames from 3 threads in {s['seconds']} s, "
                       f"{s['held_open']} half-sent frames held open; server alive: {s['server_alive']}; a client served "
                       f"meanwhile: {s['client_calls_ok']:,} calls ok, {s['client_calls_failed']} failed, worst {s['client_worst_ms']} ms")
        api = z.get("api", {})
        out.append(f"- API fuzz (tests/fuzz, both clients and the helpers, {api.get('examples_per_property', 0):,} examples per property): {api.get('result')}")
        out.append("")
    lk = results.get("leaks")
    if lk:
        out += ["### Long run and leaks (tracing on, spans to a live collector)", ""]
        for r in lk["rows"]:
            if r.get("returncode"):
                out.append(f"- {r['part']}: FAILED rc={r['returncode']}: {r.get('stderr', '')[-300:]}")
            elif r["part"] == "long":
                for kind in ("sync", "async"):
                    k = r[kind]
                    out.append(f"- {kind}: {k['ops']:,} mixed ops in {k['seconds']} s, {k['samples']} samples; RSS {k['rss_mb']} MB, "
                               f"slope {k['rss_kb_per_s']} KB/s ({k['rss_kb_per_1M_ops']} KB per 1M ops); fds other than sockets {k['fds_range']} "
                               f"(slope {k['fds_per_s']}/s), sockets beyond the pool {k.get('sockets_over_pool', 0):+}; "
                               f"threads {k['threads_range']} (slope {k['threads_per_s']}/s); "
                               f"asyncio tasks at most {k['tasks_max']}")
                out.append(f"  spans received by the collector: {r.get('spans_received', 0):,}")
            elif r["part"] == "churn":
                for kind in ("sync", "async"):
                    k = r[kind]
                    out.append(f"- {k['clients']:,} {kind} clients created, used, closed in {k['seconds']} s: RSS "
                               f"{k['rss_kb_delta']:+,} KB, fds {k['fds_delta']:+}, threads {k['threads_delta']:+}")
            elif r["part"] == "fork":
                out.append(f"- {r['children']} forked children, a fresh client each while the parent's is busy: "
                           f"{r['failed']} failed, {r['hung']} hung ({r['seconds']} s)")
            elif r["part"] == "cancel":
                out.append(f"- {r['ops']:,} async operations, {r['cancelled']:,} cancelled in flight: {r['tasks_left']} tasks "
                           f"left, RSS {r['rss_kb_delta']:+,} KB (at each quarter: "
                           f"{', '.join(f'{q:+,}' for q in r.get('rss_kb_quarters', []))} KB), fds other than sockets {r['fds_delta']:+}, sockets beyond the pool "
                           f"{r.get('sockets_over_pool', 0):+}, threads {r['threads_delta']:+} ({r['seconds']} s)")
        out.append("")
    lp = results.get("loops")
    if lp:
        out += ["### Event loops", "", f"- tests/reliability/test_event_loops.py (asyncio and uvloop): {lp['event_loops']}"]
        if "async_client_suite_on_uvloop" in lp:
            out.append(f"- tests/client -k async on uvloop: {lp['async_client_suite_on_uvloop']}")
        out.append("")
    rl = results.get("real")
    if rl and "rows" in rl:
        out += ["### Real 3-node cluster (Aerospike CE 8.1, RF 2): node killed with kill -9, restarted", "",
                "| client | ops | acked writes | lost | past deadline (worst overrun) | errors by class |", "| --- | ---: | ---: | ---: | ---: | --- |"]
        for r in rl["rows"]:
            for k in r.get("kinds", []):
                out.append(f"| {k['kind']} | {k['ops']:,} | {k['acked_writes']:,} | {r['lost']} | {k['past_deadline']} "
                           f"({k['worst_overrun_ms']} ms) | {errors_text(k['errors'])} |")
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--parts", default=",".join(PARTS))
    ap.add_argument("--out", default=str(ROOT / "docs" / "reliability"))
    args = ap.parse_args(argv)
    started = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                           "started_utc": started, "short": args.short}}
    for part in args.parts.split(","):
        t0 = time.monotonic()
        print(f"== {part} ...", file=sys.stderr, flush=True)
        results[part] = PARTS[part](args.short)
        results[part]["seconds"] = round(time.monotonic() - t0, 1)
        print(f"== {part} done in {results[part]['seconds']} s", file=sys.stderr, flush=True)
    text = table(results)
    print(text)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    path = Path(args.out) / f"reliability-{started}.json"
    path.write_text(json.dumps(results, indent=1))
    (Path(args.out) / "latest.md").write_text(f"`make reliability`, {started} UTC, {results['machine']}\n\n{text}\n")
    print(f"\nraw results: {path}", file=sys.stderr)
    failed = [p for p in args.parts.split(",") if results[p].get("returncode")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
