"""Arithmetic expressions (`aerospike_helpers.expressions.arithmetic`)."""

from aerospike_py.expressions.base import Abs, Add, Ceil, Div, Floor, Log, Max, Min, Mod, Mul, Pow, Sub, ToFloat, ToInt

__all__ = ["Abs", "Add", "Ceil", "Div", "Floor", "Log", "Max", "Min", "Mod", "Mul", "Pow", "Sub", "ToFloat", "ToInt"]
