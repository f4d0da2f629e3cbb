"""Compile a validated ruleset to durable-rules JSON, and turn facts into the engine's input.

The engine sees only plain fields: native comparisons (numbers, choices, references, yes/no)
on encoded fact values, and 0/1 features computed here in Python for text and tag operators.
What the durable-rules C core does with other input, measured, shapes the encoding:

- Numbers become order-preserving 64-bit integer keys of their float value: the engine cannot
  read floats written with an exponent (``1e-07``: error 204) and compares ints with floats
  through doubles. Keys compare exactly like Python does on the (bounded) numbers we accept.
- Strings (choices, references by name) become ``"s:" + hex(utf-8)``: the engine compares an
  int with a string by printing the int (``5 == "5"`` held), and compares raw JSON text.
- A missing fact never relies on an absent field (``$nex`` matches the engine's own state
  records and loops; ``$neq`` on an absent field is false): fields that a negative condition
  reads always carry a value, a sentinel when the fact is missing (``m:`` for choices and
  references, 2 for yes/no, the keys of -inf/+inf for numbers).
- Every rule is one conjunction ``$and: [MARK, ...]`` with nested groups flattened: each
  ``$and``/``$or`` costs two of the 31 expression slots a rule has (MAX_SEQUENCE_EXPRESSIONS).
- Matching walks the alpha network depth-first on a stack of 64 nodes and errors (303) when
  more branches are pending: rules are packed into several engine rulesets ("chunks") whose
  combined branching stays under the stack, and each chunk's fact stays under 255 fields.
- Each chunk has a catch-all rule that always fires: deleting a state whose evaluation ran no
  action frees an uninitialised pointer in the C core (segfault on the first non-match).
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass, field
from typing import Any

from .conditions import NATIVE_OPS, holds
from .points import DecisionPoint

MARK = "k__"  # on every fact we assert, so no rule ever matches the engine's state records
END_ACTION = "end"  # the catch-all rule's action
END_PRIORITY = 60000  # after every rule (the engine reads `pri` as an unsigned short)
STACK_BUDGET = 56  # pending alpha branches per chunk; the engine's stack holds 64
FIELD_BUDGET = 200  # fields per asserted fact; the engine takes at most 255 properties
MISSING = "m:"
BOOL_MISSING = 2
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
# Text equality goes through Python too: contains/starts_with/... need it, and so does casefolding.
_PY_TYPES = frozenset({"text", "tags"})


def number_key(value: Any) -> int:
    """Map a number to an int64 whose order and equality are those of the number (-0.0 == 0)."""
    bits: int = struct.unpack("<q", struct.pack("<d", float(value)))[0]
    return bits if bits >= 0 else -(bits & 0x7FFF_FFFF_FFFF_FFFF)


NUMBER_LOW = number_key(float("-inf"))  # below every key: "missing" for `x <= v or missing`
NUMBER_HIGH = number_key(float("inf"))  # above every key: "missing" for `x >= v or missing`


def encode(value: Any) -> Any:
    """Encode a choice or reference for the engine: ints as they are, strings as tagged hex."""
    if isinstance(value, str):
        return "s:" + value.encode("utf-8", "surrogatepass").hex()
    return value


@dataclass(frozen=True)
class Feature:
    """A condition computed in Python into the 0/1 field `name`."""

    name: str
    field: str
    op: str
    value: Any


@dataclass
class Chunk:
    """One engine ruleset: a run of consecutive rules, and how to build the fact it matches."""

    name: str
    first: int  # index (among enabled rules) of its first rule
    count: int
    body: dict[str, Any]
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # engine field -> (fact, kind)
    features: list[Feature] = field(default_factory=list)
    _plan: list[tuple[str, str, list[tuple[str, Any, bool]]]] = field(
        default_factory=list, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self._plan = feature_plan(self.features)

    def record(self, facts: dict[str, Any]) -> dict[str, Any]:
        """Return the plain record the engine matches, from coerced facts."""
        out: dict[str, Any] = {MARK: 1}
        for name, (fact, kind) in self.fields.items():
            present = fact in facts
            value = facts.get(fact)
            if kind == "num":
                if present:
                    out[name] = number_key(value)
            elif kind == "lo":
                out[name] = number_key(value) if present else NUMBER_LOW
            elif kind == "hi":
                out[name] = number_key(value) if present else NUMBER_HIGH
            elif kind == "bool":
                out[name] = (1 if value else 0) if present else BOOL_MISSING
            else:  # choice or reference
                out[name] = encode(value) if present else MISSING
        # Features one fact at a time: the fact is folded once, each test is a prepared closure
        # with exactly the meaning of `conditions.holds` (the hot spot of a decision, profiled).
        for fact, prep, tests in self._plan:
            if fact not in facts:
                for name, _, negate in tests:  # every positive test is false on a missing fact
                    out[name] = 1 if negate else 0
                continue
            actual = facts[fact]
            if prep == "text":
                actual = str(actual).casefold()
            elif prep == "tags":
                actual = {str(t).casefold() for t in actual}
            for name, test, negate in tests:
                out[name] = 1 if test(actual) is not negate else 0
        return out


_NEGATIONS = {"ne": "eq", "not_contains": "contains", "not_in": "in", "has_not": "has", "has_none": "has_any"}
_TEXT_OPS = frozenset({"contains", "starts_with", "ends_with", "keywords"})
_TAG_OPS = frozenset({"has", "has_any", "has_all"})


def _fold(value: Any) -> str:
    return str(value).casefold()


def _test(op: str, value: Any) -> Any:
    """A test of a present fact's prepared value (folded text, folded tag set) for a positive op."""
    if op == "contains":
        v = _fold(value)
        return lambda t: v in t
    if op == "starts_with":
        v = _fold(value)
        return lambda t: t.startswith(v)
    if op == "ends_with":
        v = _fold(value)
        return lambda t: t.endswith(v)
    if op == "keywords":
        ks = tuple(_fold(k) for k in value)
        return lambda t: any(k in t for k in ks)
    if op == "has":
        v = _fold(value)
        return lambda s: v in s
    if op == "has_any":
        vs = frozenset(_fold(v) for v in value)
        return lambda s: not vs.isdisjoint(s)
    if op == "has_all":
        vs = frozenset(_fold(v) for v in value)
        return lambda s: vs <= s
    if op == "eq":
        return lambda a: bool(a == value)
    if op == "in":
        return lambda a: a in value
    return lambda a: holds(op, True, a, value)


