"""Sustained mixed load from both clients at once (threads sharing one sync Client, 256 tasks sharing
one AsyncClient), recording what the reliability campaign checks for every call:

- each worker writes only its own keys, one write at a time, with an increasing sequence number, so
  the value a key holds at the end tells which of its writes landed (`Ledger.verify`);
- every call is timed against its total timeout (calls past the deadline);
- errors are counted by class, successes in 100 ms buckets (throughput and its recovery).
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import aerospike_py
from aerospike_py import exception as ex
from aerospike_py import operations as ops

TOTAL_MS = 1000
SOCKET_MS = 300
# Reads go to the replica on a retry (SEQUENCE); every call has the same 1 s total budget.
POLICY = {"total_timeout": TOTAL_MS, "socket_timeout": SOCKET_MS, "max_retries": 2, "sleep_between_retries": 0,
          "replica": aerospike_py.POLICY_REPLICA_SEQUENCE}
QUERY_POLICY = {"total_timeout": TOTAL_MS, "socket_timeout": SOCKET_MS, "max_retries": 2, "max_records": 50}
# A call counts as past its deadline when it outlives the total timeout by more than this (scheduling
# noise of a loaded 2-core machine; the figure reported is the worst overrun itself).
MARGIN_S = 0.25
KEYS_PER_WORKER = 8


@dataclass
class KeyState:
    acked: int = -1                 # seq of the last acknowledged write (-1: none)
    pending: list = field(default_factory=list)   # [(seq, in_doubt)] of failed writes after it


class Ledger:
    """What was written to each key and how each write was reported."""

    def __init__(self):
        self.keys: dict[tuple, KeyState] = {}

    def state(self, key) -> KeyState:
        s = self.keys.get(key)
        if s is None:
            s = self.keys[key] = KeyState()
        return s

    def verify(self, client) -> dict:
        """Reads every key back; returns {lost, wrong_in_doubt, checked}.

        lost: the key holds an older value than its last acknowledged write (or none at all);
        wrong_in_doubt: it holds the value of a write that failed with in_doubt False (reported as
        not applied, yet applied)."""
        lost = wrong = 0
        examples = []
        read = {"total_timeout": 10_000, "socket_timeout": 2000, "max_retries": 10, "sleep_between_retries": 100}
        for key, s in self.keys.items():
            try:
                v = client.get(key, policy=read)[2].get("v")
            except ex.RecordNotFound:
                v = None
            if s.acked >= 0 and (v is None or v < s.acked):
                lost += 1
                examples.append(("lost", key, s.acked, v))
            elif v is not None and v != s.acked:
                doubt = dict(s.pending)
                if doubt.get(v) is False:
                    wrong += 1
                    examples.append(("wrong_in_doubt", key, v))
                elif v not in doubt:
                    lost += 1   # a value never written after the last ack: an older write came back
                    examples.append(("stale", key, s.acked, v))
        return {"checked": len(self.keys), "lost": lost, "wrong_in_doubt": wrong, "examples": examples[:5]}


class Stats:
    def __init__(self, kind: str, t0: float):
        self.kind, self.t0 = kind, t0
        self.ops = self.acked = self.failed_writes = self.past_deadline = 0
        self.worst_overrun = 0.0
        self.errors: Counter = Counter()
        self.samples: dict[str, str] = {}   # error class -> first message seen
        self.buckets: Counter = Counter()   # 100 ms bucket -> successful calls
        self.lock = threading.Lock()

    def call(self, started: float, ended: float, budget_s: float, error: BaseException | None) -> None:
        with self.lock:
            self.ops += 1
            over = ended - started - budget_s
            self.worst_overrun = max(self.worst_overrun, over)
            if over > MARGIN_S:
                self.past_deadline += 1
            if error is None:
                self.buckets[int((ended - self.t0) * 10)] += 1
            else:
                name = type(error).__name__
                self.errors[name] += 1
                self.samples.setdefault(name, str(error)[:160])

    def summary(self) -> dict:
        return {"kind": self.kind, "ops": self.ops, "acked_writes": self.acked, "failed_writes": self.failed_writes,
                "past_deadline": self.past_deadline, "worst_overrun_ms": round(self.worst_overrun * 1000, 1),
                "errors": dict(self.errors.most_common()), "error_samples": self.samples}

    def rate(self, a: float, b: float) -> float:
        """Successful calls per second between a and b (seconds since t0)."""
        n = sum(self.buckets.get(i, 0) for i in range(int(a * 10), int(b * 10)))
        return n / max(b - a, 1e-9)

    def recovery(self, baseline: tuple[float, float], fault_end: float, until: float, share: float = 0.7) -> float | None:
        """Seconds after fault_end until a 0.5 s window runs at `share` of the baseline window's rate."""
        base = self.rate(*baseline)
        t = fault_end
        while t + 0.5 <= until:
            if self.rate(t, t + 0.5) >= share * base:
                return round(t - fault_end, 2)
            t += 0.1
        return None


