"""Differential testing: one client, two servers, the same seeded random steps, every outcome compared.

A run draws steps from `random.Random(seed)` alone (never from an answer), so a seed names one exact
sequence. Each step runs on the reference server, then on the candidate, through aerospike-py (or the
official client, `driver="official"`), and the two outcomes (bins with their types and map order,
generation, ttl within TTL_SLACK seconds, exists, exception class and code, per-record batch results,
scan/query record sets, selected info fields) must be equal. The first difference stops the run with a
report naming the seed, the step and the earlier steps on the same records.

Only this run's own sets (and indexes) are written or truncated, so a shared server is safe to use.

Time: a record written with a short ttl expires when the server's clock passes a whole second (record.c
as_record_is_expired), which the two servers reach a few milliseconds apart. While such a record may be
pending, steps only start in the middle of a second, and short-ttl writes in its first half, so both
servers see the same second. The servers are assumed to share this machine's clock (same host or NTP).
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

TTL_SLACK = 2  # seconds: the two servers answer a few ms apart, and the client rounds down
SHORT_TTL = (1, 2, 3)
SINCE_EPOCH_2010_MS = 1_262_304_000_000


# ---------------------------------------------------------------------------------------------- drivers


class Driver:
    """The client under which both servers are driven: its module and operation helpers."""

    def __init__(self, name: str = "ours"):
        self.name = name
        if name == "ours":
            import aerospike_py as client
            from aerospike_py import cdt_ctx, expressions, list_operations, map_operations, operations, predicates
        elif name == "official":
            import aerospike as client
            from aerospike import predicates
            from aerospike_helpers import cdt_ctx, expressions
            from aerospike_helpers.operations import list_operations, map_operations, operations
        else:
            raise ValueError(f"unknown driver {name!r}")
        self.mod, self.ops, self.lo, self.mo = client, operations, list_operations, map_operations
        self.ctx, self.exp, self.pred = cdt_ctx, expressions, predicates

    def connect(self, hosts):
        c = self.mod.client({"hosts": [tuple(h) for h in hosts]})
        return c.connect() or c


# ---------------------------------------------------------------------------------------------- outcomes


def canon(v: Any) -> Any:
    """A value with its type made explicit (True is not 1) and map order kept."""
    if v is None:
        return ("nil",)
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, int):
        return ("int", v)
    if isinstance(v, float):
        return ("float", repr(v))
    if isinstance(v, str):
        return ("str", v)
    if isinstance(v, (bytes, bytearray)):
        return ("bytes", bytes(v))
    if isinstance(v, (list, tuple)):
        return ("list", tuple(canon(x) for x in v))
    if isinstance(v, dict):
        return ("map", tuple((canon(k), canon(x)) for k, x in v.items()))
    return ("other", type(v).__name__, repr(v))


def key_out(k) -> Any:
    if k is None:
        return None
    ns, set_name, pk, digest = (tuple(k) + (None,) * 4)[:4]
    return (ns, set_name, canon(pk), bytes(digest) if digest is not None else None)


def meta_out(meta) -> Any:
    if meta is None:
        return None
    # A deleted record's row (generation 0) has no ttl; the official client reports 0 or 0xFFFFFFFF.
    return {"gen": meta.get("gen"), "ttl": meta.get("ttl") if meta.get("gen") else None}


def record_out(rec) -> Any:
    if rec is None:
        return None
    k, meta, bins = rec
    return {"key": key_out(k), "meta": meta_out(meta), "bins": canon(bins)}


def error_out(e: BaseException) -> Any:
    return ("error", type(e).__name__, getattr(e, "code", None))


def batch_out(res) -> Any:
    return [("row", key_out(r.key), r.result, record_out(r.record)) for r in res.batch_records]


def records_set(recs) -> Any:
    """Scan/query answers as a multiset: sorted by digest (servers stream partitions in any order)."""
    rows = [record_out(r) for r in recs]
    return ("records", sorted(rows, key=lambda r: (r["key"][3] or b"", repr(r["bins"]))))


def differ(a: Any, b: Any, path: str = "") -> str | None:
    """Where two outcomes differ (ttl within TTL_SLACK), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            if k == "ttl" and isinstance(a[k], int) and isinstance(b[k], int):
                never = 0xFFFFFFFF
                if (a[k] == never) != (b[k] == never) or abs(a[k] - b[k]) > TTL_SLACK:
                    return f"{path}.ttl: {a[k]} != {b[k]}"
                continue
            d = differ(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and type(a) is type(b):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = differ(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


# ---------------------------------------------------------------------------------------------- steps


@dataclass
class Step:
    index: int
    kind: str
    args: dict
    keys: tuple = ()  # the record keys it touches (for the report)
    short_ttl: bool = False  # may set a void time a few seconds away (a short ttl, a read touch)
    read_touch: bool = False

    def describe(self, limit: int = 160) -> str:
        args = ", ".join(f"{k}={_short(v, limit)}" for k, v in self.args.items())
        return f"#{self.index} {self.kind}({args})"


def _short(v: Any, limit: int = 160) -> str:
    text = repr(v)
    return text if len(text) <= limit else text[: limit - 20] + f"...<{len(text)} chars>"


class Generator:
    """Random steps over a small key space, so that steps meet the same records often."""

    def __init__(self, rng: random.Random, drv: Driver, ns: str, sets: tuple[str, str], index_prefix: str,
                 single_nodes: bool = True):
        self.r, self.d, self.ns, self.sets, self.index_prefix = rng, drv, ns, sets, index_prefix
        # Without respond_all_keys a batch stops at a node's first failing row: which rows then answer
        # depends on how keys spread over nodes, so only single-node pairs use it.
        self.single_nodes = single_nodes
        self.keys = [(ns, sets[0], i) for i in range(6)] + [(ns, sets[0], f"k{i}") for i in range(3)]
        self.keys += [(ns, sets[1], i) for i in range(3)]
        self.bins = ["a", "b", "i", "s", "l", "m"]
        self.indexes: list[tuple[str, str, str, str]] = []  # (name, bin, "int" | "str", set)
        self.n_index = 0
        self.kinds: list[tuple[str, float]] = [
            ("put", 14), ("get", 7), ("select", 3), ("exists", 3), ("remove", 3), ("touch", 2), ("append", 2),
            ("prepend", 1), ("increment", 3), ("operate", 22), ("batch_read", 4), ("batch_operate", 4),
            ("batch_remove", 1), ("query", 4), ("index_create", 0.4), ("index_remove", 0.2), ("truncate", 0.4),
            ("info", 1.5), ("sleep", 0.3), ("big_record", 0.3),
        ]

    # -- values

    def scalar(self) -> Any:
        r = self.r
        pick = r.random()
        if pick < 0.35:
            return r.choice([0, 1, 2, 3, 5, 7, -1, -5, 10, 100, 2**40, -(2**40), 2**63 - 1, -(2**63)])
        if pick < 0.45:
            return r.choice([0.5, -1.25, 3.0, 2.5, 1e300, -0.0])
        if pick < 0.75:
            return "".join(r.choice("abcxyz") for _ in range(r.randint(0, 4)))
        if pick < 0.85:
            return bytes(r.choice(b"\x00\x01ab") for _ in range(r.randint(0, 3)))
        if pick < 0.92:
            return r.choice([True, False])
        return None

    def value(self, depth: int = 0) -> Any:
        r = self.r
        pick = r.random()
        if depth < 2 and pick < 0.15:
            return [self.value(depth + 1) for _ in range(r.randint(0, 5))]
        if depth < 2 and pick < 0.25:
            return {self.map_key(): self.value(depth + 1) for _ in range(r.randint(0, 4))}
        v = self.scalar()
        return 0 if v is None and depth == 0 else v

    def map_key(self) -> Any:
        r = self.r
        return r.choice(["a", "b", "c", "x", "z", 1, 2, 3, -1, b"k"])

    def bin_value(self, name: str) -> Any:
        """Values mostly of the bin's usual type, so list/map ops and indexes find their types."""
        r = self.r
        if r.random() < 0.75:
            if name == "i":
                return r.randint(-3, 12)
            if name == "s":
                return r.choice(["", "a", "b", "ab", "xyz"])
            if name == "l":
                return [self.scalar() if r.random() < 0.8 else self.value(1) for _ in range(r.randint(0, 6))]
            if name == "m":
                return {self.map_key(): self.scalar() for _ in range(r.randint(0, 5))}
        return self.value()

    def bins_dict(self) -> dict:
        r = self.r
        names = r.sample(self.bins, r.randint(1, 4))
        out = {n: self.bin_value(n) for n in names}
        if r.random() < 0.08:
            out[r.choice(self.bins)] = None  # deletes the bin
        if r.random() < 0.01:
            out["x" * 16] = 1  # bin name too long
        return out

    # -- policies

    def ttl(self) -> tuple[int | None, bool]:
        r = self.r
        pick = r.random()
        if pick < 0.45:
            return None, False
        if pick < 0.55:
            return r.choice(SHORT_TTL), True
        return r.choice([-1, -2, 0, 1000, 5000, 86400]), False

    def filter_exp(self):
        e, r = self.d.exp, self.r

        def leaf():
            pick = r.randint(0, 9)
            if pick == 0:
                return e.GT(e.IntBin("i"), r.randint(-2, 10))
            if pick == 1:
                return e.Eq(e.StrBin("s"), r.choice(["a", "b", ""]))
            if pick == 2:
                return e.BinExists(r.choice(self.bins))
            if pick == 3:
                return e.Eq(e.BinType(r.choice(self.bins)), r.choice([0, 1, 3, 20, 19]))
            if pick == 4:
                return e.KeyExists()
            if pick == 5:
                return e.Eq(e.DigestMod(3), r.randint(0, 2))
            if pick == 6:
                return e.GT(e.RecordSize(), r.choice([16, 48, 64, 80, 96, 128, 200, 1000]))
            if pick == 7:
                return e.LT(e.TTL(), 100)  # far from every ttl the steps write (1..3, >= 1000, never)
            if pick == 8:
                return e.Eq(e.SetName(), r.choice(self.sets))
            return e.LE(e.IntBin("a"), r.randint(-1, 5))

        node = leaf()
        if r.random() < 0.3:
            node = r.choice([e.And, e.Or])(node, leaf())
        if r.random() < 0.15:
            node = e.Not(node)
        return node.compile()

    def read_policy(self) -> tuple[dict | None, bool]:
        r = self.r
        policy = {}
        if r.random() < 0.15:
            policy["expressions"] = self.filter_exp()
        touch = False
        if r.random() < 0.05:
            policy["read_touch_ttl_percent"] = r.choice([-1, 0, 1, 50, 80, 100, 101])
            touch = True
        return policy or None, touch

    def write_policy(self) -> dict | None:
        r, m = self.r, self.d.mod
        policy = {}
        if r.random() < 0.25:
            policy["exists"] = r.choice([m.POLICY_EXISTS_IGNORE, m.POLICY_EXISTS_CREATE, m.POLICY_EXISTS_UPDATE,
                                         m.POLICY_EXISTS_REPLACE, m.POLICY_EXISTS_CREATE_OR_REPLACE])
        if r.random() < 0.1:
            policy["gen"] = r.choice([m.POLICY_GEN_EQ, m.POLICY_GEN_GT])
        if r.random() < 0.3:
            policy["key"] = m.POLICY_KEY_SEND
        if r.random() < 0.1:
            policy["expressions"] = self.filter_exp()
        if r.random() < 0.01:
            policy["durable_delete"] = True
        return policy or None

    def meta(self) -> tuple[dict | None, bool]:
        ttl, short = self.ttl()
        meta = {}
        if ttl is not None:
            meta["ttl"] = ttl
        if self.r.random() < 0.12:
            meta["gen"] = self.r.randint(0, 4)
        return meta or None, short

    # -- operations

    def basic_op(self) -> tuple[dict, bool]:
        o, r = self.d.ops, self.r
        b = r.choice(self.bins)
        pick = r.randint(0, 9)
        if pick <= 2:
            return o.read(b), False
        if pick <= 4:
            return o.write(b, self.bin_value(b)), False
        if pick == 5:
            return o.increment(r.choice(["i", "a", "s"]), r.choice([1, -2, 5, 0.5])), False
        if pick == 6:
            return r.choice([o.append, o.prepend])(r.choice(["s", "b", "i"]), r.choice(["x", "yz", b"q"])), False
        if pick == 7:
            ttl, short = self.ttl()
            return (o.touch(ttl) if ttl is not None and ttl > 0 else o.touch()), short
        if pick == 8 and r.random() < 0.3:
            return o.delete(), False
        return o.read(b), False

    def list_op(self) -> dict:
        lo, r, m = self.d.lo, self.r, self.d.mod
        b = "l" if r.random() < 0.85 else r.choice(self.bins)
        kw = {}
        if r.random() < 0.08:
            kw["ctx"] = [self.d.ctx.cdt_ctx_list_index(r.choice([0, -1, 5]))]
        idx = r.choice([0, 1, 2, -1, -2, 5, 10])
        cnt = r.choice([0, 1, 2, 3, 10])
        rt = r.choice([m.LIST_RETURN_VALUE, m.LIST_RETURN_COUNT, m.LIST_RETURN_INDEX, m.LIST_RETURN_RANK,
                       m.LIST_RETURN_REVERSE_INDEX, m.LIST_RETURN_REVERSE_RANK, m.LIST_RETURN_NONE,
                       m.LIST_RETURN_EXISTS])
        inv = {"inverted": True} if r.random() < 0.15 else {}
        policy = None
        if r.random() < 0.25:
            policy = {"list_order": r.choice([m.LIST_ORDERED, m.LIST_UNORDERED]),
                      "write_flags": r.choice([m.LIST_WRITE_DEFAULT, m.LIST_WRITE_ADD_UNIQUE,
                                               m.LIST_WRITE_ADD_UNIQUE | m.LIST_WRITE_NO_FAIL,
                                               m.LIST_WRITE_ADD_UNIQUE | m.LIST_WRITE_NO_FAIL | m.LIST_WRITE_PARTIAL,
                                               m.LIST_WRITE_INSERT_BOUNDED])}
        v = self.scalar() if r.random() < 0.8 else self.value(1)
        name = r.choice([
            "list_append", "list_append_items", "list_insert", "list_insert_items", "list_increment", "list_set",
            "list_pop", "list_pop_range", "list_remove", "list_remove_range", "list_trim", "list_clear",
            "list_sort", "list_size", "list_get", "list_get_range", "list_get_by_index",
            "list_get_by_index_range", "list_get_by_rank", "list_get_by_rank_range", "list_get_by_value",
            "list_get_by_value_list", "list_get_by_value_range", "list_remove_by_index",
            "list_remove_by_index_range", "list_remove_by_rank", "list_remove_by_rank_range",
            "list_remove_by_value", "list_remove_by_value_list", "list_remove_by_value_range",
        ])
        vals = [self.scalar() for _ in range(r.randint(0, 3))]
        f = getattr(lo, name)
        if name == "list_append":
            return f(b, v, policy, **kw)
        if name == "list_append_items":
            return f(b, vals, policy, **kw)
        if name in ("list_insert", "list_set"):
            return f(b, idx, v, policy, **kw)
        if name == "list_insert_items":
            return f(b, idx, vals, policy, **kw)
        if name == "list_increment":
            return f(b, idx, r.choice([1, -1, 2.5]), policy, **kw)
        if name in ("list_pop", "list_remove", "list_get"):
            return f(b, idx, **kw)
        if name in ("list_pop_range", "list_remove_range", "list_trim", "list_get_range"):
            return f(b, idx, cnt, **kw)
        if name in ("list_clear", "list_size"):
            return f(b, **kw)
        if name == "list_sort":
            return f(b, r.choice([m.LIST_SORT_DEFAULT, m.LIST_SORT_DROP_DUPLICATES]), **kw)
        if name in ("list_get_by_index", "list_get_by_rank", "list_remove_by_index", "list_remove_by_rank"):
            return f(b, idx, rt, **kw)
        if name.endswith("_by_index_range") or name.endswith("_by_rank_range"):
            if r.random() < 0.5:
                return f(b, idx, rt, count=cnt, **inv, **kw)
            return f(b, idx, rt, **inv, **kw)
        if name.endswith("_by_value"):
            return f(b, v, rt, **inv, **kw)
        if name.endswith("_by_value_list"):
            return f(b, vals, rt, **inv, **kw)
        lo_v, hi_v = sorted([r.randint(-2, 8), r.randint(-2, 8)])
        return f(b, rt, lo_v, hi_v if r.random() < 0.8 else None, **inv, **kw)

    def map_op(self) -> dict:
        mo, r, m = self.d.mo, self.r, self.d.mod
        b = "m" if r.random() < 0.85 else r.choice(self.bins)
        kw = {}
        if r.random() < 0.08:
            kw["ctx"] = [self.d.ctx.cdt_ctx_map_key(self.map_key())]
        rt = r.choice([m.MAP_RETURN_KEY, m.MAP_RETURN_VALUE, m.MAP_RETURN_KEY_VALUE, m.MAP_RETURN_COUNT,
                       m.MAP_RETURN_INDEX, m.MAP_RETURN_RANK, m.MAP_RETURN_REVERSE_INDEX,
                       m.MAP_RETURN_REVERSE_RANK, m.MAP_RETURN_NONE, m.MAP_RETURN_EXISTS,
                       m.MAP_RETURN_UNORDERED_MAP, m.MAP_RETURN_ORDERED_MAP])
        inv = {"inverted": True} if r.random() < 0.15 else {}
        policy = None
        if r.random() < 0.25:
            policy = {"map_order": r.choice([m.MAP_UNORDERED, m.MAP_KEY_ORDERED]),
                      "map_write_flags": r.choice([m.MAP_WRITE_FLAGS_DEFAULT, m.MAP_WRITE_FLAGS_CREATE_ONLY,
                                                   m.MAP_WRITE_FLAGS_UPDATE_ONLY,
                                                   m.MAP_WRITE_FLAGS_CREATE_ONLY | m.MAP_WRITE_FLAGS_NO_FAIL,
                                                   m.MAP_WRITE_FLAGS_CREATE_ONLY | m.MAP_WRITE_FLAGS_NO_FAIL
                                                   | m.MAP_WRITE_FLAGS_PARTIAL])}
        k = self.map_key()
        keys = [self.map_key() for _ in range(r.randint(0, 3))]
        idx = r.choice([0, 1, 2, -1, -2, 5])
        cnt = r.choice([0, 1, 2, 3, 10])
        name = r.choice([
            "map_put", "map_put_items", "map_increment", "map_decrement", "map_size", "map_clear",
            "map_get_by_key", "map_get_by_key_list", "map_get_by_key_range", "map_get_by_value",
            "map_get_by_value_list", "map_get_by_value_range", "map_get_by_index", "map_get_by_index_range",
            "map_get_by_rank", "map_get_by_rank_range", "map_remove_by_key", "map_remove_by_key_list",
            "map_remove_by_key_range", "map_remove_by_value", "map_remove_by_value_list",
            "map_remove_by_value_range", "map_remove_by_index", "map_remove_by_index_range",
            "map_remove_by_rank", "map_remove_by_rank_range",
        ])
        f = getattr(mo, name)
        if name == "map_put":
            return f(b, k, self.scalar() if r.random() < 0.8 else self.value(1), policy, **kw)
        if name == "map_put_items":
            return f(b, {self.map_key(): self.scalar() for _ in range(r.randint(0, 3))}, policy, **kw)
        if name in ("map_increment", "map_decrement"):
            return f(b, k, r.choice([1, 2, -1, 0.5]), policy, **kw)
        if name in ("map_size", "map_clear"):
            return f(b, **kw)
        if name in ("map_get_by_key", "map_remove_by_key"):
            return f(b, k, rt, **kw)
        if inv and name.endswith(("_by_key_list", "_by_value_list")):
            # 8.1.2 crashes (SIGSEGV in packed_map_get_remove_all) on an empty inverted key/value list.
            keys = keys or [self.map_key()]
        if name.endswith("_by_key_list"):
            return f(b, keys, rt, **inv, **kw)
        if name.endswith("_by_key_range"):
            a, z = sorted([self.map_key(), self.map_key()], key=repr)
            return f(b, a, z if r.random() < 0.8 else None, rt, **inv, **kw)
        if name.endswith("_by_value"):
            return f(b, self.scalar(), rt, **inv, **kw)
        if name.endswith("_by_value_list"):
            values = [self.scalar() for _ in range(r.randint(0, 3))]
            return f(b, values or ([self.scalar()] if inv else []), rt, **inv, **kw)
        if name.endswith("_by_value_range"):
            a, z = sorted([r.randint(-2, 8), r.randint(-2, 8)])
            return f(b, a, z if r.random() < 0.8 else None, rt, **inv, **kw)
        if name in ("map_get_by_index", "map_get_by_rank", "map_remove_by_index", "map_remove_by_rank"):
            return f(b, idx, rt, **kw)
        return f(b, idx, cnt, rt, **inv, **kw)

    def operations(self, n_max: int = 4) -> tuple[list, bool]:
        r = self.r
        ops, short = [], False
        for _ in range(r.randint(1, n_max)):
            pick = r.random()
            if pick < 0.4:
                op, s = self.basic_op()
                short |= s
            elif pick < 0.7:
                op = self.list_op()
            else:
                op = self.map_op()
            ops.append(op)
        return ops, short

    # -- steps

    def key(self):
        return self.r.choice(self.keys)

    def next(self, index: int) -> Step:
        r = self.r
        kind = r.choices([k for k, _ in self.kinds], [w for _, w in self.kinds])[0]
        if kind == "put":
            meta, short = self.meta()
            k = self.key()
            return Step(index, kind, {"key": k, "bins": self.bins_dict(), "meta": meta,
                                      "policy": self.write_policy()}, (k,), short)
        if kind in ("get", "exists"):
            policy, touch = self.read_policy()
            k = self.key()
            return Step(index, kind, {"key": k, "policy": policy}, (k,), short_ttl=touch, read_touch=touch)
        if kind == "select":
            policy, touch = self.read_policy()
            k = self.key()
            names = r.sample(self.bins + ["zz"], r.randint(1, 3))
            return Step(index, kind, {"key": k, "bins": names, "policy": policy}, (k,), short_ttl=touch, read_touch=touch)
        if kind == "remove":
            k = self.key()
            policy = self.write_policy()
            if policy:
                policy.pop("exists", None)
            meta = {"gen": r.randint(0, 4)} if r.random() < 0.1 else None
            return Step(index, kind, {"key": k, "meta": meta, "policy": policy}, (k,))
        if kind == "touch":
            k = self.key()
            ttl, short = self.ttl()
            return Step(index, kind, {"key": k, "val": ttl if ttl is not None and ttl > 0 else 0}, (k,), short)
        if kind in ("append", "prepend"):
            k = self.key()
            return Step(index, kind, {"key": k, "bin": r.choice(["s", "b", "i"]),
                                      "val": r.choice(["x", "yz", b"q", ""])}, (k,))
        if kind == "increment":
            k = self.key()
            return Step(index, kind, {"key": k, "bin": r.choice(["i", "a", "s"]),
                                      "offset": r.choice([1, -3, 7, 0.5, 2**62])}, (k,))
        if kind == "operate":
            k = self.key()
            ops, short = self.operations()
            meta, s2 = self.meta() if r.random() < 0.3 else (None, False)
            policy = self.write_policy() if r.random() < 0.5 else None
            return Step(index, kind, {"key": k, "ops": ops, "meta": meta, "policy": policy}, (k,), short or s2)
        if kind == "batch_read":
            keys = r.sample(self.keys, r.randint(1, 5))
            names = r.sample(self.bins, r.randint(1, 2)) if r.random() < 0.3 else None
            policy, touch = self.read_policy()
            return Step(index, kind, {"keys": keys, "bins": names, "policy": policy}, tuple(keys),
                        short_ttl=touch, read_touch=touch)
        if kind == "batch_operate":
            keys = r.sample(self.keys, r.randint(1, 5))
            ops, short = self.operations(3)
            ttl, s2 = self.ttl()
            write_policy = self.write_policy() if r.random() < 0.3 else None
            if write_policy:
                write_policy.pop("durable_delete", None) if r.random() < 0.5 else None
            batch_policy = {"respond_all_keys": r.choice([True, not self.single_nodes])} if r.random() < 0.3 else None
            if r.random() < 0.15:
                batch_policy = {**(batch_policy or {}), "expressions": self.filter_exp()}
            return Step(index, kind, {"keys": keys, "ops": ops, "policy_batch": batch_policy,
                                      "policy_batch_write": write_policy, "ttl": ttl}, tuple(keys), short or s2)
        if kind == "batch_remove":
            keys = r.sample(self.keys, r.randint(1, 3))
            policy = None
            if r.random() < 0.3:
                policy = r.choice([{"expressions": self.filter_exp()}, {"gen": self.d.mod.POLICY_GEN_EQ, "generation": r.randint(0, 4)},
                                   {"key": self.d.mod.POLICY_KEY_SEND}])
            return Step(index, kind, {"keys": keys, "policy_batch_remove": policy}, tuple(keys))
        if kind == "query":
            set_name = r.choice(self.sets)
            args = {"set": set_name, "select": r.sample(self.bins, r.randint(1, 3)) if r.random() < 0.4 else None,
                    "where": None, "policy": {"expressions": self.filter_exp()} if r.random() < 0.3 else None}
            usable = [ix for ix in self.indexes if ix[3] == set_name]
            if usable and r.random() < 0.6:
                _, bin_name, kind_ix, _ = r.choice(usable)
                if kind_ix == "int":
                    lo_v = r.randint(-3, 12)
                    args["where"] = ("between", bin_name, lo_v, lo_v + r.randint(0, 6)) if r.random() < 0.5 \
                        else ("equals", bin_name, lo_v)
                else:
                    args["where"] = ("equals", bin_name, r.choice(["", "a", "b", "ab"]))
            return Step(index, kind, args)
        if kind == "index_create":
            self.n_index += 1
            name = f"{self.index_prefix}{self.n_index}"
            bin_name, kind_ix = r.choice([("i", "int"), ("s", "str"), ("a", "int")])
            set_name = r.choice(self.sets)
            self.indexes.append((name, bin_name, kind_ix, set_name))
            return Step(index, kind, {"name": name, "bin": bin_name, "kind": kind_ix, "set": set_name})
        if kind == "index_remove" and self.indexes:
            name = self.indexes.pop(r.randrange(len(self.indexes)))[0]
            return Step(index, kind, {"name": name})
        if kind == "truncate":
            return Step(index, kind, {"set": r.choice(self.sets)})
        if kind == "info":
            return Step(index, kind, {"command": r.choice(["sets", "namespace", "statistics", "partitions",
                                                           "build", "get-config"]), "set": r.choice(self.sets)})
        if kind == "sleep":
            return Step(index, kind, {"seconds": r.choice([0.5, 1.0, 1.5, 2.2])})
        if kind == "big_record":
            k = self.key()
            # Around the 1 MiB record limit (drv_mem.c buffer_bins): the flat size decides.
            size = 1_048_576 - r.randint(40, 90)
            return Step(index, kind, {"key": k, "size": size, "policy": {"key": self.d.mod.POLICY_KEY_SEND}
                                      if r.random() < 0.5 else None}, (k,))
        return Step(index, "get", {"key": self.key(), "policy": None})


# ---------------------------------------------------------------------------------------------- execution


class Target:
    """One server, reached through one client connection."""

    def __init__(self, name: str, hosts, drv: Driver):
        self.name, self.hosts, self.d = name, list(hosts), drv
        self.client = drv.connect(self.hosts)

    def close(self):
        try:
            self.client.close()
        except Exception:
            pass

    def info(self, command: str) -> str:
        text = self.client.info_random_node(command)
        return text.split("\t", 1)[1].strip() if "\t" in text else text.strip()

    def run(self, step: Step, ns: str, stable: bool) -> Any:
        try:
            return self._run(step, ns, stable)
        except Exception as e:  # every failure is an outcome to compare
            if not hasattr(e, "code"):
                return ("error", type(e).__name__, None, str(e)[:200])
            return error_out(e)

    def _run(self, step: Step, ns: str, stable: bool) -> Any:
        c, a = self.client, step.args
        kind = step.kind
        if kind == "put":
            c.put(a["key"], a["bins"], a["meta"], a["policy"])
            return self._state(a["key"])
        if kind == "get":
            return record_out(c.get(a["key"], a["policy"]))
        if kind == "select":
            return record_out(c.select(a["key"], a["bins"], a["policy"]))
        if kind == "exists":
            k, meta = c.exists(a["key"], a["policy"])
            return ("exists", key_out(k), meta_out(meta))
        if kind == "remove":
            c.remove(a["key"], a["meta"], a["policy"])
            return self._state(a["key"])
        if kind == "touch":
            c.touch(a["key"], a["val"])
            return self._state(a["key"])
        if kind in ("append", "prepend", "increment"):
            value = a["offset"] if kind == "increment" else a["val"]
            getattr(c, kind)(a["key"], a["bin"], value)
            return self._state(a["key"])
        if kind == "operate":
            out = record_out(c.operate(a["key"], a["ops"], a["meta"], a["policy"]))
            return ("operate", out, self._state(a["key"]))
        if kind == "batch_read":
            return batch_out(c.batch_read(a["keys"], a["bins"], a["policy"]))
        if kind == "batch_operate":
            res = c.batch_operate(a["keys"], a["ops"], a["policy_batch"], a["policy_batch_write"], a["ttl"])
            return ("batch", batch_out(res), [self._state(k) for k in a["keys"]])
        if kind == "batch_remove":
            res = c.batch_remove(a["keys"], None, a["policy_batch_remove"])
            return ("batch", batch_out(res), [self._state(k) for k in a["keys"]])
        if kind == "query":
            q = c.query(ns, a["set"])
            if a["select"]:
                q.select(*a["select"])
            if a["where"]:
                op, *args = a["where"]
                q.where(getattr(self.d.pred, op)(*args))
            return records_set(q.results(a["policy"]))
        if kind == "index_create":
            create = c.index_integer_create if a["kind"] == "int" else c.index_string_create
            create(ns, a["set"], a["bin"], a["name"])
            self._wait_index(ns, a["name"])
            return ("ok",)
        if kind == "index_remove":
            c.index_remove(ns, a["name"])
            return ("ok",)
        if kind == "truncate":
            time.sleep(0.005)  # a record written in the truncate's own millisecond survives it (truncate.c)
            c.truncate(ns, a["set"], 0)
            return ("ok", self._set_objects(ns, a["set"], settle=True))
        if kind == "info":
            return self._info(step, ns, stable)
        if kind == "big_record":
            try:
                c.put(a["key"], {"big": bytearray(a["size"])}, None, a["policy"])
            except Exception as e:
                return ("big", error_out(e))
            rec = c.select(a["key"], ["i"])
            c.remove(a["key"])
            return ("big", "stored", meta_out(rec[1]))
        if kind == "sleep":
            return ("ok",)
        raise ValueError(f"unknown step {kind}")

    def _state(self, key) -> Any:
        """The record after a write: what a later reader would see."""
        try:
            return record_out(self.client.get(key))
        except Exception as e:
            return error_out(e)

    def _wait_index(self, ns: str, name: str, timeout: float = 15.0) -> None:
        """A real server builds a new index in the background (state WO, then RW)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            listing = self.info(f"sindex-list:ns={ns}")
            entry = [e for e in listing.split(";") if f"indexname={name}:" in e + ":"]
            if entry and ("state=" not in entry[0] or "state=RW" in entry[0]):
                return
            time.sleep(0.05)

    def _set_props(self, ns: str, set_name: str) -> list[dict]:
        """`sets/<ns>/<set>` of every node that knows the set."""
        out = []
        for _, (_, text) in self.client.info_all(f"sets/{ns}/{set_name}").items():
            text = (text or "").split("\t", 1)[-1].strip().rstrip(";")
            if text:
                out.append(dict(kv.split("=", 1) for kv in text.split(":") if "=" in kv))
        return out

    def _set_objects(self, ns: str, set_name: str, settle: bool = False) -> Any:
        """The set's record count: every node's copies over the effective replication factor, once a
        truncate has run (the real server truncates in the background)."""
        deadline = time.monotonic() + (10 if settle else 0)
        while True:
            props = self._set_props(ns, set_name)
            busy = any(p.get("truncating") == "true" for p in props)
            if not (settle and busy) or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        fields = dict(kv.split("=", 1) for kv in self.info(f"namespace/{ns}").split(";") if "=" in kv)
        copies = sum(int(p.get("objects", 0)) for p in props)
        return copies // max(1, int(fields.get("effective_replication_factor", 1)))

    def _info(self, step: Step, ns: str, stable: bool) -> Any:
        cmd = step.args["command"]
        if cmd == "sets":
            props = self._set_props(ns, step.args["set"])
            listed = f"ns={ns}:set={step.args['set']}:" in self.info(f"sets/{ns}")
            names = sorted({tuple(p) for p in props})
            truncated = sorted({p.get("truncate_lut", "0") != "0" for p in props})
            # Counts only once no short-ttl record may be expiring (nsup reaps on its own schedule).
            count = self._set_objects(ns, step.args["set"]) if stable else None
            return ("sets", listed, names, truncated, count)
        if cmd == "namespace":
            fields = dict(kv.split("=", 1) for kv in self.info(f"namespace/{ns}").split(";") if "=" in kv)
            return ("namespace", sorted(fields), fields.get("max-record-size"), fields.get("storage-engine"))
        if cmd == "statistics":
            return ("statistics", sorted(kv.split("=", 1)[0] for kv in self.info("statistics").split(";")))
        if cmd == "get-config":
            keys = [kv.split("=", 1)[0] for kv in self.info(f"get-config:context=namespace;id={ns}").split(";")]
            return ("get-config", keys)
        return (cmd, self.info(cmd))


# ---------------------------------------------------------------------------------------------- runs


@dataclass
class Divergence:
    seed: int
    step: Step
    reference: Any
    candidate: Any
    where: str
    history: list[Step] = field(default_factory=list)

    def report(self, names: tuple[str, str]) -> str:
        lines = [f"DIVERGENCE at step {self.step.index} of seed {self.seed}:", f"  {self.step.describe(4000)}",
                 f"  where: {self.where}", f"  {names[0]}: {_short(self.reference, 2000)}",
                 f"  {names[1]}: {_short(self.candidate, 2000)}",
                 "  steps that led to it (same records, and the last few):"]
        lines += [f"    {s.describe()}" for s in self.history]
        lines.append(f"  reproduce: seed={self.seed} steps={self.step.index + 1}")
        return "\n".join(lines)


@dataclass
class RunResult:
    seed: int
    steps: int
    divergence: Divergence | None
    seconds: float
    kinds: dict[str, int]


class Clock:
    """Keeps steps away from the whole-second instants at which a short-ttl record can expire."""

    # An expired record stays deletable until the sweep (nsup, every second) removes it: CE's delete
    # does not check expiry (delete_ce.c), and the two servers sweep at their own moments.
    REAP = 2.5

    def __init__(self):
        self.pending_until = 0.0  # wall time until which a short-ttl record may still expire
        self.reaped_at: dict[Any, float] = {}  # key -> time by which any expiry of it has been swept

    def before(self, step: Step) -> None:
        now = time.time()
        if step.kind in ("remove", "batch_remove"):
            wait = max((self.reaped_at.get(k, 0.0) for k in step.keys), default=0.0)
            if wait > now:
                time.sleep(wait - now)
                now = time.time()
        if step.short_ttl:
            # Both servers must stamp the write in the same second.
            frac = now % 1
            if frac > 0.5:
                time.sleep(1.05 - frac)
            self.pending_until = max(self.pending_until, time.time() + max(SHORT_TTL) + 3.5)
            for k in step.keys:
                self.reaped_at[k] = int(time.time()) + max(SHORT_TTL) + 1 + self.REAP
        elif now < self.pending_until:
            frac = now % 1
            if frac < 0.15:
                time.sleep(0.15 - frac)
            elif frac > 0.85:
                time.sleep(1.15 - frac)

    def stable(self) -> bool:
        return time.time() > self.pending_until


def run(seed: int, n_steps: int, reference: Target, candidate: Target, ns: str = "test",
        log: Callable[[str], None] | None = None, single_nodes: bool = True) -> RunResult:
    """Runs n_steps seeded steps on both targets; stops at the first divergence. `single_nodes`: both
    targets are one node (allows steps whose answers depend on how keys spread over nodes)."""
    rng = random.Random(seed)
    tag = f"{seed % 100000}_{uuid.uuid4().hex[:6]}"
    sets = (f"dif{tag}a", f"dif{tag}b")
    gen = Generator(rng, reference.d, ns, sets, f"dix{tag}_", single_nodes)
    clock = Clock()
    done: list[Step] = []
    kinds: dict[str, int] = {}
    start = time.monotonic()
    divergence = None
    try:
        for i in range(n_steps):
            step = gen.next(i)
            kinds[step.kind] = kinds.get(step.kind, 0) + 1
            clock.before(step)
            if step.kind == "sleep":
                time.sleep(step.args["seconds"])
            stable = clock.stable()
            out_ref = reference.run(step, ns, stable)
            if step.read_touch:
                time.sleep(0.03)  # the reference touches asynchronously after answering (read_touch.c)
            out_cand = candidate.run(step, ns, stable)
            if step.read_touch:
                time.sleep(0.03)
            where = differ(out_ref, out_cand)
            done.append(step)
            if where:
                keys = set(step.keys)
                related = [s for s in done[:-1] if keys & set(s.keys) or s.kind in ("truncate", "index_create")]
                tail = done[-6:-1]
                history = sorted({s.index: s for s in related[-40:] + tail}.values(), key=lambda s: s.index)
                divergence = Divergence(seed, step, out_ref, out_cand, where, history)
                break
            if log and (i + 1) % 1000 == 0 and i + 1 < n_steps:
                log(f"seed {seed}: {i + 1} steps agree")
    finally:
        cleanup(reference, candidate, ns, sets, gen)
    return RunResult(seed, len(done), divergence, time.monotonic() - start, kinds)


def cleanup(reference: Target, candidate: Target, ns: str, sets, gen: Generator) -> None:
    """Drops this run's indexes and truncates its sets on both servers."""
    for t in (reference, candidate):
        for name, *_ in gen.indexes:
            try:
                t.client.index_remove(ns, name)
            except Exception:
                pass
        for s in sets:
            try:
                t.client.truncate(ns, s, 0)
            except Exception:
                pass
