"""Integer bit operators (`aerospike_helpers.expressions.bitwise_operators`)."""

from aerospike_py.expressions.base import (
    IntAnd,
    IntArithmeticRightShift,
    IntCount,
    IntLeftScan,
    IntLeftShift,
    IntNot,
    IntOr,
    IntRightScan,
    IntRightShift,
    IntXOr,
)

__all__ = [
    "IntAnd",
    "IntArithmeticRightShift",
    "IntCount",
    "IntLeftScan",
    "IntLeftShift",
    "IntNot",
    "IntOr",
    "IntRightScan",
    "IntRightShift",
    "IntXOr",
]
