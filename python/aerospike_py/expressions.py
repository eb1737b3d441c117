"""Filter expressions, with the official client's class names (`aerospike_helpers.expressions`).

Build a tree and compile it, then pass it as the `expressions` key of any policy: the command then
only applies to records for which the expression is true (others answer FilteredOut, code 27, or
are skipped by batches and queries). `.compile()` returns the same list as the official helpers',
so expressions built with either package work here.

    from aerospike_py import expressions as exp
    policy = {"expressions": exp.And(exp.GE(exp.IntBin("age"), 18), exp.BinExists("email")).compile()}
"""

from __future__ import annotations

from typing import Any

Compiled = list[tuple[int, "int | None", "dict[str, Any] | None", int]]

_END: tuple[int, int, dict[str, Any], int] = (150, 0, {}, 0)  # closes a variadic node's arguments
_VALUE = 200

# Result types (aerospike ResultType / as_exp_type).
NIL, BOOLEAN, INTEGER, STRING, LIST, MAP, BLOB, FLOAT, GEOJSON, HLL = range(10)


class _Expr:
    """One node: `op` and result type `rt` on the class, `fixed` fields and children per instance."""

    _op = 0
    _rt: int | None = None
    _variadic = False

    def __init__(self, *children: Any, fixed: dict[str, Any] | None = None) -> None:
        self._children = children + ((_END,) if self._variadic else ())
        self._fixed = fixed

    def compile(self) -> Compiled:
        out: Compiled = []
        self._compile(out)
        return out

    def _compile(self, out: Compiled) -> None:
        out.append((self._op, self._rt, self._fixed, len(self._children)))
        for child in self._children:
            if isinstance(child, _Expr):
                child._compile(out)
            elif child is _END:
                out.append(_END)
            else:
                out.append((_VALUE, None, {"val": child}, 0))


class _Bin(_Expr):
    _op = 81

    def __init__(self, bin: str) -> None:
        super().__init__(fixed={"bin": bin})


def _bin(name: str, rt: int) -> type[_Bin]:
    return type(
        name, (_Bin,), {"_rt": rt, "__doc__": f"The value of a bin holding {name[:-3].lower()} data."}
    )


IntBin, StrBin, FloatBin, BlobBin, BoolBin, ListBin, MapBin = (
    _bin(n, rt)
    for n, rt in [
        ("IntBin", INTEGER),
        ("StrBin", STRING),
        ("FloatBin", FLOAT),
        ("BlobBin", BLOB),
        ("BoolBin", BOOLEAN),
        ("ListBin", LIST),
        ("MapBin", MAP),
    ]
)


class BinExists(_Bin):
    """True when the bin exists."""

    _op, _rt = 83, BOOLEAN


class BinType(_Bin):
    """The bin's particle type (0 when absent)."""

    _op, _rt = 82, INTEGER


class Val(_Expr):
    """A literal value."""

    _op = 128

    def __init__(self, value: Any) -> None:
        super().__init__(fixed={"val": value})


class DigestMod(_Expr):
    """The record digest modulo `mod`."""

    _op, _rt = 64, INTEGER

    def __init__(self, mod: int) -> None:
        super().__init__(fixed={"val": mod})


class CmpRegex(_Expr):
    """True when the string expression matches the POSIX regex (`options`: REGEX_* flags)."""

    _op = 7

    def __init__(self, options: int, regex_str: str, cmp_str: Any) -> None:
        super().__init__(cmp_str, fixed={"regex_options": options, "val": regex_str})


class Def(_Expr):
    """Binds `var_name` to `expr` inside a Let."""

    _op = 126

    def __init__(self, var_name: str, expr: Any) -> None:
        super().__init__(expr, fixed={"val": var_name})


class Var(_Expr):
    """The value bound to `var_name` by a Def."""

    _op = 124

    def __init__(self, var_name: str) -> None:
        super().__init__(fixed={"val": var_name})


def _node(name: str, op: int, rt: int | None = None, variadic: bool = False, doc: str = "") -> type[_Expr]:
    return type(name, (_Expr,), {"_op": op, "_rt": rt, "_variadic": variadic, "__doc__": doc})


