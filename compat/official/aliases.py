"""`import aerospike` / `import aerospike_helpers.*` resolved to aerospike_py, as a switching user would
alias them. Loaded before the official tests are collected (plugin.py); nothing here is test-specific."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

# official module -> ours. A name missing here or in our package fails the import, as it would
# for a user: that is a result, not something to hide.
ALIASES = {
    "aerospike": "aerospike_py",
    "aerospike.exception": "aerospike_py.exception",
    "aerospike.predicates": "aerospike_py.predicates",
    "aerospike_helpers.cdt_ctx": "aerospike_py.cdt_ctx",
    "aerospike_helpers.operations.operations": "aerospike_py.operations",
    "aerospike_helpers.operations.list_operations": "aerospike_py.list_operations",
    "aerospike_helpers.operations.map_operations": "aerospike_py.map_operations",
    "aerospike_helpers.operations.bitwise_operations": "aerospike_py.bitwise_operations",
    "aerospike_helpers.operations.hll_operations": "aerospike_py.hll_operations",
    "aerospike_helpers.operations.expression_operations": "aerospike_py.expression_operations",
    "aerospike_helpers.expressions": "aerospike_py.expressions",
    "aerospike_helpers.batch.records": "aerospike_py.batch_records",
    "aerospike_helpers.metrics": "aerospike_py.metrics",
}
# Packages that exist only as containers in the official layout.
PACKAGES = {"aerospike_helpers", "aerospike_helpers.operations", "aerospike_helpers.batch"}
# aerospike_helpers.expressions.<sub> (base, list, map, arithmetic, bitwise, ...) -> our module of
# the same name under aerospike_py.expressions when it is a package, else the flat module.
SUBMODULE_PARENTS = {"aerospike_helpers.expressions": "aerospike_py.expressions"}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def _target(self, name: str) -> str | None:
        if name in ALIASES:
            return ALIASES[name]
        for parent, ours in SUBMODULE_PARENTS.items():
            if name.startswith(parent + "."):
                sub = name[len(parent) + 1 :]
                candidate = f"{ours}.{sub}"
                if importlib.util.find_spec(ours) and importlib.util.find_spec(ours).submodule_search_locations:
                    return candidate
                return ours
        return None

    def find_spec(self, name, path=None, target=None):
        if name in PACKAGES or self._target(name) is not None:
            return importlib.util.spec_from_loader(name, self, is_package=name in PACKAGES or name == "aerospike")
        return None

    def create_module(self, spec):
        if spec.name in PACKAGES:
            mod = types.ModuleType(spec.name)
            mod.__path__ = []
            return mod
        return importlib.import_module(self._target(spec.name))

    def exec_module(self, module):
        pass


def install() -> None:
    sys.meta_path.insert(0, _Alias())
