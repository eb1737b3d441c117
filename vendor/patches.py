"""The patched aerospike-core: vendor/aerospike-core is the released crate plus vendor/aerospike-core.patch.

    python vendor/patches.py check     # the vendored tree is exactly the released crate + the patch
    python vendor/patches.py diff      # rewrite the patch from the vendored tree (after editing it)
    python vendor/patches.py apply DIR # apply the patch to another unpacked release (an upgrade)

The released crate comes from cargo's registry cache (fetched with `cargo fetch` when absent), so
nothing but the patch and PATCHES.md needs reading to know what we changed. See vendor/PATCHES.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRATE, VERSION = "aerospike-core", "3.0.0"
VENDORED = HERE / CRATE
PATCH = HERE / f"{CRATE}.patch"
# Files cargo writes into an unpacked crate that are not part of the release's sources.
IGNORED = {".cargo-ok"}


def _crate_file() -> Path:
    home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    found = sorted(home.glob(f"registry/cache/*/{CRATE}-{VERSION}.crate"))
    if found:
        return found[0]
    with tempfile.TemporaryDirectory() as tmp:  # a throwaway manifest that depends on the release
        (Path(tmp) / "src").mkdir()
        (Path(tmp) / "src" / "lib.rs").write_text("")
        (Path(tmp) / "Cargo.toml").write_text(
            f'[package]\nname = "fetch-pristine"\nversion = "0.0.0"\nedition = "2021"\n'
            f'[dependencies]\n{CRATE} = {{ version = "={VERSION}", default-features = false }}\n'
        )
        subprocess.run(["cargo", "fetch", "--quiet"], cwd=tmp, check=True)
    found = sorted(home.glob(f"registry/cache/*/{CRATE}-{VERSION}.crate"))
    if not found:
        sys.exit(f"{CRATE}-{VERSION}.crate not in {home}/registry/cache after cargo fetch")
    return found[0]


def pristine(dest: Path) -> Path:
    """Unpacks the released crate under dest; returns its root."""
    with tarfile.open(_crate_file()) as tar:
        tar.extractall(dest, filter="data")
    return dest / f"{CRATE}-{VERSION}"


def _diff(a: Path, b: Path) -> str:
    out = subprocess.run(
        ["diff", "-ruN", *(f"--exclude={x}" for x in IGNORED), a.name, b.name],
        cwd=a.parent, capture_output=True, text=True,
    )
    if out.returncode > 1:
        sys.exit(out.stderr)
    # File times in the ---/+++ headers differ in every checkout: keep only the paths.
    return "".join(
        line.split("\t", 1)[0] + "\n" if line.startswith(("--- ", "+++ ")) else line
        for line in out.stdout.splitlines(keepends=True)
    )


def current_diff() -> str:
    """The diff from the released crate to the vendored tree, with paths a/ and b/ as `patch -p1` wants."""
    with tempfile.TemporaryDirectory() as tmp:
        root = pristine(Path(tmp))
        a = root.rename(Path(tmp) / "a")
        b = Path(tmp) / "b"
        b.symlink_to(VENDORED)
        return _diff(a, b)


def apply(target: Path) -> None:
    subprocess.run(["patch", "-p1", "--forward", "-i", str(PATCH)], cwd=target, check=True)


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "check"
    if cmd == "diff":
        PATCH.write_text(current_diff())
        print(f"wrote {PATCH.relative_to(HERE.parent)}")
        return 0
    if cmd == "apply":
        apply(Path(argv[2]))
        return 0
    if cmd == "check":
        if current_diff() != PATCH.read_text():
            print(f"vendor/{CRATE} differs from {CRATE} {VERSION} + {PATCH.name}: run `python vendor/patches.py diff`"
                  " and describe the change in vendor/PATCHES.md", file=sys.stderr)
            return 1
        print(f"vendor/{CRATE} = {CRATE} {VERSION} + {PATCH.name}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