class Load:
    """Runs the mixed load until stop(); `threads` sync workers and `tasks` async tasks."""

    def __init__(self, hosts, set_name: str, threads: int = 4, tasks: int = 256, sync: bool = True,
                 use_async: bool = True, config: dict | None = None):
        self.hosts, self.set = hosts, set_name
        self.config = {"hosts": hosts, **(config or {})}
        self.t0 = time.monotonic()
        self.stop_event = threading.Event()
        self.ledger = Ledger()
        self.stats = {}
        self._threads: list[threading.Thread] = []
        self.crashes: list[str] = []
        if sync:
            self.stats["sync"] = Stats("sync", self.t0)
            self.client = aerospike_py.client(self.config).connect()
            for i in range(threads):
                self._threads.append(threading.Thread(target=self._sync_worker, args=(i,), daemon=True))
        if use_async:
            self.stats["async"] = Stats("async", self.t0)
            self._threads.append(threading.Thread(target=self._async_main, args=(tasks,), daemon=True))

    def now(self) -> float:
        return time.monotonic() - self.t0

    def start(self) -> "Load":
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        for t in self._threads:
            t.join(timeout=30)
            if t.is_alive():
                self.crashes.append(f"worker {t.name} did not stop within 30 s")

    # -- one step of the mix, shared by both kinds (do() performs a call, awaited or not)
    def _plan(self, rng: random.Random, keys: list, seq: int):
        key = rng.choice(keys)
        r = rng.random()
        if r < 0.35:
            return "put", key, ("put", key, {"v": seq}), True
        if r < 0.50:
            return "operate", key, ("operate", key, [ops.write("v", seq), ops.read("v")]), True
        if r < 0.82:
            return "get", key, ("get", key), False
        if r < 0.97:
            return "batch", key, ("batch_read", keys), False
        return "query", key, None, False

    def _record(self, stats: Stats, key, seq: int, is_write: bool, started: float, error) -> None:
        ended = time.monotonic()
        stats.call(started, ended, TOTAL_MS / 1000, error)
        if not is_write:
            return
        s = self.ledger.state(key)
        if error is None:
            with stats.lock:
                stats.acked += 1
            s.acked, s.pending = seq, []
        else:
            with stats.lock:
                stats.failed_writes += 1
            s.pending.append((seq, bool(getattr(error, "in_doubt", True))))

    def _sync_worker(self, i: int) -> None:
        rng = random.Random(i)
        keys = [("test", self.set, f"s{i}:{j}") for j in range(KEYS_PER_WORKER)]
        stats, c, seq = self.stats["sync"], self.client, 0
        while not self.stop_event.is_set():
            seq += 1
            _, key, call, is_write = self._plan(rng, keys, seq)
            started, error = time.monotonic(), None
            try:
                if call is None:
                    c.query("test", self.set).results(policy=QUERY_POLICY)
                else:
                    getattr(c, call[0])(*call[1:], policy=POLICY)
            except ex.RecordNotFound:
                pass   # an answer: the key was not written yet
            except ex.AerospikeError as e:
                error = e
            except Exception as e:  # anything else is a bug the campaign reports
                error = e
                self.crashes.append(f"sync: {type(e).__name__}: {e}")
            self._record(stats, key, seq, is_write, started, error)

    def _async_main(self, tasks: int) -> None:
        asyncio.run(self._async_run(tasks))

    async def _async_run(self, tasks: int) -> None:
        async with aerospike_py.AsyncClient(self.config) as ac:
            await asyncio.gather(*(self._async_worker(ac, i) for i in range(tasks)))

    async def _async_worker(self, ac, i: int) -> None:
        rng = random.Random(10_000 + i)
        keys = [("test", self.set, f"a{i}:{j}") for j in range(KEYS_PER_WORKER // 2)]
        stats, seq = self.stats["async"], 0
        while not self.stop_event.is_set():
            seq += 1
            _, key, call, is_write = self._plan(rng, keys, seq)
            if call is None and rng.random() < 0.9:
                continue   # queries from 256 tasks would be most of the async load
            started, error = time.monotonic(), None
            try:
                if call is None:
                    await ac.query("test", self.set).results(policy=QUERY_POLICY)
                else:
                    await getattr(ac, call[0])(*call[1:], policy=POLICY)
            except ex.RecordNotFound:
                pass
            except ex.AerospikeError as e:
                error = e
            except Exception as e:
                error = e
                self.crashes.append(f"async: {type(e).__name__}: {e}")
            self._record(stats, key, seq, is_write, started, error)
