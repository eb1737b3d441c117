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

_END_OF_ARGS = 150  # closes a variadic node's arguments
_VALUE = 200

# Result types (aerospike ResultType / as_exp_type).
NIL, BOOLEAN, INTEGER, STRING, LIST, MAP, BLOB, FLOAT, GEOJSON, HLL = range(10)

# Operator codes the overloads build (aerospike_helpers.expressions.resources._ExprOp).
_ADD, _SUB, _MUL, _DIV, _POW, _MOD, _ABS, _FLOOR, _CEIL = 20, 21, 22, 23, 24, 26, 27, 28, 29


class _Expr:
    """One node: `op` and result type `rt` on the class, `fixed` fields and children per instance.

    Arithmetic operators build the official helpers' nodes: `a + b` (`-`, `*`, `/`) is Add (Sub,
    Mul, Div) with a chain of the same operator flattened into one node, `a // b` is Floor(Div),
    `a ** b` Pow, `a % b` Mod, `abs(a)`, `math.floor(a)`, `math.ceil(a)` Abs, Floor, Ceil.
    Comparisons and bitwise operators are not overloaded (as in the official helpers)."""

    _op = 0
    _rt: int | None = None
    _fixed: dict[str, Any] | None = None
    _children: tuple[Any, ...] = ()
    _variadic = False

    def __init__(self, *children: Any, fixed: dict[str, Any] | None = None) -> None:
        self._children = children + ((_End(),) if self._variadic else ())
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
            else:
                out.append((_VALUE, None, {"val": child}, 0))

    # Operator overloads, built exactly as aerospike_helpers.expressions.resources._BaseExpr does.
    def _unary(self, op: int) -> "_Expr":
        return _operator(op, self._children if self._op == op else (self,), ())

    def _binary(self, right: Any, op: int) -> "_Expr":
        left = self._children if self._op == op else (self,)
        r = right._children if isinstance(right, _Expr) and right._op == op else (right,)
        return _operator(op, left, r)

    def _variadic_op(self, right: Any, op: int) -> "_Expr":
        left = self._children[:-1] if self._op == op else (self,)
        r = right._children[:-1] if isinstance(right, _Expr) and right._op == op else (right,)
        return _operator(op, left, r + (_End(bare=True),))

    def __abs__(self) -> "_Expr":
        return self._unary(_ABS)

    def __floor__(self) -> "_Expr":
        return self._unary(_FLOOR)

    def __ceil__(self) -> "_Expr":
        return self._unary(_CEIL)

    def __add__(self, right: Any) -> "_Expr":
        return self._variadic_op(right, _ADD)

    def __sub__(self, right: Any) -> "_Expr":
        return self._variadic_op(right, _SUB)

    def __mul__(self, right: Any) -> "_Expr":
        return self._variadic_op(right, _MUL)

    def __truediv__(self, right: Any) -> "_Expr":
        return self._variadic_op(right, _DIV)

    def __floordiv__(self, right: Any) -> "_Expr":
        return self.__truediv__(right).__floor__()

    def __pow__(self, right: Any) -> "_Expr":
        return self._binary(right, _POW)

    def __mod__(self, right: Any) -> "_Expr":
        return self._binary(right, _MOD)


class _End(_Expr):
    """The end-of-arguments marker of a variadic node: (150, 0, {}, 0) after a class's arguments,
    (150, None, None, 0) after an operator's, as the official helpers compile them."""

    _op = _END_OF_ARGS

    def __init__(self, rt: int | None = 0, fixed: dict[str, Any] | None = None, *, bare: bool = False) -> None:
        self._rt, self._fixed = (None, None) if bare else (rt, {} if fixed is None else fixed)


def _operator(op: int, left: tuple[Any, ...], right: tuple[Any, ...]) -> _Expr:
    node = _Expr()
    node._op = op
    node._children = (*left, *right)
    return node


class _GenericExpr(_Expr):
    """A node with an explicit op, result type and fixed fields (the policy node of a CDT modify)."""

    def __init__(self, op: int, rt: int | None, fixed: dict[str, Any] | None) -> None:
        self._op, self._rt, self._fixed = op, rt, fixed
        self._children = ()


class _Bin(_Expr):
    _op = 81

    def __init__(self, bin: str) -> None:
        super().__init__(fixed={"bin": bin})


def _bin(name: str, rt: int) -> type[_Bin]:
    return type(
        name, (_Bin,), {"_rt": rt, "__doc__": f"The value of a bin holding {name[:-3].lower()} data."}
    )


IntBin, StrBin, FloatBin, BlobBin, BoolBin, ListBin, MapBin, HLLBin = (
    _bin(n, rt)
    for n, rt in [
        ("IntBin", INTEGER),
        ("StrBin", STRING),
        ("FloatBin", FLOAT),
        ("BlobBin", BLOB),
        ("BoolBin", BOOLEAN),
        ("ListBin", LIST),
        ("MapBin", MAP),
        ("HLLBin", HLL),
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
DeviceSize = _node("DeviceSize", 65, INTEGER, doc="The record's size on the device (the server answers RecordSize).")
MemorySize = _node("MemorySize", 73, INTEGER, doc="The record's size in memory (the server answers RecordSize).")
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
