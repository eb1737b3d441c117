"""What `make wheel` builds (dist/: the wheel and the sdist) and what `make sdist-wheel` builds from
the sdist alone: a portable abi3 manylinux2014 wheel without debug info, complete metadata, an sdist
that builds the same wheel, and the client and tracing tests passing against the wheel installed
into a fresh virtual environment with no Rust toolchain on PATH, with and without the otel extra."""

from __future__ import annotations

import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
SDIST_WHEEL_DIR = TARGET / "sdist-build" / "wheel"
VENV_BIN = Path(sys.executable).parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
VERSION = PROJECT["version"]
WHEEL_NAME = f"aerospike_py-{VERSION}-cp310-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
EXTENSION = "aerospike_py/_aerospike.abi3.so"



def requirements_for_tests(with_otel_api: bool) -> list[str]:
    """What the tests need besides the package: requirements-dev.txt without the build tool and the
    benchmark's collector; without the otel extra also without what needs the OpenTelemetry API:
    the opentelemetry-* packages (not the receiver's opentelemetry-proto) and fastapi, which requires
    the API (tests/tracing/conftest.py skips the scenarios that import them)."""
    reqs = [line.split("#")[0].strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()]
    reqs = [r for r in reqs if r and not r.startswith(("maturin", "rotel"))]
    if not with_otel_api:
        reqs = [r for r in reqs if not r.startswith(("opentelemetry-", "fastapi")) or r.startswith("opentelemetry-proto")]
    return reqs


