"""Turns per-round measurements into the table, the target checks and the chart."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

OFFICIAL = "official"
FLOOR_SEQ = "rust-seq"
FLOOR_CONC = "rust-async"


@dataclass
class Row:
    contender: str
    workload: str
    size: int
    concurrent: bool
    rounds: int
    ops_s: float  # median over rounds
    spread_pct: float  # (max - min) / median of the rounds' ops/s
    p50_us: float  # median over rounds
    p99_us: float
    cpu_us_op: float | None  # median over rounds of worker CPU time / operations
    errors: int
    first_error: str | None
    x_official: float | None = None
    x_floor: float | None = None


def aggregate(samples: list[dict], concurrent: dict[str, bool]) -> list[Row]:
    """samples: one dict per (round, contender, workload, size) as returned by a worker's run."""
    cells: dict[tuple, list[dict]] = {}
    for s in samples:
        cells.setdefault((s["contender"], s["workload"], s["size"]), []).append(s)
    rows = []
    for (name, workload, size), runs in cells.items():
        rates = [r["ops"] / r["elapsed"] for r in runs if r["elapsed"] > 0]
        med = statistics.median(rates) if rates else 0.0
        cpus = [r["cpu"] / r["ops"] * 1e6 for r in runs if r["ops"] and r["cpu"] > 0]
        rows.append(Row(
            contender=name, workload=workload, size=size, concurrent=concurrent.get(name, False),
            rounds=len(runs), ops_s=med,
            spread_pct=(max(rates) - min(rates)) / med * 100 if med else 0.0,
            p50_us=statistics.median(r["p50_us"] for r in runs),
            p99_us=statistics.median(r["p99_us"] for r in runs),
            cpu_us_op=statistics.median(cpus) if cpus else None,
            errors=sum(r["errors"] for r in runs),
            first_error=next((r["first_error"] for r in runs if r.get("first_error")), None),
        ))
    by_cell = {(r.contender, r.workload, r.size): r for r in rows}
    for r in rows:
        off = by_cell.get((OFFICIAL, r.workload, r.size))
        floor = by_cell.get((FLOOR_CONC if r.concurrent else FLOOR_SEQ, r.workload, r.size))
        r.x_official = r.ops_s / off.ops_s if off and off.ops_s else None
        r.x_floor = r.ops_s / floor.ops_s if floor and floor.ops_s else None
    return rows


