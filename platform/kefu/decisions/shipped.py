"""Ruleset files: the shipped `rulesets/*.yaml`, `kefu rules check`, export and import.

Files are portable: skill groups and channels are named by name, agents by email. Importing
into a company turns names into ids; the shipped defaults drop a rule whose names the company
lacks (saying so in the version's note) rather than refusing the whole file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..org.models import SkillGroup, User
from ..rules import POINTS, get_point
from ..rules.compiler import compile_ruleset
from ..rules.decision import case_holds, decide
from ..rules.definition import GROUP_KEYS, Problem, RuleError, kind_label, validate_ruleset
from .models import Ruleset
from .runtime import engine

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "rulesets"


def rulesets_dir() -> Path:
    """Where the shipped ruleset files live (KEFU_RULESETS_DIR overrides)."""
    configured = current_app.config.get("KEFU_RULESETS_DIR") if current_app else None
    return Path(configured) if configured else DEFAULT_DIR


def load_file(path: Path) -> tuple[str, dict[str, Any]]:
    """Read a ruleset file: (point, definition)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("point") not in POINTS:
        raise RuleError(
            [Problem("shape", {"detail": f"{path.name}: 'point' must be one of {sorted(POINTS)}"})]
        )
    return data["point"], {k: v for k, v in data.items() if k != "point"}


def dump(point: str, definition: dict[str, Any]) -> str:
    """Write a definition as a ruleset file."""
    return yaml.safe_dump({"point": point, **definition}, allow_unicode=True, sort_keys=False)


def check_file(path: Path) -> dict[str, Any]:
    """Validate one file and run its cases through the engine (no database needed)."""
    point, raw = load_file(path)
    spec = get_point(point)
    definition = validate_ruleset(spec, raw)
    compiled = compile_ruleset(spec, definition)
    failures = []
    for case in definition["cases"]:
        got = decide(engine(), spec, compiled, case["facts"])
        expect = case["expect"]
        ok = case_holds(case, got)
        if not ok:
            failures.append(
                {
                    "case": case["name"],
                    "expected": expect,
                    "got": {"rule": got.rule_id, "actions": got.actions},
                }
            )
    return {
        "file": path.name,
        "point": point,
        "rules": len(definition["rules"]),
        "cases": len(definition["cases"]),
        "failures": failures,
    }


# --- names <-> ids ----------------------------------------------------------------------------


def _lookup(company_id: int, source: str) -> dict[str, int]:
    if source == "skill_group":
        rows = db.session.execute(
            select(SkillGroup.name, SkillGroup.id).where(SkillGroup.company_id == company_id)
        )
    elif source == "agent":
        rows = db.session.execute(select(User.email, User.id).where(User.company_id == company_id))
    elif source == "robot":  # by name (robots are named per company)
        from ..robot.models import Robot

        rows = db.session.execute(select(Robot.name, Robot.id).where(Robot.company_id == company_id))
    else:
        from ..channels.models import Channel

        rows = db.session.execute(select(Channel.key, Channel.id).where(Channel.company_id == company_id))
    return {str(name): int(id_) for name, id_ in rows}


def _map_refs(point: str, definition: dict[str, Any], convert: Any) -> None:
    """Replace every reference value in place with convert(source, value)."""
    spec = get_point(point)

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        for key in GROUP_KEYS:
            if isinstance(node.get(key), list):
                for child in node[key]:
                    walk(child)
                return
        fact = spec.fact(node.get("field", ""))
        if fact is not None and fact.type == "ref" and "value" in node:
            value = node["value"]
            node["value"] = (
                [convert(fact.source, v) for v in value]
                if isinstance(value, list)
                else convert(fact.source, value)
            )

    for rule in definition.get("rules") or []:
        walk(rule.get("when"))
        for item in rule.get("then") or []:
            action = spec.action(item.get("action", ""))
            for p in action.params if action else ():
                if p.type == "ref" and (item.get("params") or {}).get(p.name) is not None:
                    item["params"][p.name] = convert(p.source, item["params"][p.name])
    for case in definition.get("cases") or []:
        for name, value in list((case.get("facts") or {}).items()):
            fact = spec.fact(name)
            if fact is not None and fact.type == "ref":
                case["facts"][name] = convert(fact.source, value)
        for name, params in (case.get("expect", {}).get("actions") or {}).items():
            action = spec.action(name)
            for p in action.params if action else ():
                if p.type == "ref" and (params or {}).get(p.name) is not None:
                    params[p.name] = convert(p.source, params[p.name])


