"""The fuzz's server and settings.

`make test` runs a short, derandomized version (FUZZ_EXAMPLES examples per test, 150 by default);
`make fuzz` runs FUZZ_EXAMPLES=21000 with random seeds (105,000 examples, more calls). The fuzz runs
against its own dev server only: it truncates, creates and drops indexes, and sends hostile info
commands, which a shared real server must not get.
"""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

from servers import DevServer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
LONG = "FUZZ_EXAMPLES" in os.environ

settings.register_profile(
    "fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not LONG,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile("fuzz")


@pytest.fixture(scope="session")
def fuzz_server():
    with DevServer(nodes=1) as server:
        yield server


def pytest_terminal_summary(terminalreporter):
    module = next((m for name, m in list(sys.modules.items()) if name.endswith("test_fuzz_api")), None)
    if module is not None and module.OUTCOMES:
        for line in module.summary():
            terminalreporter.write_line(line)
