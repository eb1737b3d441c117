"""The "add an operation" promise: an operation that reuses existing shapes and an existing
executor is an edit of ops.yaml only. This copies the spec, appends one operation, builds the
extension from the copy (AEROSPIKE_PY_OPS, separate target dir) and calls the new method on both
clients, checks it is traced-typed in the stubs and documented, and that the tree is untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

NEW_OPERATION = """
  - name: get_many
    operation: GET_MANY
    executor: batch_read
    target: keys
    doc: Read several records (added by test_add_operation.py).
    args:
      - {name: keys, shape: keys, doc: Keys to read.}
      - {name: bins, shape: bin_names, default: None, doc: Bins to read.}
      - {name: policy, shape: batch_policy, default: None, doc: Batch policy.}
    returns: batch_read_records
    examples:
      - setup: ["put(KEY, {'a': 1})"]
        call: "get_many([KEY])"
        result: "aerospike_py.BatchRecords([aerospike_py.BatchRecord(DKEY, 0, (DKEY, ANY, {'a': 1}))])"
"""

CHECK = textwrap.dedent(
    """
    import asyncio, sys
    import aerospike_py
    hosts = [(h, int(p)) for h, p in (x.split(":") for x in sys.argv[1].split(","))]
    ns, set_name = sys.argv[2], sys.argv[3]
    k1, k2 = (ns, set_name, "a1"), (ns, set_name, "a2")
    with aerospike_py.client({"hosts": hosts}).connect() as c:
        c.put(k1, {"v": 1, "w": 2})
        res = c.get_many([k1, k2], ["v"])
        assert [r.result for r in res.batch_records] == [0, 2], res
        assert res.batch_records[0].record[2] == {"v": 1}
    async def main():
        async with aerospike_py.AsyncClient({"hosts": hosts}) as ac:
            res = await ac.get_many([k1])
            assert res.batch_records[0].record[2] == {"v": 1, "w": 2}
    asyncio.run(main())
    m = aerospike_py._aerospike
    assert "get_many" in m.OPERATIONS
    assert "def get_many(self, keys: list[Key], bins: list[str] | None = None" in m.__stub__
    assert "async def get_many(" in m.__stub__
    assert "### get_many" in m.__api_md__
    print("get_many ok")
    """
)


@pytest.mark.slow
def test_new_operation_from_ops_yaml_only(tmp_path, aerospike_hosts, namespace, unique_set):
    spec = tmp_path / "ops.yaml"
    spec.write_text((ROOT / "ops.yaml").read_text() + NEW_OPERATION)
    tracked = {p: p.read_text() for p in (ROOT / "docs/api.md", ROOT / "python/aerospike_py/_aerospike.pyi")}

    env = dict(os.environ, AEROSPIKE_PY_OPS=str(spec), CARGO_TARGET_DIR=str(ROOT / "target" / "add-op"))
    build = subprocess.run(
        ["cargo", "build", "--release", "--lib", "-p", "aerospike-py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stderr[-4000:]

    pkg = tmp_path / "site" / "aerospike_py"
    shutil.copytree(ROOT / "python" / "aerospike_py", pkg, ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    shutil.copy(ROOT / "target" / "add-op" / "release" / "lib_aerospike.so", pkg / "_aerospike.abi3.so")
    script = tmp_path / "check.py"
    script.write_text(CHECK)
    hosts = ",".join(f"{h}:{p}" for h, p in aerospike_hosts)
    run = subprocess.run(
        [sys.executable, str(script), hosts, namespace, unique_set],
        env=dict(os.environ, PYTHONPATH=str(tmp_path / "site")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "get_many ok" in run.stdout

    for path, text in tracked.items():  # the alternate spec never touches the tree
        assert path.read_text() == text, path
