"""The committed API reference and type stubs are the render of the committed ops.yaml, and the
stubs type-check real usage."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aerospike_py

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def test_extension_was_built_from_this_spec():
    assert (ROOT / "ops.yaml").read_text() == aerospike_py._aerospike.__ops_yaml__, (
        "ops.yaml changed since the extension was built: run `make develop`"
    )


def _committed(rel: str) -> str:
    """The file as git has it staged (in CI: as committed). The build rewrites the working copy,
    so comparing with that alone could never fail."""
    proc = subprocess.run(["git", "show", f":{rel}"], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:  # not a git checkout (an unpacked sdist): the working copy is all there is
        return (ROOT / rel).read_text()
    return proc.stdout


def test_api_reference_is_current():
    assert _committed("docs/api.md") == aerospike_py._aerospike.__api_md__, (
        "docs/api.md is stale: `make develop` re-renders it from ops.yaml; commit the result"
    )


def test_stubs_are_current():
    assert _committed("python/aerospike_py/_aerospike.pyi") == aerospike_py._aerospike.__stub__, (
        "_aerospike.pyi is stale: `make develop` re-renders it from ops.yaml; commit the result"
    )
    assert (ROOT / "python/aerospike_py/py.typed").exists()


def _mypy(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_mypy_accepts_examples():
    proc = _mypy(HERE / "typing_examples.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_rejects_wrong_calls(tmp_path):
    bad = tmp_path / "bad_usage.py"
    bad.write_text(
        "import aerospike_py\n"
        "c = aerospike_py.client({'hosts': [('h', 1)]})\n"
        "c.get()\n"  # missing key
        "c.put(('t', 's', 'k'), {'a': 1}, bogus=1)\n"  # unknown argument
        "x: str = c.exists(('t', 's', 'k'))\n"  # wrong return type
    )
    proc = _mypy(bad)
    assert proc.returncode != 0
    assert proc.stdout.count("error:") >= 3, proc.stdout
