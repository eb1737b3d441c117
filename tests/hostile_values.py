"""Python values that used to crash the interpreter when converted (issue 17): shared by the
hostile-input tests and the fuzz."""

from __future__ import annotations


def cyclic_list():
    a = [1]
    a.append(a)
    return a


def cyclic_dict():
    d = {"k": 1}
    d["self"] = d
    return d


def cyclic_through_tuple():
    inner = []
    outer = (1, inner)
    inner.append(outer)
    return outer


def nested_list(depth: int):
    v: object = 1
    for _ in range(depth):
        v = [v]
    return v


def nested_dict(depth: int):
    v: object = 1
    for _ in range(depth):
        v = {"d": v}
    return v
