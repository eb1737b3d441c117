"""Run the official aerospike client's own tests against aerospike_py (`make compat-official`).

    python compat/official/run.py --tests /path/to/aerospike-client-python/test/new_tests [FILE ...]

The tests run from the checkout named by --tests (or $OFFICIAL_TESTS), never copied here and never
fetched at run time; `import aerospike` and `aerospike_helpers.*` resolve to aerospike_py
(aliases.py). Server: $AEROSPIKE_HOSTS (host:port) when set, else a dev server started for the run.
Prints passed/selected per file; --markdown also prints the table as Markdown (for the README).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# The revision the selection and the lists were made against (the newest in the mirror of
# aerospike/aerospike-client-python: dev at 19.1.0rc1.dev20; no 19.3.0 tag is published there).
PINNED = "1d7c0193d8d59a3216072f3248cef107c5205e88"


def selected_files() -> list[str]:
    lines = (HERE / "selection.txt").read_text().splitlines()
    return [ln.split("#", 1)[0].strip() for ln in lines if ln.split("#", 1)[0].strip()]


def pytest_run(tests: Path, files: list[str], workdir: Path, env: dict, extra: list[str]) -> dict:
    report = workdir / f"report-{len(list(workdir.iterdir()))}.json"
    cmd = [
        sys.executable, "-m", "pytest", "-p", "plugin", "-p", "no:cacheprovider",
        "--rootdir", str(tests.parent), "-q", "-rN", "--tb=line", "--no-header", "--continue-on-collection-errors",
        *extra, *[str(tests / f) for f in files],
    ]
    env = {**env, "COMPAT_OFFICIAL_REPORT": str(report)}
    proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True)
    if not report.exists():
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit("pytest did not finish")
    data = json.loads(report.read_text())
    data["stdout"] = proc.stdout
    return data


def count_collected(stdout: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in stdout.splitlines():
        m = re.match(r"^\S*?([^/\s]+\.py)::", line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", default=os.environ.get("OFFICIAL_TESTS"), help="the official test/new_tests dir")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--failures", action="store_true", help="list every test that did not pass")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if not args.tests:
        raise SystemExit("give --tests or OFFICIAL_TESTS: the official client's test/new_tests directory")
    tests = Path(args.tests).resolve()
    files = args.files or selected_files()
    whole_files = {e["test"] for e in yaml.safe_load((HERE / "not_run.yaml").read_text()) or [] if "::" not in e["test"]}

    rev = subprocess.run(["git", "-C", str(tests), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    if rev and rev != PINNED:
        print(f"note: {tests} is at {rev[:12]}, the lists were made at {PINNED[:12]}")

    sys.path.insert(0, str(ROOT / "tests"))
    from servers import DevServer, real_cluster_hosts

    hosts = real_cluster_hosts()
    server = None
    if hosts is None:
        server = DevServer(nodes=1).start()
        hosts = server.hosts
    try:
        with tempfile.TemporaryDirectory(prefix="compat-official-") as tmp:
            work = Path(tmp)
            # TestBaseClass reads ./config.conf (the official tests' own config file).
            (work / "config.conf").write_text(
                "[input-validation]\nvalidate_keys: true\n\n[community-edition]\n"
                f"hosts: {';'.join(f'{h}:{p}' for h, p in hosts)}\n\n"
                "[enterprise-edition]\nhosts :\nuser :\npassword :\n"
            )
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
                "PYTHONDONTWRITEBYTECODE": "1",  # write nothing into the official checkout
            }
            # The denominator: what the official client itself collects from these files.
            official = pytest_run(tests, files, work, {**env, "COMPAT_OFFICIAL_NO_ALIAS": "1"}, ["--collect-only"])
            totals = count_collected(official["stdout"])
            # Whole files in not_run.yaml are not even imported (their import may need what they test).
            ours = pytest_run(tests, [f for f in files if f not in whole_files], work, env, [])
    finally:
        if server:
            server.stop()

    rows, sums = [], [0, 0, 0, 0, 0]
    for f in files:
        o = ours["outcomes"].get(f, {})
        total = totals.get(f, 0)
        not_run = o.get("not_run", 0) if f not in ours["collect_errors"] else 0
        if f in whole_files:
            not_run = total
        skipped = o.get("skipped", 0)
        selected = total - not_run - skipped
        passed = o.get("passed", 0)
        note = "import failed: " + ours["collect_errors"][f] if f in ours["collect_errors"] else ""
        rows.append((f, passed, selected, not_run, skipped, note))
        for i, v in enumerate((passed, selected, not_run, skipped, total)):
            sums[i] += v
    width = max(len(f) for f in files)
    print(f"\n{'file':<{width}}  passed/selected  not run  skipped by the test")
    for f, p, s, n, k, note in rows:
        print(f"{f:<{width}}  {p:>6}/{s:<8}  {n:>7}  {k:>7}  {note}")
    rate = 100.0 * sums[0] / sums[1] if sums[1] else 0.0
    print(f"{'total':<{width}}  {sums[0]:>6}/{sums[1]:<8}  {sums[2]:>7}  {sums[3]:>7}  {rate:.1f}% passed")
    print(f"server: {'dev server' if server else ','.join(f'{h}:{p}' for h, p in hosts)}; official tests at {rev[:12]}")
    if args.markdown:
        print("\n| file | passed / selected | not run (not_run.yaml) | skipped by the test itself |")
        print("| --- | --- | --- | --- |")
        for f, p, s, n, k, note in rows:
            print(f"| {f} | {p} / {s} | {n} | {k} |")
        print(f"| **total** | **{sums[0]} / {sums[1]} ({rate:.1f}%)** | {sums[2]} | {sums[3]} |")
    if args.failures:
        print("\nnot passed:")
        for nodeid, msg in ours["failed"]:
            print(f"  {nodeid}: {msg}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
