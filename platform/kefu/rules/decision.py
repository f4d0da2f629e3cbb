"""From facts to a Decision: coerce the facts, match, apply first-match-wins, fill defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .compiler import Compiled
from .definition import is_number, is_ref
from .engine import Engine
from .points import DecisionPoint


@dataclass
class Decision:
    """What a decision point decided, and which rule of which version decided it."""

    point: str
    actions: dict[str, dict[str, Any]]
    version: int | None = None
    rule_id: str | None = None
    rule_name: str | None = None
    applied: list[str] = field(default_factory=list)  # the first match, plus those it continued to
    matched: list[str] = field(default_factory=list)  # every enabled rule whose conditions held
    fallback: bool = False  # the default decision, because evaluation failed
    error: str = ""

    def get(self, action: str, param: str, default: Any = None) -> Any:
        """Return one parameter of one decided action."""
        return (self.actions.get(action) or {}).get(param, default)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def coerce_facts(point: DecisionPoint, raw: dict[str, Any]) -> dict[str, Any]:
    """Keep the declared facts that have the declared type; anything else counts as missing."""
    out: dict[str, Any] = {}
    get = raw.get
    for spec in point.facts:  # locals, not attribute reads: this runs on every decision
        name, type_ = spec.name, spec.type
        value = get(name)
        if value is None:
            continue
        if type_ == "number":
            if is_number(value):
                out[name] = value
        elif type_ == "text" or type_ == "enum":
            if isinstance(value, str):
                out[name] = value[:2000]
        elif type_ == "bool":
            if isinstance(value, bool):
                out[name] = value
        elif type_ == "ref":
            if is_ref(value):
                out[name] = value
        elif type_ == "tags" and isinstance(value, list | tuple):
            out[name] = [str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
    return out


def resolve(
    point: DecisionPoint, rules: list[dict[str, Any]], hits: list[int], version: int | None = None
) -> Decision:
    """Apply first-match-wins (a rule marked continue lets later matches add what it left unset)."""
    applied: list[dict[str, Any]] = []
    for index in hits:
        applied.append(rules[index])
        if not rules[index]["continue"]:
            break
    actions: dict[str, dict[str, Any]] = {}
    for rule in applied:
        for item in rule["then"]:
            actions.setdefault(item["action"], dict(item["params"]))
    for name, params in point.defaults.items():
        actions.setdefault(name, dict(params))
    first = applied[0] if applied else None
    return Decision(
        point=point.name,
        actions=actions,
        version=version,
        rule_id=first["id"] if first else None,
        rule_name=first["name"] if first else None,
        applied=[r["id"] for r in applied],
        matched=[rules[i]["id"] for i in hits],
    )


def default_decision(point: DecisionPoint, version: int | None = None, error: str = "") -> Decision:
    """The point's default decision, used when no ruleset is published or evaluation failed."""
    return Decision(
        point=point.name,
        actions={k: dict(v) for k, v in point.defaults.items()},
        version=version,
        fallback=bool(error),
        error=error,
    )


def decide(
    engine: Engine,
    point: DecisionPoint,
    compiled: Compiled,
    facts: dict[str, Any],
    version: int | None = None,
) -> Decision:
    """Evaluate facts through the engine; raises EngineError (callers fall back)."""
    hits = engine.match(compiled, coerce_facts(point, facts))
    return resolve(point, compiled.rules, hits, version)


def case_holds(case: dict[str, Any], got: Decision) -> bool:
    """Whether a decision is what a ruleset case expects: its rule, action parameters, absent actions."""
    expect = case["expect"]
    if "rule" in expect and expect["rule"] != got.rule_id:
        return False
    for name, params in (expect.get("actions") or {}).items():
        if name not in got.actions or any(got.actions[name].get(k) != v for k, v in (params or {}).items()):
            return False
    return not any(name in got.actions for name in expect.get("absent", []))