def _fmt(v, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def format_table(rows: list[Row], order: list[str], workloads: list[str]) -> str:
    head = ("workload", "size", "contender", "ops/s", "spread", "p50 us", "p99 us", "CPU us/op",
            "x official", "x floor", "errors")
    lines = []
    rank = {name: i for i, name in enumerate(order)}
    wrank = {w: i for i, w in enumerate(workloads)}
    for r in sorted(rows, key=lambda r: (wrank.get(r.workload, 99), r.size, rank.get(r.contender, 99))):
        lines.append((r.workload, _size(r.size), r.contender, f"{r.ops_s:,.0f}", f"±{r.spread_pct:.0f}%",
                      f"{r.p50_us:,.1f}", f"{r.p99_us:,.1f}", _fmt(r.cpu_us_op, ",.1f"),
                      _fmt(r.x_official, ".2f"), _fmt(r.x_floor, ".2f"), str(r.errors) if r.errors else ""))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    out = ["  ".join(h.ljust(w) if i < 3 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths)))]
    out.append("  ".join("-" * w for w in widths))
    prev = None
    for line in lines:
        if prev is not None and line[:2] != prev:
            out.append("")
        prev = line[:2]
        out.append("  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))))
    return "\n".join(out)


def _size(n: int) -> str:
    return f"{n // 1024}KiB" if n >= 1024 and n % 1024 == 0 else f"{n}B"


def target_checks(rows: list[Row]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for the project's performance targets, from this run only."""
    cell = {(r.contender, r.workload, r.size): r for r in rows}
    sizes = sorted({r.size for r in rows})
    out = []

    def check(text, measured, ok):
        out.append((text, measured, "n/a" if ok is None else ("PASS" if ok else "FAIL")))

    for size in sizes:
        s = _size(size)
        for w in ("get", "put"):
            ours, floor, off = (cell.get((c, w, size)) for c in ("ours-sync", FLOOR_SEQ, OFFICIAL))
            if ours and floor:
                q = ours.p50_us / floor.p50_us
                check(f"sync {w} {s}: p50 <= 1.15x rust-seq", f"{q:.2f}x", q <= 1.15)
            if ours and off:
                q = ours.p50_us / off.p50_us
                check(f"sync {w} {s}: p50 below official", f"{q:.2f}x", q < 1.0)
            ours_a, floor_a = cell.get(("ours-async", w, size)), cell.get((FLOOR_CONC, w, size))
            if ours_a and off:
                q = ours_a.ops_s / off.ops_s
                check(f"async {w} {s}: ops/s >= 2.5x official sync", f"{q:.2f}x", q >= 2.5)
            if ours_a and floor_a:
                q = ours_a.ops_s / floor_a.ops_s
                check(f"async {w} {s}: ops/s >= 75% of rust-async", f"{q:.0%}", q >= 0.75)
                if ours_a.cpu_us_op and floor_a.cpu_us_op:
                    q = ours_a.cpu_us_op / floor_a.cpu_us_op
                    check(f"async {w} {s}: CPU/op <= 1.5x rust-async", f"{q:.2f}x", q <= 1.5)
        for w, factor in (("batch_read", 1.5), ("batch_dict", 1.5), ("query", 1.5)):
            ours, off = cell.get(("ours-sync", w, size)), cell.get((OFFICIAL, w, size))
            if ours and off:
                q = ours.ops_s / off.ops_s
                check(f"{w} {s}: ops/s >= {factor}x official", f"{q:.2f}x", q >= factor)
            floor = cell.get((FLOOR_SEQ, w, size))
            if ours and floor and w != "query":
                q = ours.ops_s / floor.ops_s
                check(f"{w} {s}: ops/s >= 80% of rust-seq", f"{q:.0%}", q >= 0.8)
        # aerospike-native (Aerospike's PyO3 client): ours ahead in every cell, sync against its
        # blocking calls, async against it with and without uvloop.
        for w in sorted({r.workload for r in rows if r.size == size}):
            for ours_name, theirs in (("ours-sync", ("native-sync",)),
                                      ("ours-async", ("native-async", "native-async[no-uvloop]"))):
                ours = cell.get((ours_name, w, size))
                for t in theirs:
                    other = cell.get((t, w, size))
                    if ours and other:
                        q = ours.ops_s / other.ops_s
                        check(f"{w} {s}: {ours_name} ahead of {t}", f"{q:.2f}x", q > 1.0)
        for w in ("get", "put"):
            traced = cell.get(("ours-sync[otlp+parent]", w, size))
            # Same Python parent span on both sides: the difference is our client's tracing alone.
            base = cell.get(("ours-sync[parent-only]", w, size))
            if base and traced:
                q = traced.ops_s / base.ops_s
                check(f"tracing {w} {s}: full export within 5% of off (both under a parent span)",
                      f"{q:.0%} of off", q >= 0.95)
            plain = cell.get(("ours-sync", w, size))
            if plain and traced:
                q = traced.ops_s / plain.ops_s
                check(f"tracing {w} {s}: full export + parent span within 5% of plain ours-sync",
                      f"{q:.0%} of plain", q >= 0.95)
    return out


def thread_scaling(rows: list[Row]) -> list[str]:
    """One line per cell where an N-threads contender ran: its ops/s over the same client with one
    thread (does sharing one client across threads scale?), and ours over official at N threads."""
    cell = {(r.contender, r.workload, r.size): r for r in rows}
    out = []
    for (name, w, size), r in sorted(cell.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        base = name.split("[", 1)[0]
        if not name.endswith(" threads]") or base == name:
            continue
        one = cell.get((base, w, size))
        text = f"{w} {_size(size)}: {name} {r.ops_s:,.0f} ops/s"
        text += f" = {r.ops_s / one.ops_s:.2f}x {base} (1 thread)" if one and one.ops_s else ""
        other = cell.get((OFFICIAL + name[len(base):], w, size)) if base != OFFICIAL else None
        if other and other.ops_s:
            text += f", {r.ops_s / other.ops_s:.2f}x {other.contender}"
        out.append(text)
    return out


def no_otel_api_lines(rows: list[Row]) -> list[str]:
    """One line per `<package>[no-otel-api]` row: ops/s, p50 and CPU/op, each with its ratio to the
    same package untraced in the same cell (`ours-sync[no-otel-api]` over `ours-sync`)."""
    cell = {(r.contender, r.workload, r.size): r for r in rows}
    out = []
    for (name, w, size), r in sorted(cell.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        if not name.endswith("[no-otel-api]"):
            continue
        base_name = name.split("[", 1)[0]
        base = cell.get((base_name, w, size))

        def ratio(attr):
            mine, theirs = getattr(r, attr), getattr(base, attr) if base else None
            return f" ({mine / theirs:.2f}x)" if mine and theirs else ""
        cpu = "-" if r.cpu_us_op is None else f"{r.cpu_us_op:,.1f}"
        out.append(f"{w} {_size(size)}: {name}: {r.ops_s:,.0f} ops/s{ratio('ops_s')}, p50 {r.p50_us:,.1f} us"
                   f"{ratio('p50_us')}, CPU {cpu} us/op{ratio('cpu_us_op')}"
                   + ("" if base else f"; {base_name} did not run, no ratio"))
    return out


def format_targets(checks) -> str:
    if not checks:
        return "(no target applies to the contenders and workloads of this run)"
    w = max(len(t) for t, _, _ in checks)
    return "\n".join(f"{verdict:4}  {text.ljust(w)}  {measured}" for text, measured, verdict in checks)


def draw_chart(rows: list[Row], order: list[str], workloads: list[str], path, title: str) -> None:
    """Grouped bars: ops/s (log scale) and p50 latency per workload, one column per record size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted({r.size for r in rows})
    names = [n for n in order if any(r.contender == n for r in rows)]
    cell = {(r.contender, r.workload, r.size): r for r in rows}
    fig, axes = plt.subplots(2, len(sizes), figsize=(7 * len(sizes), 9), squeeze=False)
    width = 0.8 / max(1, len(names))
    palette = plt.get_cmap("tab20").colors  # distinct colours for up to 20 contenders
    for col, size in enumerate(sizes):
        ws = [w for w in workloads if any((n, w, size) in cell for n in names)]
        for k, name in enumerate(names):
            xs = [i + k * width for i in range(len(ws))]
            for row, attr, label in ((0, "ops_s", "ops/s (log)"), (1, "p50_us", "p50 latency, us (log)")):
                vals = [getattr(cell[(name, w, size)], attr) if (name, w, size) in cell else 0 for w in ws]
                ax = axes[row][col]
                ax.bar(xs, vals, width, label=name, color=palette[k % len(palette)])
                ax.set_yscale("log")
                ax.set_ylabel(label)
                ax.set_xticks([i + 0.4 - width / 2 for i in range(len(ws))], ws, rotation=20)
                ax.set_title(f"{_size(size)} records")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(names), 5), fontsize="small")
    fig.suptitle(title, fontsize="small")
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    fig.savefig(path, dpi=110)
    plt.close(fig)
