"""The vendored aerospike-core is the released crate plus exactly vendor/aerospike-core.patch."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_vendored_crate_is_release_plus_patch():
    out = subprocess.run([sys.executable, str(ROOT / "vendor" / "patches.py"), "check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_every_patched_file_is_listed_in_patches_md():
    patch = (ROOT / "vendor" / "aerospike-core.patch").read_text()
    doc = (ROOT / "vendor" / "PATCHES.md").read_text()
    files = {line.split()[1].split("/", 1)[1] for line in patch.splitlines() if line.startswith("+++ ")}
    missing = [f for f in files if f"`{f}`" not in doc]
    assert not missing, f"patched but not described in vendor/PATCHES.md: {missing}"