def feature_plan(features: list[Feature]) -> list[tuple[str, str, list[tuple[str, Any, bool]]]]:
    """Group features by fact: (fact, how to prepare it once, [(field, test, negate)])."""
    by_fact: dict[str, list[tuple[str, str, Any, bool]]] = {}
    for f in features:
        if f.op in ("exists", "missing"):
            kind, test, negate = "raw", (lambda a: a not in ("", [])), f.op == "missing"
        else:
            base = _NEGATIONS.get(f.op, f.op)
            kind = "text" if base in _TEXT_OPS else "tags" if base in _TAG_OPS else "raw"
            test, negate = _test(base, f.value), f.op in _NEGATIONS
        by_fact.setdefault(f.field, []).append((f.name, kind, test, negate))
    plan = []
    for fact, tests in by_fact.items():
        kinds = {kind for _, kind, _, _ in tests}
        if len(kinds) == 1:
            plan.append((fact, kinds.pop(), [(n, t, neg) for n, _, t, neg in tests]))
        else:  # e.g. `exists` next to `contains`: prepare inside each test
            plan.append((fact, "raw", [(n, _raw(k, t), neg) for n, k, t, neg in tests]))
    return plan


def _raw(kind: str, test: Any) -> Any:
    if kind == "text":
        return lambda a: test(_fold(a))
    if kind == "tags":
        return lambda a: test({_fold(t) for t in a})
    return test