# Record metadata and key (no arguments).
KeyInt = _node("KeyInt", 80, INTEGER, doc="The record's integer user key (needs POLICY_KEY_SEND).")
KeyStr = _node("KeyStr", 80, STRING, doc="The record's string user key (needs POLICY_KEY_SEND).")
KeyBlob = _node("KeyBlob", 80, BLOB, doc="The record's bytes user key (needs POLICY_KEY_SEND).")
KeyExists = _node("KeyExists", 70, BOOLEAN, doc="True when the record stores its user key.")
SetName = _node("SetName", 69, STRING, doc="The record's set name.")
RecordSize = _node("RecordSize", 74, INTEGER, doc="The record's size in bytes.")
LastUpdateTime = _node("LastUpdateTime", 66, INTEGER, doc="Last update time, ns since the Unix epoch.")
SinceUpdateTime = _node("SinceUpdateTime", 71, INTEGER, doc="Milliseconds since the last update.")
VoidTime = _node("VoidTime", 67, INTEGER, doc="Expiration time, ns since the Unix epoch (-1: never).")
TTL = _node("TTL", 68, INTEGER, doc="Seconds until the record expires (-1: never).")
IsTombstone = _node("IsTombstone", 72, BOOLEAN, doc="True for a tombstone (durable delete).")
Unknown = _node("Unknown", 0, doc="The 'unknown' value: fails the expression.")

# Comparisons and logic.
Eq = _node("Eq", 1, doc="left == right")
NE = _node("NE", 2, doc="left != right")
GT = _node("GT", 3, doc="left > right")
GE = _node("GE", 4, doc="left >= right")
LT = _node("LT", 5, doc="left < right")
LE = _node("LE", 6, doc="left <= right")
And = _node("And", 16, variadic=True, doc="True when every argument is true.")
Or = _node("Or", 17, variadic=True, doc="True when any argument is true.")
Not = _node("Not", 18, doc="Logical negation.")
Exclusive = _node("Exclusive", 19, variadic=True, doc="True when exactly one argument is true.")

# Arithmetic (aerospike_helpers.expressions.arithmetic).
Add = _node("Add", 20, variadic=True, doc="Sum of the arguments.")
Sub = _node("Sub", 21, variadic=True, doc="First argument minus the others.")
Mul = _node("Mul", 22, variadic=True, doc="Product of the arguments.")
Div = _node("Div", 23, variadic=True, doc="First argument divided by the others.")
Pow = _node("Pow", 24, doc="base ** exponent (floats).")
Log = _node("Log", 25, doc="Logarithm of num in base (floats).")
Mod = _node("Mod", 26, doc="numerator % denominator (integers).")
Abs = _node("Abs", 27, doc="Absolute value.")
Floor = _node("Floor", 28, doc="Round a float down.")
Ceil = _node("Ceil", 29, doc="Round a float up.")
ToInt = _node("ToInt", 30, doc="Float to integer.")
ToFloat = _node("ToFloat", 31, doc="Integer to float.")
Min = _node("Min", 50, variadic=True, doc="Smallest argument.")
Max = _node("Max", 51, variadic=True, doc="Largest argument.")

# Integer bit operators (aerospike_helpers.expressions.bitwise_operators).
IntAnd = _node("IntAnd", 32, variadic=True, doc="Bitwise and.")
IntOr = _node("IntOr", 33, variadic=True, doc="Bitwise or.")
IntXOr = _node("IntXOr", 34, variadic=True, doc="Bitwise xor.")
IntNot = _node("IntNot", 35, doc="Bitwise not.")
IntLeftShift = _node("IntLeftShift", 36, doc="value << shift")
IntRightShift = _node("IntRightShift", 37, doc="value >> shift (logical)")
IntArithmeticRightShift = _node("IntArithmeticRightShift", 38, doc="value >> shift (arithmetic)")
IntCount = _node("IntCount", 39, doc="Number of set bits.")
IntLeftScan = _node("IntLeftScan", 40, doc="Index of the first bit equal to `search` from the left.")
IntRightScan = _node("IntRightScan", 41, doc="Index of the first bit equal to `search` from the right.")

# Control flow.
Cond = _node("Cond", 123, variadic=True, doc="Cond(test1, value1, test2, value2, ..., default).")
Let = _node("Let", 125, variadic=True, doc="Let(Def(...), ..., expression using Var(...)).")


# Geospatial (aerospike_helpers.expressions.base GeoBin / CmpGeo).
GeoBin = _bin("GeoBin", GEOJSON)
CmpGeo = _node(
    "CmpGeo",
    8,
    doc="True when the first GeoJSON contains, or lies within, the second (a point within a region, "
    "or a region containing a point); pass GeoJSON values as aerospike_py.GeoJSON objects.",
)
