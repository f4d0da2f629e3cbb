"""Why each rule matched or not: the same meaning as the engine, evaluated in plain Python."""

from __future__ import annotations

from typing import Any

from .conditions import OP_LABELS, holds
from .decision import Decision, coerce_facts, resolve
from .points import DecisionPoint


def _node(point: DecisionPoint, node: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    for key in ("all", "any", "none"):
        if key in node:
            children = [_node(point, c, facts) for c in node[key]]
            results = [c["result"] for c in children]
            result = all(results) if key == "all" else any(results) if key == "any" else not any(results)
            return {"group": key, "result": result, "children": children}
    name, op = node["field"], node["op"]
    spec = point.fact(name)
    present = name in facts
    return {
        "field": name,
        "op": op,
        "value": node.get("value"),
        "label": {"zh": spec.zh, "en": spec.en} if spec else {"zh": name, "en": name},
        "op_label": {"zh": OP_LABELS[op][0], "en": OP_LABELS[op][1]},
        "actual": facts.get(name),
        "present": present,
        "result": holds(op, present, facts.get(name), node.get("value")),
    }


def explain(
    point: DecisionPoint, definition: dict[str, Any], raw_facts: dict[str, Any], version: int | None = None
) -> dict[str, Any]:
    """Return the decision and, for every rule, whether and why its conditions held."""
    facts = coerce_facts(point, raw_facts)
    enabled = [r for r in definition["rules"] if r["enabled"]]
    hits: list[int] = []
    rules_out = []
    for rule in definition["rules"]:
        tree = _node(point, rule["when"], facts) if rule["when"] is not None else None
        matched = rule["enabled"] and (tree is None or tree["result"])
        if matched:
            hits.append(enabled.index(rule))
        rules_out.append(
            {
                "id": rule["id"],
                "name": rule["name"],
                "enabled": rule["enabled"],
                "continue": rule["continue"],
                "matched": matched,
                "conditions": tree,
            }
        )
    decision: Decision = resolve(point, enabled, hits, version)
    for item in rules_out:
        item["applied"] = item["id"] in decision.applied
    return {"facts": facts, "decision": decision.to_dict(), "rules": rules_out}


def matching_indexes(
    point: DecisionPoint, definition: dict[str, Any], raw_facts: dict[str, Any]
) -> list[int]:
    """Indexes (among enabled rules) the explainer says match: what the engine must agree with."""
    facts = coerce_facts(point, raw_facts)
    enabled = [r for r in definition["rules"] if r["enabled"]]
    return [i for i, r in enumerate(enabled) if r["when"] is None or _node(point, r["when"], facts)["result"]]