@dataclass
class Compiled:
    """A ruleset ready for the engine: its versioned name, its chunks, and the rules they hold."""

    point: str
    name: str
    rules: list[dict[str, Any]]  # the enabled rules, in order; engine action a<i> is rules[i]
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def engine_json(self) -> dict[str, Any]:
        """Every chunk's durable-rules definition, by engine ruleset name."""
        return {c.name: c.body for c in self.chunks}

    def records(self, facts: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the record each chunk matches, from coerced facts."""
        return [c.record(facts) for c in self.chunks]


class _Builder:
    def __init__(self, point: DecisionPoint):
        self.point = point
        self.fields: dict[str, tuple[str, str]] = {}
        self.features: dict[str, Feature] = {}

    def footprint(self) -> int:
        return len(self.fields) + len(self.features)

    def use(self, fact: str, kind: str) -> str:
        name = {"lo": "_lo_", "hi": "_hi_"}.get(kind, "") + fact
        self.fields[name] = (fact, kind)
        return name

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
        fact = leaf["field"]
        if negate:
            op = _NEGATED_NATIVE[op]
        value = leaf.get("value")
        if spec.type == "bool":
            name = self.use(fact, "bool")
            tests: dict[str, dict[str, Any]] = {
                "is_true": {name: 1},
                "is_false": {name: 0},
                "not_true": {"$neq": {name: 1}},
                "not_false": {"$neq": {name: 0}},
            }
            return tests[op]
        if spec.type in ("enum", "ref"):
            name = self.use(fact, "ref")
            return {name: encode(value)} if op == "eq" else {"$neq": {name: encode(value)}}
        key = number_key(value)
        if op == "eq":
            return {self.use(fact, "num"): key}
        if op == "ne":  # true when missing too
            return {"$neq": {self.use(fact, "hi"): key}}
        if not negate:  # a plain comparison is false when the fact is missing
            return {_CMP[op]: {self.use(fact, "num"): key}}
        # a negated comparison ("not greater than") is true when the fact is missing
        return {_CMP[op]: {self.use(fact, "lo" if op in ("lt", "lte") else "hi"): key}}

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
        flat: list[dict[str, Any]] = []
        for part in parts:  # (a and (b and c)) is (a and b and c): one group, not two
            flat.extend(part[op] if op in part else [part])
        return flat[0] if len(flat) == 1 else {op: flat}

    def rule(self, rule: dict[str, Any]) -> dict[str, Any]:
        if rule["when"] is None:
            return {MARK: 1}
        cond = self.node(rule["when"])
        return {"$and": [{MARK: 1}, *cond["$and"]]} if "$and" in cond else {"$and": [{MARK: 1}, cond]}


def _width(cond: dict[str, Any]) -> int:
    """Alpha nodes pushed at once when a condition starts (an $or pushes every branch)."""
    if "$and" in cond:
        return _width(cond["$and"][0])
    if "$or" in cond:
        return sum(_width(c) for c in cond["$or"])
    return 1


def _height(cond: dict[str, Any]) -> int:
    """Bound the engine's stack while it walks a condition (it matches depth-first).

    A conjunction is a chain: what an earlier part leaves pending stays on the stack while the
    later parts are walked. A disjunction pushes every branch's first node, then walks one
    branch while the others wait (plus one for the node where the branches meet again).
    """
    if "$and" in cond:
        best = pending = 0
        for c in cond["$and"]:
            best = max(best, pending + _height(c))
            pending += _height(c) - 1
        return best
    if "$or" in cond:
        widths = [_width(c) for c in cond["$or"]]
        total = sum(widths)
        return max(total - w + _height(c) for w, c in zip(widths, cond["$or"], strict=True)) + 1
    return 1


def stack_need(cond: dict[str, Any]) -> tuple[int, int]:
    """(width, height) of a compiled rule's condition below the shared MARK node.

    A chunk's rules all start below that node, so walking a chunk needs about
    sum(width) + max(height - width) entries of the engine's 64.
    """
    rest = cond["$and"][1:] if "$and" in cond else []
    if not rest:
        return 0, 0
    tail = rest[0] if len(rest) == 1 else {"$and": rest}
    return _width(tail), _height(tail)


def groups(cond: dict[str, Any]) -> int:
    """Count the $and/$or groups of a compiled condition (two expression slots each)."""
    for op in ("$and", "$or"):
        if op in cond:
            return 1 + sum(groups(c) for c in cond[op])
    return 0


def engine_name(point: str, rules: list[dict[str, Any]]) -> str:
    """Name a compiled ruleset by its content: identical rules share one engine ruleset."""
    # ensure_ascii (the default): rule text with lone surrogates hashes too
    digest = hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()
    return f"{point}_{digest[:20]}"


def compile_ruleset(point: DecisionPoint, definition: dict[str, Any]) -> Compiled:
    """Compile a canonical (validated) definition; disabled rules are left out."""
    rules = [r for r in definition["rules"] if r["enabled"]]
    name = engine_name(point.name, rules)
    chunks: list[Chunk] = []
    builder = _Builder(point)
    body: dict[str, Any] = {}
    first, widths, extra = 0, 0, 0

    def close(end: int) -> None:
        body["end"] = {"pri": END_PRIORITY, "all": [{"m": {MARK: 1}}], "run": END_ACTION}
        chunks.append(
            Chunk(
                name=f"{name}_{len(chunks)}",
                first=first,
                count=end - first,
                body=body,
                fields=builder.fields,
                features=list(builder.features.values()),
            )
        )

    for i, rule in enumerate(rules):
        alone = _Builder(point)
        width, height = stack_need(alone.rule(rule))
        if body and (
            widths + width + max(extra, height - width) > STACK_BUDGET
            or builder.footprint() + alone.footprint() > FIELD_BUDGET - 3
        ):
            close(i)
            builder, body, first, widths, extra = _Builder(point), {}, i, 0, 0
        body[f"r{i:03d}"] = {"pri": i - first, "all": [{"m": builder.rule(rule)}], "run": f"a{i}"}
        widths, extra = widths + width, max(extra, height - width)
    if body:
        close(len(rules))
    return Compiled(point=point.name, name=name, rules=rules, chunks=chunks)
