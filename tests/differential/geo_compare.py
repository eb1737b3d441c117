"""Geo queries on two servers, compared: random points, circles, polygons (with holes, clockwise,
across the antimeridian, near the poles) and multipolygons are written to both, then queried
(points within each region, regions containing each point, CmpGeo filters) and the answers
compared key for key.

    python tests/differential/geo_compare.py --other 127.0.0.1:3100 [--seed 1] [--points 400]

Without --other it starts two dev servers (a self-check of the harness). With --other it starts
one dev server and compares it with the server named (the real one is the judge). Prints one
table of agreement per query kind and every disagreement (with the shapes, to reproduce it).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aerospike_py  # noqa: E402
from aerospike_py import exception, expressions as exp, predicates as p  # noqa: E402
from servers import DevServer, parse_hosts  # noqa: E402

NS = "test"


def rand_point(r: random.Random, box=None) -> tuple[float, float]:
    if box is None:  # uniform on the sphere
        return (r.uniform(-180, 180), math.degrees(math.asin(r.uniform(-1, 1))))
    (x0, y0, x1, y1) = box
    return (r.uniform(x0, x1), r.uniform(y0, y1))


def wrap_lng(x: float) -> float:
    return (x + 180) % 360 - 180


def star_loop(r: random.Random, cx: float, cy: float, size: float, n: int, cw: bool) -> list[list[float]]:
    """A simple (star-shaped) loop around (cx, cy): n vertices at sorted angles."""
    angles = sorted(r.uniform(0, 2 * math.pi) for _ in range(n))
    pts = []
    for a in angles:
        rad = size * r.uniform(0.4, 1.0)
        lat = max(-89.9, min(89.9, cy + rad * math.sin(a)))
        pts.append([wrap_lng(cx + rad * math.cos(a) / max(0.2, math.cos(math.radians(cy)))), lat])
    if cw:
        pts.reverse()
    return pts + [pts[0]]


def rand_region(r: random.Random, box=None) -> dict:
    kind = r.choice(["circle", "circle", "polygon", "polygon", "holed", "multi"])
    cx, cy = rand_point(r, box)
    cx, cy = wrap_lng(cx), max(-85, min(85, cy))
    size = r.choice([0.01, 0.1, 1, 5, 20, 45, 80])
    if kind == "circle":
        return {"type": "AeroCircle", "coordinates": [[cx, cy], size * 111_000 * r.uniform(0.5, 1.5)]}
    # Polygons must be valid (simple loops): star-shaped ones, kept away from the poles.
    size = min(size, 20)
    cy = max(-60, min(60, cy))
    if kind == "polygon":
        return {"type": "Polygon", "coordinates": [star_loop(r, cx, cy, size, r.randint(3, 12), r.random() < 0.3)]}
    if kind == "holed":
        outer = star_loop(r, cx, cy, size, r.randint(6, 12), False)
        hole = star_loop(r, cx, cy, size * 0.3, r.randint(3, 6), r.random() < 0.5)
        return {"type": "Polygon", "coordinates": [outer, hole]}
    polys = []
    for i in range(r.randint(2, 3)):
        polys.append([star_loop(r, wrap_lng(cx + 3 * size * i), cy, size, r.randint(3, 8), False)])
    return {"type": "MultiPolygon", "coordinates": polys}


def geo(d: dict) -> aerospike_py.GeoJSON:
    return aerospike_py.GeoJSON(d)


class Side:
    def __init__(self, name: str, hosts, set_name: str):
        self.name = name
        self.client = aerospike_py.client({"hosts": list(hosts)}).connect()
        self.set = set_name
        self.indexes = []

    def index(self, bin_name: str, kind: str = "geo", datatype=None):
        name = f"{self.set}_{bin_name}"
        if kind == "geo":
            self.client.index_geo2dsphere_create(NS, self.set, bin_name, name)
        else:
            self.client.index_list_create(NS, self.set, bin_name, datatype, name)
        self.indexes.append(name)

    def query(self, predicate) -> set:
        try:
            rows = self.client.query(NS, self.set).select("id").where(predicate).results()
        except exception.AerospikeError as e:
            return {f"error {e.code}"}
        return {r[2]["id"] for r in rows}

    def cmp_geo(self, keys, bin_name: str, other: aerospike_py.GeoJSON) -> set:
        pol = {"expressions": exp.CmpGeo(exp.GeoBin(bin_name), other).compile()}
        out = set()
        for k in keys:
            try:
                self.client.get((NS, self.set, k), policy=pol)
                out.add(k)
            except exception.FilteredOut:
                pass
            except exception.AerospikeError as e:
                out.add(f"{k}: error {e.code}")
        return out

    def cleanup(self):
        for n in self.indexes:
            try:
                self.client.index_remove(NS, n)
            except exception.AerospikeError:
                pass
        try:
            self.client.truncate(NS, self.set, 0)
        except exception.AerospikeError:
            pass
        self.client.close()


def run(a: Side, b: Side, seed: int, n_points: int, n_regions: int, n_queries: int) -> int:
    r = random.Random(seed)
    boxes = [None, (-125, 30, -110, 45), (170, -10, 190, 10), (-30, 70, 30, 89.9)]
    points, regions = {}, {}
    for i in range(n_points):
        lng, lat = rand_point(r, r.choice(boxes))
        points[f"p{i}"] = {"type": "Point", "coordinates": [wrap_lng(lng), lat]}
    for i in range(n_regions):
        regions[f"r{i}"] = rand_region(r, r.choice(boxes))
    for side in (a, b):
        side.index("loc")
        side.index("reg")
        side.index("locs", "list", aerospike_py.INDEX_GEO2DSPHERE)
        for k, d in points.items():
            side.client.put((NS, side.set, k), {"id": k, "loc": geo(d), "locs": [geo(d)]})
        for k, d in regions.items():
            try:
                side.client.put((NS, side.set, k), {"id": k, "reg": geo(d)})
            except exception.AerospikeError as e:
                print(f"{side.name}: write of {k} failed ({e.code}): {json.dumps(d)}")

    tally: dict[str, list[int]] = {}
    bad = []

    def check(kind: str, what, got_a: set, got_b: set):
        t = tally.setdefault(kind, [0, 0, 0])
        t[0] += 1
        t[2] += len(got_a | got_b)
        if got_a == got_b:
            t[1] += 1
        else:
            bad.append((kind, what, sorted(got_a - got_b), sorted(got_b - got_a)))

    for i in range(n_queries):
        reg = rand_region(r, r.choice(boxes))
        text = json.dumps(reg)
        check(f"points within {reg['type']}", text, a.query(p.geo_within_geojson_region("loc", text)), b.query(p.geo_within_geojson_region("loc", text)))
        pr = p.geo_within_geojson_region("locs", text, aerospike_py.INDEX_TYPE_LIST)
        check("list points within region", text, a.query(pr), b.query(pr))
        lng, lat = rand_point(r, r.choice(boxes))
        pt = json.dumps({"type": "Point", "coordinates": [wrap_lng(lng), lat]})
        check("regions containing point", pt, a.query(p.geo_contains_geojson_point("reg", pt)), b.query(p.geo_contains_geojson_point("reg", pt)))
        radius = r.choice([10, 1000, 50_000, 500_000, 3_000_000])
        pr = p.geo_within_radius("loc", wrap_lng(lng), lat, radius)
        check("points within radius", pr[3], a.query(pr), b.query(pr))
        if i % 10 == 0:
            ks = list(points)
            check("CmpGeo point within region", text, a.cmp_geo(ks, "loc", geo(reg)), b.cmp_geo(ks, "loc", geo(reg)))
            ks = list(regions)
            check("CmpGeo region contains point", pt, a.cmp_geo(ks, "reg", aerospike_py.geojson(pt)), b.cmp_geo(ks, "reg", aerospike_py.geojson(pt)))

    print(f"\nseed {seed}: {n_points} points, {n_regions} regions; {a.name} vs {b.name}")
    print(f"{'query':34} {'queries':>8} {'agree':>8} {'records matched':>16}")
    for kind, (n, ok, hits) in sorted(tally.items()):
        print(f"{kind:34} {n:8} {ok:8} {hits:16}")
    total, agree = sum(t[0] for t in tally.values()), sum(t[1] for t in tally.values())
    print(f"{'all':34} {total:8} {agree:8}")
    for kind, what, only_a, only_b in bad:
        print(f"DISAGREE {kind}: {what}\n  only {a.name}: {only_a}\n  only {b.name}: {only_b}")
    return len(bad)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--other", help="host:port of the server to compare with (default: a second dev server)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--points", type=int, default=400)
    ap.add_argument("--regions", type=int, default=150)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    set_name = f"geocmp{args.seed}_{os.getpid()}"
    with DevServer() as dev:
        other_dev = None
        if args.other:
            other_hosts, other_name = parse_hosts(args.other), f"server {args.other}"
        else:
            other_dev = DevServer().start()
            other_hosts, other_name = other_dev.hosts, "dev server 2"
        a = Side("dev server", dev.hosts, set_name)
        b = Side(other_name, other_hosts, set_name)
        try:
            n_bad = run(a, b, args.seed, args.points, args.regions, args.queries)
        finally:
            a.cleanup()
            b.cleanup()
            if other_dev:
                other_dev.stop()
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
