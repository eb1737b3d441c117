"""Every Python example of the documentation site runs, so none can rot.

The pages are docs/gen_pages.py's `example_sources()`: the hand-written pages of docs/ and the
repository Markdown the site includes (docs/api.md's examples come from ops.yaml and run in
tests/client/test_conformance.py). Per page, in a fresh process (tracing is per process):
a ```python block with a `title="path"` is a file of the example's project, written under that
path; the other blocks run in order as one script in the project's directory. The seed
`("127.0.0.1", 3000)` the examples show becomes the suite's server, and spans go to a real OTLP
receiver: a page that calls init_tracing() must have exported spans.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from otlp_receiver import OtlpReceiver

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("gen_pages", ROOT / "docs" / "gen_pages.py")
gen_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_pages)

FENCE = re.compile(r"^```python([^\n]*)\n(.*?)^```\s*$", re.M | re.S)
TITLE = re.compile(r'title="([^"]+)"')
SEED = '("127.0.0.1", 3000)'


def python_blocks(markdown: str) -> list[tuple[str | None, str]]:
    """[(title or None, code)] of the page's ```python blocks, in order."""
    out = []
    for info, code in FENCE.findall(markdown):
        m = TITLE.search(info)
        out.append((m.group(1) if m else None, code))
    return out


PAGES = {page: blocks for page, text in gen_pages.example_sources().items() if (blocks := python_blocks(text))}


def test_pages_with_examples_are_found():
    # The guides this suite exists for: if the parsing broke, they would silently drop out.
    assert {"getting-started.md", "index.md", "recipes/fastapi.md", "recipes/django.md", "switching.md",
            "tracing.md"} <= set(PAGES)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_examples_run(page, aerospike_hosts, tmp_path):
    seed = repr(tuple(aerospike_hosts[0]))
    script = []
    for title, code in PAGES[page]:
        code = code.replace(SEED, seed)
        assert "3000" not in code, f"{page}: an example names a server other than the seed {SEED}"
        if title:
            (tmp_path / title).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / title).write_text(code)
        else:
            script.append(code)
    (tmp_path / "example.py").write_text("\n".join(script))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    with OtlpReceiver() as receiver:
        env.update(PYTHONPATH=str(tmp_path), OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
                   OTEL_BSP_SCHEDULE_DELAY="100")
        proc = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=180)
        assert proc.returncode == 0, f"{page}'s examples failed:\n{proc.stdout}\n{proc.stderr}"
        if "init_tracing()" in "".join(code for _, code in PAGES[page]):
            assert receiver.wait_for_spans(1), f"{page} starts tracing but exported no span"
