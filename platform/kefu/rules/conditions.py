"""Operators: which fact types allow them, and their meaning, evaluated in Python.

The meaning here is the contract the engine adapter compiles to and the explainer shows:
a comparison on a missing fact is false, and every negative operator is exactly the
negation of its positive twin (so `ne` is true when the fact is missing).
"""

from __future__ import annotations

from typing import Any

# Operators per fact type. Value kinds: "scalar" (one value of the fact's type),
# "list" (non-empty list of them), "text" (one string), "none" (no value).
OPS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "number": ("eq", "ne", "gt", "gte", "lt", "lte", "exists", "missing"),
    "text": (
        "eq",
        "ne",
        "contains",
        "not_contains",
        "starts_with",
        "ends_with",
        "in",
        "not_in",
        "keywords",
        "exists",
        "missing",
    ),
    "enum": ("eq", "ne", "in", "not_in", "exists", "missing"),
    "ref": ("eq", "ne", "in", "not_in", "exists", "missing"),
    "bool": ("is_true", "is_false"),
    "tags": ("has", "has_not", "has_any", "has_all", "has_none", "exists", "missing"),
}
VALUE_KIND: dict[str, str] = {
    "eq": "scalar",
    "ne": "scalar",
    "gt": "scalar",
    "gte": "scalar",
    "lt": "scalar",
    "lte": "scalar",
    "contains": "text",
    "not_contains": "text",
    "starts_with": "text",
    "ends_with": "text",
    "in": "list",
    "not_in": "list",
    "keywords": "list",
    "has": "text",
    "has_not": "text",
    "has_any": "list",
    "has_all": "list",
    "has_none": "list",
    "exists": "none",
    "missing": "none",
    "is_true": "none",
    "is_false": "none",
}
# Operators the engine evaluates itself on the plain fact value; the rest are computed in
# Python into 0/1 feature fields (durable-rules regex leaks on reload and anchors oddly).
NATIVE_OPS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte", "is_true", "is_false"})
OP_LABELS: dict[str, tuple[str, str]] = {
    "eq": ("等于", "equals"),
    "ne": ("不等于", "does not equal"),
    "gt": ("大于", "greater than"),
    "gte": ("大于等于", "at least"),
    "lt": ("小于", "less than"),
    "lte": ("小于等于", "at most"),
    "contains": ("包含", "contains"),
    "not_contains": ("不包含", "does not contain"),
    "starts_with": ("开头是", "starts with"),
    "ends_with": ("结尾是", "ends with"),
    "in": ("属于", "is one of"),
    "not_in": ("不属于", "is none of"),
    "keywords": ("含任一关键词", "contains any keyword"),
    "has": ("含标签", "has tag"),
    "has_not": ("不含标签", "lacks tag"),
    "has_any": ("含任一标签", "has any of"),
    "has_all": ("含全部标签", "has all of"),
    "has_none": ("不含这些标签", "has none of"),
    "exists": ("有值", "is set"),
    "missing": ("无值", "is not set"),
    "is_true": ("是", "is yes"),
    "is_false": ("否", "is no"),
}


def _fold(value: Any) -> str:
    return str(value).casefold()


def holds(op: str, present: bool, actual: Any, value: Any) -> bool:
    """Return whether `actual` (the fact, if present) satisfies `op value`."""
    if op == "exists":
        return present and actual not in ("", [])
    if op == "missing":
        return not holds("exists", present, actual, value)
    negations = {
        "ne": "eq",
        "not_contains": "contains",
        "not_in": "in",
        "has_not": "has",
        "has_none": "has_any",
    }
    if op in negations:
        return not holds(negations[op], present, actual, value)
    if not present:
        return False
    if op == "eq":
        return bool(actual == value)
    if op == "gt":
        return bool(actual > value)
    if op == "gte":
        return bool(actual >= value)
    if op == "lt":
        return bool(actual < value)
    if op == "lte":
        return bool(actual <= value)
    if op == "is_true":
        return actual is True
    if op == "is_false":
        return actual is False
    if op == "contains":
        return _fold(value) in _fold(actual)
    if op == "starts_with":
        return _fold(actual).startswith(_fold(value))
    if op == "ends_with":
        return _fold(actual).endswith(_fold(value))
    if op == "in":
        return actual in value
    if op == "keywords":
        text = _fold(actual)
        return any(_fold(k) in text for k in value)
    tags = {_fold(t) for t in actual}
    if op == "has":
        return _fold(value) in tags
    if op == "has_any":
        return any(_fold(v) in tags for v in value)
    if op == "has_all":
        return all(_fold(v) in tags for v in value)
    raise ValueError(f"unknown operator {op}")