def to_portable(company_id: int, point: str, definition: dict[str, Any]) -> dict[str, Any]:
    """Return a copy with ids replaced by names (for export)."""
    out = copy.deepcopy(definition)
    names = {
        src: {v: k for k, v in _lookup(company_id, src).items()}
        for src in ("skill_group", "agent", "channel", "robot")
    }
    _map_refs(point, out, lambda src, v: names[src].get(v, v))
    return out


def from_portable(
    company_id: int, point: str, definition: dict[str, Any], drop_unresolved: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """Return a copy with names replaced by this company's ids, and notes on dropped rules.

    Without `drop_unresolved` an unknown name is an error naming its rule.
    """
    out = copy.deepcopy(definition)
    ids = {src: _lookup(company_id, src) for src in ("skill_group", "agent", "channel", "robot")}
    missing: list[tuple[str, Any]] = []

    def convert(src: str, value: Any) -> Any:
        if isinstance(value, int) or value in ids[src].values():
            return value
        if value in ids[src]:
            return ids[src][value]
        missing.append((src, value))
        return value

    notes: list[str] = []
    rules = []
    for index, rule in enumerate(out.get("rules") or []):
        before = len(missing)
        _map_refs(point, {"rules": [rule]}, convert)
        if len(missing) > before:
            src, value = missing[before]  # the first name this rule lacks
            if not drop_unresolved:
                raise RuleError(
                    [
                        Problem(
                            "dangling_ref",
                            {"kind": kind_label(src), "value": value},
                            rule_index=index,
                            rule_id=str(rule.get("id", "")),
                            rule_name=str(rule.get("name", "")),
                        )
                    ]
                )
            notes.append(f"skipped rule {rule.get('id')}: {kind_label(src)[1]} '{value}' not found")
            continue
        rules.append(rule)
    kept = {str(r.get("id")) for r in rules}
    out["rules"] = rules
    cases = []
    for case in out.get("cases") or []:
        expected_rule = (case.get("expect") or {}).get("rule")
        if expected_rule is not None and expected_rule not in kept:
            continue
        _map_refs(point, {"cases": [case]}, lambda src, v: ids[src].get(v, v) if isinstance(v, str) else v)
        if _mentions_missing(point, case, ids):
            continue
        cases.append(case)
    out["cases"] = cases
    return out, notes


def _mentions_missing(point: str, case: dict[str, Any], ids: dict[str, dict[str, int]]) -> bool:
    spec = get_point(point)
    for name, value in (case.get("facts") or {}).items():
        fact = spec.fact(name)
        if fact is not None and fact.type == "ref" and isinstance(value, str):
            return True
    for name, params in (case.get("expect", {}).get("actions") or {}).items():
        action = spec.action(name)
        for p in action.params if action else ():
            if p.type == "ref" and isinstance((params or {}).get(p.name), str):
                return True
    return False


def ensure_shipped(company_id: int, refresh: bool = False) -> list[str]:
    """Publish the shipped ruleset of every point the company has none for; return the points loaded.

    With `refresh`, points still on a shipped version get the files again (an admin's own
    versions are never replaced).
    """
    from .actions import do_publish
    from .models import RulesetVersion

    loaded = []
    directory = rulesets_dir()
    for path in sorted(directory.glob("*.yaml")):
        point, raw = load_file(path)
        source = db.session.scalar(
            select(RulesetVersion.source)
            .join(Ruleset, Ruleset.published_version_id == RulesetVersion.id)
            .where(Ruleset.company_id == company_id, Ruleset.point == point)
        )
        if source is not None and not (refresh and source == "shipped"):
            continue
        definition, notes = from_portable(company_id, point, raw, drop_unresolved=True)
        note = f"shipped {path.name}" + ("; " + "; ".join(notes) if notes else "")
        do_publish(company_id, point, definition, source="shipped", note=note)
        loaded.append(point)
    return loaded
