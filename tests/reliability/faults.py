"""Part 1: the fault campaign. A 3-node dev-server cluster (replication factor 2), both clients under
the mixed load of load.py, one fault scenario at a time (dev server node control and fault
injection, devserver/README.md). Per scenario: operations, acknowledged writes, writes lost, writes
reported not-in-doubt that did land, calls past their total timeout, errors by class, recovery time.

    python tests/reliability/faults.py [--short] [--scenario NAME ...] [--hosts h:p,h:p,h:p]

Prints one JSON object per scenario (the campaign's table is built from them). With --hosts it runs
the node-kill scenario against a real cluster (kill -9 of a node's process is done by the caller's
`kill_node` callback; see campaign.py)."""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aerospike_py  # noqa: E402
from load import SOCKET_MS, Load  # noqa: E402
from servers import DevServer, info  # noqa: E402


class Control:
    """Dev server control commands, sent to the first node that answers (a stopped node refuses; a
    hung one still answers control commands)."""

    def __init__(self, hosts):
        self.hosts = hosts
        self.ids = [info(*h, "node")["node"] for h in hosts]

    def __call__(self, command: str) -> str:
        last = None
        for h in self.hosts:
            try:
                answer = info(*h, command, timeout=2.0)[command]
            except OSError as e:
                last = e
                continue
            assert answer.startswith("ok") or not answer.startswith("ERROR"), f"{command}: {answer}"
            return answer
        raise RuntimeError(f"no node answered {command}: {last}")

    def node(self, verb: str, i: int) -> None:
        self(f"devserver-node-{verb}:id={self.ids[i]}")


# Each scenario: (description, fn(ctl, phase_s)) -> runs the fault; returns when it has ended.
def node_restart(ctl, phase):
    ctl.node("stop", 1)
    time.sleep(2 * phase)
    ctl.node("start", 1)


def each_node_in_turn(ctl, phase):
    for i in range(3):
        ctl.node("stop", i)
        time.sleep(phase)
        ctl.node("start", i)
        time.sleep(phase)


def node_kill(ctl, phase):
    # A crash the survivors notice after their heartbeat timeout (1.5 s): refusing, then gone.
    ctl.node("refuse", 2)
    time.sleep(1.5)
    ctl.node("stop", 2)
    time.sleep(phase)
    ctl.node("start", 2)


def random_drops(ctl, phase):
    ctl("devserver-fault-drop:pct=2")
    time.sleep(2 * phase)
    ctl("devserver-fault-clear")


def delays_past_socket_timeout(ctl, phase):
    ctl(f"devserver-fault-delay:ms={2 * SOCKET_MS};pct=3")
    time.sleep(2 * phase)
    ctl("devserver-fault-clear")


def server_errors(ctl, phase):
    # TIMEOUT (9), DEVICE_OVERLOAD (18), KEY_BUSY (14): answered without executing.
    for code in (9, 18, 14):
        ctl(f"devserver-fault-error:code={code};pct=2")
    time.sleep(2 * phase)
    ctl("devserver-fault-clear")


def hung_node(ctl, phase):
    # Accepts, reads, answers nothing (info included) and closes nothing; then answers again.
    ctl.node("hang", 1)
    time.sleep(2 * phase)
    ctl.node("start", 1)


SCENARIOS = {
    "node_restart": ("node 1 stopped, restarted", node_restart),
    "each_node_in_turn": ("nodes 0, 1, 2 stopped and restarted in turn", each_node_in_turn),
    "node_kill": ("node 2 refuses (heartbeat window), leaves the map, restarts", node_kill),
    "random_drops": ("2% of requests: connection closed", random_drops),
    "delays": (f"3% of requests delayed {2 * SOCKET_MS} ms (> socket timeout)", delays_past_socket_timeout),
    "server_errors": ("2% each: TIMEOUT, DEVICE_OVERLOAD, KEY_BUSY", server_errors),
    "hung_node": ("node 1 answers nothing, sockets open", hung_node),
}
SHORT = ["node_restart", "random_drops", "server_errors", "hung_node"]


def run(name: str, hosts, ctl, phase: float, threads: int, tasks: int) -> dict:
    desc, fault = SCENARIOS[name]
    load = Load(hosts, "rel_" + uuid.uuid4().hex[:8], threads=threads, tasks=tasks).start()
    warm = max(2.0, 2 * phase)
    time.sleep(warm)
    fault_start = load.now()
    try:
        fault(ctl, phase)
    finally:
        fault_end = load.now()
        time.sleep(max(4.0, 3 * phase))
        load.stop()
        ctl("devserver-fault-clear")
        for i in range(len(hosts)):
            try:
                ctl.node("start", i)
            except AssertionError:
                pass   # already up
    until = load.now()
    with aerospike_py.client({"hosts": hosts}).connect() as c:
        check = load.ledger.verify(c)
    out = {"scenario": name, "fault": desc, "fault_s": round(fault_end - fault_start, 1), "lost": check["lost"],
           "wrong_in_doubt": check["wrong_in_doubt"], "keys_checked": check["checked"],
           "examples": check["examples"], "crashes": load.crashes[:5], "kinds": []}
    for kind, st in load.stats.items():
        s = st.summary()
        s["baseline_ops_s"] = round(st.rate(1.0, fault_start), 0)
        s["during_ops_s"] = round(st.rate(fault_start, fault_end), 0)
        s["recovery_s"] = st.recovery((1.0, fault_start), fault_end, until)
        out["kinds"].append(s)
    return out


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--scenario", action="append")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--tasks", type=int, default=256)
    args = ap.parse_args(argv)
    names = args.scenario or (SHORT if args.short else list(SCENARIOS))
    phase = 0.75 if args.short else 2.0
    with DevServer(nodes=3) as server:
        hosts = server.hosts
        ctl = Control(hosts)
        with aerospike_py.client({"hosts": hosts[:1]}).connect() as c:   # wait until the map is whole
            deadline = time.monotonic() + 10
            while len(c.info_all("node")) < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
        for name in names:
            print(json.dumps(run(name, hosts, ctl, phase, args.threads, args.tasks)), flush=True)
            if server.proc.poll() is not None:
                print(json.dumps({"scenario": name, "server_died": server.proc.returncode}), flush=True)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
