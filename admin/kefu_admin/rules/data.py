"""Reads for the rule editor: ref choices, recorded decisions, dry runs, failures, history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from kefu.channels.models import Channel
from kefu.conversations.models import ConversationEvent
from kefu.decisions.models import RuleFailure, Ruleset, RulesetVersion
from kefu.extensions import db
from kefu.org.models import SkillGroup, User
from kefu.rules.explain import explain
from kefu.rules.points import DecisionPoint
from kefu.timeutil import utcnow

from .render import RefNames, action_text, diff_lines, ruleset_lines

SCAN_LIMIT = 5000  # decision events read at most per request (other points' events are skipped)
EXAMPLES = 5


def ref_choices(company_id: int) -> dict[str, list[dict[str, Any]]]:
    """The company's skill groups, channels and agents, for ref pickers (this company only)."""
    groups = db.session.execute(
        select(SkillGroup.id, SkillGroup.name).where(SkillGroup.company_id == company_id)
        .order_by(SkillGroup.name, SkillGroup.id)
    ).all()
    channels = db.session.execute(
        select(Channel.id, Channel.name).where(Channel.company_id == company_id)
        .order_by(Channel.name, Channel.id)
    ).all()
    agents = db.session.scalars(
        select(User).where(User.company_id == company_id).order_by(User.name, User.id)
    ).all()
    from kefu.robot.models import Robot

    robots = db.session.execute(
        select(Robot.id, Robot.name).where(Robot.company_id == company_id).order_by(Robot.name, Robot.id)
    ).all()
    return {
        "robot": [{"value": i, "label": n} for i, n in robots],
        "skill_group": [{"value": i, "label": n} for i, n in groups],
        "channel": [{"value": i, "label": n} for i, n in channels],
        "agent": [{"value": u.id, "label": f"{u.name} <{u.email}>"} for u in agents],
    }


def ref_names(choices: dict[str, list[dict[str, Any]]]) -> RefNames:
    """Map source -> id -> name, for readable renderings."""
    return {src: {c["value"]: str(c["label"]) for c in items} for src, items in choices.items()}


def recorded_facts(company_id: int, point: str, limit: int,
                   distinct: bool = False) -> list[dict[str, Any]]:
    """The facts of the latest recorded decisions of a point, newest first."""
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    query = (
        select(ConversationEvent)
        .where(ConversationEvent.company_id == company_id, ConversationEvent.kind == "decision")
        .order_by(ConversationEvent.id.desc())
        .limit(SCAN_LIMIT)
    )
    for event in db.session.scalars(query):
        data = event.data or {}
        if data.get("point") != point or not isinstance(data.get("facts"), dict):
            continue
        if distinct and event.conversation_id in seen:
            continue
        seen.add(event.conversation_id)
        out.append({
            "conversation_id": event.conversation_id,
            "created_at": event.created_at.isoformat() if event.created_at else None,
            "version": data.get("version"),
            "rule_name": data.get("rule_name"),
            "facts": data["facts"],
        })
        if len(out) >= limit:
            break
    return out


def _summary(point: DecisionPoint, decision: dict[str, Any], names: RefNames,
             lang: str) -> dict[str, Any]:
    actions = [action_text(point, {"action": k, "params": v}, names, lang)
               for k, v in decision["actions"].items()]
    return {"rule": decision.get("rule_name") or "", "actions": actions}


def dry_run(point: DecisionPoint, company_id: int, published: dict[str, Any] | None,
            draft: dict[str, Any], limit: int, names: RefNames, lang: str) -> dict[str, Any]:
    """Decide recent recorded facts with the published version and the draft; count changes."""
    empty: dict[str, Any] = {"rules": [], "cases": []}
    samples = recorded_facts(company_id, point.name, limit)
    changed = 0
    examples: list[dict[str, Any]] = []
    for sample in samples:
        before = explain(point, published or empty, sample["facts"])["decision"]
        after = explain(point, draft, sample["facts"])["decision"]
        if before["actions"] == after["actions"] and before["rule_id"] == after["rule_id"]:
            continue
        changed += 1
        if len(examples) < EXAMPLES:
            examples.append({
                "conversation_id": sample["conversation_id"],
                "facts": sample["facts"],
                "before": _summary(point, before, names, lang),
                "after": _summary(point, after, names, lang),
            })
    return {"total": len(samples), "changed": changed, "examples": examples}


def failures(company_id: int, hours: int = 24, latest: int = 20) -> dict[str, Any]:
    """Count the company's rule failures of the last hours and list the latest ones."""
    since = utcnow() - timedelta(hours=hours)
    count = db.session.scalar(
        select(func.count(RuleFailure.id))
        .where(RuleFailure.company_id == company_id, RuleFailure.created_at >= since)
    ) or 0
    rows = db.session.scalars(
        select(RuleFailure).where(RuleFailure.company_id == company_id)
        .order_by(RuleFailure.id.desc()).limit(latest)
    ).all()
    return {"count": count, "latest": rows}


def heads(company_id: int) -> dict[str, Ruleset]:
    """The company's ruleset rows by point (points never edited have none)."""
    rows = db.session.scalars(select(Ruleset).where(Ruleset.company_id == company_id))
    return {r.point: r for r in rows}


def history(point: DecisionPoint, company_id: int, names: RefNames,
            lang: str) -> list[dict[str, Any]]:
    """Versions newest first, each with its author and a diff against the version before it."""
    versions = db.session.scalars(
        select(RulesetVersion)
        .where(RulesetVersion.company_id == company_id, RulesetVersion.point == point.name)
        .order_by(RulesetVersion.version)
    ).all()
    authors = {
        u.id: u.name for u in db.session.scalars(
            select(User).where(User.id.in_({v.created_by_id for v in versions if v.created_by_id}))
        )
    }
    out: list[dict[str, Any]] = []
    before: list[str] = []
    for v in versions:
        lines = ruleset_lines(point, v.definition, names, lang)
        out.append({"row": v, "author": authors.get(v.created_by_id or 0, ""),
                    "diff": diff_lines(before, lines)})
        before = lines
    return list(reversed(out))
