"""Makes this interpreter behave as if the OpenTelemetry API package were not installed.

Used by the bench's `[no-otel-api]` contenders: this directory goes first on PYTHONPATH, so the
interpreter runs this file at start-up (the `site` module imports `sitecustomize`). It swaps the
standard path finder for one that, for `opentelemetry` and its submodules only, searches every
sys.path entry except those where the package is installed. An import of it then fails the way
it fails without the package (importlib's own ModuleNotFoundError after the same kind of search, on
every attempt: a failed import is never cached), instead of a shortcut that would make a missing
package cheaper than it really is. Everything else is imported exactly as before.
"""

import os
import sys
from importlib.machinery import PathFinder

BLOCKED = "opentelemetry"
_holds_it: dict = {}  # sys.path entry -> whether the package is installed there (checked once)


def _without_it(entry) -> bool:
    if entry not in _holds_it:
        _holds_it[entry] = os.path.exists(os.path.join(entry or ".", BLOCKED))
    return not _holds_it[entry]


class _PathFinderWithoutOtel(PathFinder):
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname == BLOCKED or fullname.startswith(BLOCKED + "."):
            entries = sys.path if path is None else path
            path = [p for p in entries if _without_it(p)]
        return PathFinder.find_spec(fullname, path, target)


sys.meta_path[:] = [_PathFinderWithoutOtel if f is PathFinder else f for f in sys.meta_path]