def run(cmd, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel() -> Path:
    path = DIST / WHEEL_NAME
    assert path.exists(), f"no {WHEEL_NAME} in dist/ ({sorted(p.name for p in DIST.glob('*'))}): run `make wheel`"
    return path


@pytest.fixture(scope="module")
def sdist() -> Path:
    path = DIST / f"aerospike_py-{VERSION}.tar.gz"
    assert path.exists(), "no sdist in dist/: run `make wheel`"
    return path


def wheel_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def sbom_components(data: bytes) -> list[tuple[str, str]]:
    return sorted((c["name"], c.get("version", "")) for c in json.loads(data)["components"])


def elf_sections(data: bytes, tmp_path: Path) -> str:
    so = tmp_path / "ext.so"
    so.write_bytes(data)
    return run(["readelf", "-S", "-W", so]).stdout


# ---------------------------------------------------------------- the wheel


def test_wheel_is_manylinux2014_by_its_symbols(wheel):
    out = " ".join(run([VENV_BIN / "auditwheel", "show", wheel]).stdout.split())
    assert 'consistent with the following platform tag: "manylinux_2_17_x86_64"' in out, out
    glibc = [tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_(\d+\.\d+(?:\.\d+)?)", out)]
    assert glibc and max(glibc) <= (2, 17), out


def test_wheel_is_stripped_and_small(wheel, tmp_path):
    data = wheel_files(wheel)[EXTENSION]
    sections = elf_sections(data, tmp_path)
    assert ".text" in sections and ".debug_" not in sections, sections
    # release with debug = 1 (what `make develop` builds) is several times this
    assert wheel.stat().st_size < 8 * 2**20, wheel.stat().st_size
    print(f"wheel {wheel.stat().st_size / 2**20:.1f} MiB, extension {len(data) / 2**20:.1f} MiB")


def test_wheel_contents_are_the_package(wheel):
    names = set(wheel_files(wheel))
    package = {f"aerospike_py/{p.name}" for p in (ROOT / "python/aerospike_py").iterdir() if p.is_file()
               and p.suffix in (".py", ".pyi", ".typed")}
    assert package | {EXTENSION} <= names
    assert "aerospike_py/py.typed" in names and "aerospike_py/_aerospike.pyi" in names
    others = {n for n in names if not n.startswith(("aerospike_py/", f"aerospike_py-{VERSION}.dist-info/"))}
    assert others == set(), others  # no tests, dev server, benchmarks


def test_metadata_is_complete(wheel):
    files = wheel_files(wheel)
    meta = email.parser.Parser().parsestr(files[f"aerospike_py-{VERSION}.dist-info/METADATA"].decode())
    assert meta["Name"] == "aerospike-py" and meta["Version"] == VERSION
    assert meta["Summary"] == PROJECT["description"]
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["License-File"] == "LICENSE"
    assert f"aerospike_py-{VERSION}.dist-info/licenses/LICENSE" in files
    classifiers = meta.get_all("Classifier")
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert "Typing :: Typed" in classifiers
    assert meta.get_all("Provides-Extra") == ["otel"]
    assert [r for r in meta.get_all("Requires-Dist") if re.fullmatch(r"opentelemetry-api>=[\d.]+ ; extra == ['\"]otel['\"]", r)]
    assert meta["Description-Content-Type"] == "text/markdown; charset=UTF-8; variant=GFM"
    assert meta.get_payload().strip() == (ROOT / "README.md").read_text().strip()
    assert (meta.get_all("Project-URL") or []) == [f"{k}, {v}" for k, v in PROJECT.get("urls", {}).items()]


def test_twine_check_is_clean(wheel, sdist):
    out = run([VENV_BIN / "twine", "check", "--strict", wheel, sdist]).stdout
    assert out.count("PASSED") == 2 and "WARNING" not in out, out


# ---------------------------------------------------------------- the sdist


def test_sdist_carries_the_patched_crate_and_nothing_else(sdist):
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
        cargo_toml = t.extractfile(f"aerospike_py-{VERSION}/Cargo.toml").read().decode()
    vendored = subprocess.run(["git", "ls-files", "vendor/aerospike-core"], cwd=ROOT, capture_output=True, text=True)
    expected = set(vendored.stdout.split()) or {"vendor/aerospike-core/src/lib.rs"}
    assert expected <= names, sorted(expected - names)[:10]
    assert 'aerospike-core = { path = "vendor/aerospike-core" }' in cargo_toml  # the [patch.crates-io] target
    assert {"build.rs", "ops.yaml", "Cargo.lock", "LICENSE", "pyproject.toml"} <= names
    assert any(n.startswith("templates/") for n in names)
    assert not [n for n in names if n.split("/")[0] in ("tests", "devserver", "bench", "docs", "examples")]


def test_sdist_builds_the_same_wheel(wheel):
    """`make sdist-wheel` built it from the unpacked sdist, with the same flags as `make wheel`."""
    rebuilt = SDIST_WHEEL_DIR / WHEEL_NAME
    assert rebuilt.exists(), "run `make sdist-wheel`"
    ours, theirs = wheel_files(wheel), wheel_files(rebuilt)
    assert set(ours) == set(theirs)
    record = f"aerospike_py-{VERSION}.dist-info/RECORD"
    sbom = f"aerospike_py-{VERSION}.dist-info/sboms/aerospike-py.cyclonedx.json"
    differing = sorted(n for n in ours if ours[n] != theirs[n] and n not in (record, sbom))
    assert differing == []  # the extension too, byte for byte
    # The SBOM (maturin's CycloneDX list of crates) differs by nature in its serial number, time stamp
    # and build-directory references; and it is read from cargo's workspace-wide metadata, so in the
    # repository it also names crates that only other members enable (tokio's `signal` for the dev
    # server) although the extension, identical, does not link them.
    assert set(sbom_components(theirs[sbom])) <= set(sbom_components(ours[sbom]))


# ---------------------------------------------------------------- the installed wheel


def _path_without_rust() -> str:
    """PATH without any directory holding cargo or rustc."""
    keep = [d for d in os.environ["PATH"].split(os.pathsep)
            if d and not any((Path(d) / tool).exists() for tool in ("cargo", "rustc", "rustup"))]
    path = os.pathsep.join(keep)
    assert shutil.which("cargo", path=path) is None and shutil.which("rustc", path=path) is None
    return path


def fresh_venv(tmp_path: Path, python: str, *requirements: str) -> tuple[Path, dict]:
    """A new virtual environment with the requirements, and the environment to run it in."""
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = _path_without_rust()
    run([python, "-m", "venv", venv], env=env)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    run([venv / "bin/python", "-m", "pip", "install", "--quiet", *requirements], env=env, timeout=900)
    return venv, env


@pytest.mark.parametrize("extra", ["otel", None], ids=["with-otel-extra", "without-otel-extra"])
def test_installed_wheel_passes_client_and_tracing_tests(wheel, extra, tmp_path):
    spec = f"{wheel}[otel]" if extra else str(wheel)
    venv, env = fresh_venv(tmp_path, sys.executable, spec, *requirements_for_tests(with_otel_api=bool(extra)))
    probe = run([venv / "bin/python", "-c", textwrap.dedent("""
        import importlib.util, aerospike_py
        print(aerospike_py.__file__)
        print(importlib.util.find_spec("opentelemetry.trace") is not None)
    """)], cwd=ROOT, env=env).stdout.split()
    assert probe[0].startswith(str(venv)), f"imported {probe[0]}, not the installed wheel"
    assert probe[1] == str(bool(extra)), "opentelemetry-api should be there exactly with the otel extra"
    # `slow` is the test that rebuilds the extension from a copied spec (it needs cargo).
    # --basetemp: the inner run must not rotate away this run's temporary directories (the venv).
    proc = subprocess.run([venv / "bin/python", "-m", "pytest", "tests/client", "tests/tracing", "-q", "-rs",
                           "-m", "not slow", "-p", "no:cacheprovider", "--basetemp", tmp_path / "inner"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-4000:]
    print(f"[{'with' if extra else 'without'} otel extra] {summary}")
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed > 200, summary
    otel_skips = proc.stdout.count("not installed (aerospike-py without the otel extra)")
    if extra:
        assert otel_skips == 0
    else:
        assert otel_skips > 0, "no scenario needed the OpenTelemetry API: was it absent?"


def find_python(minor: int) -> str | None:
    """CPython 3.minor on PATH, or one pyenv installed (our machines carry several)."""
    candidates = [shutil.which(f"python3.{minor}")]
    candidates += sorted(str(p) for p in (Path.home() / ".pyenv/versions").glob(f"3.{minor}.*/bin/python3.{minor}"))
    for exe in filter(None, candidates):
        if subprocess.run([exe, "-c", "import venv"], capture_output=True).returncode == 0:
            return exe
    return None


@pytest.mark.parametrize("minor", [10, 12, 13], ids=lambda m: f"python3.{m}")
def test_abi3_wheel_works_on_other_pythons(wheel, minor, aerospike_hosts, tmp_path):
    """One abi3 wheel for every CPython >= 3.10: a smoke run of both clients on the others found here."""
    exe = find_python(minor)
    if exe is None:
        pytest.skip(f"no CPython 3.{minor} on this machine")
    venv, env = fresh_venv(tmp_path, exe, str(wheel))
    script = textwrap.dedent(f"""
        import asyncio, sys, aerospike_py
        hosts = {list(aerospike_hosts)!r}
        key = ("test", "abi3", sys.version)
        with aerospike_py.client({{"hosts": hosts}}).connect() as c:
            c.put(key, {{"v": list(sys.version_info[:2])}})
            assert c.get(key)[2] == {{"v": list(sys.version_info[:2])}}
            assert c.batch_read([key]).batch_records[0].result == 0
        async def main():
            async with aerospike_py.AsyncClient({{"hosts": hosts}}) as ac:
                assert (await ac.get(key))[2]["v"] == list(sys.version_info[:2])
        asyncio.run(main())
        print(aerospike_py.__file__)
    """)
    out = run([venv / "bin/python", "-c", script], cwd=tmp_path, env=env).stdout
    assert out.startswith(str(venv))
