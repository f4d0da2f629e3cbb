"""Compile a validated ruleset to durable-rules JSON, and turn facts into the engine's input.

The engine sees only plain fields: native comparisons (numbers, choices, references, yes/no)
on the fact values, and 0/1 features computed here in Python for text and tag operators.
Every fact the rules use also gets a presence flag, so "missing" never needs the engine's
`$nex` operator: `$nex` matches the engine's own state records too and loops forever.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .conditions import NATIVE_OPS, holds
from .points import DecisionPoint

MARK = "k__"  # on every fact we assert, so no rule ever matches the engine's state records
_NEGATED_NATIVE = {
    "eq": "ne",
    "ne": "eq",
    "gt": "lte",
    "gte": "lt",
    "lt": "gte",
    "lte": "gt",
    "is_true": "not_true",
    "is_false": "not_false",
}
_CMP = {"gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
# Text equality goes through Python too: user text starting with "$" means something to the engine.
_PY_TYPES = frozenset({"text", "tags"})


@dataclass(frozen=True)
class Feature:
    """A condition computed in Python into the 0/1 field `name`."""

    name: str
    field: str
    op: str
    value: Any


@dataclass
class Compiled:
    """A ruleset ready for the engine: its versioned name, JSON, and how to build its facts."""

    point: str
    name: str
    rules: list[dict[str, Any]]  # the enabled rules, in order; engine rule i is rules[i]
    engine_json: dict[str, Any]
    native: dict[str, str] = field(default_factory=dict)  # fact name -> type, read by the engine
    features: list[Feature] = field(default_factory=list)
    present: set[str] = field(default_factory=set)  # facts whose presence flag is used

    def engine_fact(self, facts: dict[str, Any]) -> dict[str, Any]:
        """Return the plain record the engine matches, from coerced facts."""
        out: dict[str, Any] = {MARK: 1}
        for name, type_ in self.native.items():
            if name in facts:
                value = facts[name]
                out[name] = (1 if value else 0) if type_ == "bool" else value
        for name in self.present:
            out["_h_" + name] = 1 if name in facts else 0
        for f in self.features:
            out[f.name] = 1 if holds(f.op, f.field in facts, facts.get(f.field), f.value) else 0
        return out


class _Builder:
    def __init__(self, point: DecisionPoint):
        self.point = point
        self.native: dict[str, str] = {}
        self.features: dict[str, Feature] = {}
        self.present: set[str] = set()

    def feature(self, leaf: dict[str, Any]) -> str:
        key = json.dumps([leaf["field"], leaf["op"], leaf.get("value")], sort_keys=True, ensure_ascii=False)
        if key not in self.features:
            name = f"_f{len(self.features)}"
            self.features[key] = Feature(name, leaf["field"], leaf["op"], leaf.get("value"))
        return self.features[key].name

    def leaf(self, leaf: dict[str, Any], negate: bool) -> dict[str, Any]:
        spec = self.point.fact(leaf["field"])
        assert spec is not None  # validated before compiling
        op = leaf["op"]
        if op not in NATIVE_OPS or spec.type in _PY_TYPES:
            return {self.feature(leaf): 0 if negate else 1}
        name = leaf["field"]
        self.native[name] = spec.type
        if negate:
            op = _NEGATED_NATIVE[op]
        value = leaf.get("value")
        if op == "eq":
            return {name: value}
        if op == "is_true":
            return {name: 1}
        if op == "is_false":
            return {name: 0}
        # The rest are true when the fact is missing, which the engine cannot see by itself.
        self.present.add(name)
        missing = {"_h_" + name: 0}
        if op == "ne":
            return {"$or": [missing, {"$neq": {name: value}}]}
        if op == "not_true":
            return {"$or": [missing, {name: 0}]}
        if op == "not_false":
            return {"$or": [missing, {name: 1}]}
        return {"$or": [missing, {_CMP[op]: {name: value}}]} if negate else {_CMP[op]: {name: value}}

    def node(self, node: dict[str, Any], negate: bool = False) -> dict[str, Any]:
        if "all" in node:
            return self.join("$or" if negate else "$and", [self.node(c, negate) for c in node["all"]])
        if "any" in node:
            return self.join("$and" if negate else "$or", [self.node(c, negate) for c in node["any"]])
        if "none" in node:
            return self.join("$or" if negate else "$and", [self.node(c, not negate) for c in node["none"]])
        return self.leaf(node, negate)

    @staticmethod
    def join(op: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
        return parts[0] if len(parts) == 1 else {op: parts}


def engine_name(point: str, rules: list[dict[str, Any]]) -> str:
    """Name a compiled ruleset by its content: identical rules share one engine ruleset."""
    digest = hashlib.sha256(json.dumps(rules, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"{point}_{digest[:20]}"


def compile_ruleset(point: DecisionPoint, definition: dict[str, Any]) -> Compiled:
    """Compile a canonical (validated) definition; disabled rules are left out."""
    builder = _Builder(point)
    rules = [r for r in definition["rules"] if r["enabled"]]
    body: dict[str, Any] = {}
    for i, rule in enumerate(rules):
        cond: dict[str, Any] = {MARK: 1}
        if rule["when"] is not None:
            cond = {"$and": [cond, builder.node(rule["when"])]}
        body[f"r{i:03d}"] = {"pri": i, "all": [{"m": cond}], "run": f"a{i}"}
    name = engine_name(point.name, rules)
    return Compiled(
        point=point.name,
        name=name,
        rules=rules,
        engine_json={name: body} if body else {},
        native=builder.native,
        features=list(builder.features.values()),
        present=builder.present,
    )
