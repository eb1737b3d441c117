"""Filter expressions, with the official client's class names (`aerospike_helpers.expressions`).

Build a tree and compile it, then pass it as the `expressions` key of any policy: the command then
only applies to records for which the expression is true (others answer FilteredOut, code 27, or
are skipped by batches and queries). `.compile()` returns the same list as the official helpers',
so expressions built with either package work here.

    from aerospike_py import expressions as exp
    policy = {"expressions": exp.And(exp.GE(exp.IntBin("age"), 18), exp.BinExists("email")).compile()}

The submodules mirror the official layout: base, arithmetic, bitwise_operators, list, map, resources.
"""

from aerospike_py.expressions.base import *  # noqa: F403
from aerospike_py.expressions.base import _Expr  # noqa: F401 - the node base class
from aerospike_py.expressions.list import *  # noqa: F403
from aerospike_py.expressions.map import *  # noqa: F403
from aerospike_py.expressions.resources import ResultType  # noqa: F401
