"""Every write to rulesets: drafts, publish (validate, check references, run the cases), rollback."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..aftercommit import on_commit
from ..audit.actions import record
from ..channels.models import Channel
from ..extensions import db
from ..org.models import SkillGroup, User
from ..robot.models import Robot
from ..rules import get_point
from ..rules.compiler import compile_ruleset
from ..rules.decision import Decision, case_holds, decide
from ..rules.definition import Problem, RuleError, kind_label, refs, validate_ruleset
from ..timeutil import utcnow
from .models import Ruleset, RulesetVersion
from .runtime import engine, runtime

SOURCES: dict[str, Any] = {"skill_group": SkillGroup, "channel": Channel, "agent": User,
                           "robot": Robot}


def head(company_id: int, point: str, *, lock: bool = False) -> Ruleset:
    """Return (creating if needed) the ruleset row of a company's decision point."""
    get_point(point)  # KeyError for an unknown point
    query = select(Ruleset).where(Ruleset.company_id == company_id, Ruleset.point == point)
    row = db.session.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        row = Ruleset(company_id=company_id, point=point)
        db.session.add(row)
        db.session.flush()
    return row


def check_refs(company_id: int, point: str, definition: dict[str, Any]) -> list[Problem]:
    """Find references to skill groups, channels or agents the company does not (or no longer) have."""
    spec = get_point(point)
    problems = []
    for index, rule_id, source, value in refs(spec, definition):
        model = SOURCES[source]
        ok = isinstance(value, int) and db.session.scalar(
            select(func.count()).select_from(model).where(model.id == value, model.company_id == company_id)
        )
        if not ok:
            rule = definition["rules"][index]
            problems.append(
                Problem(
                    "dangling_ref",
                    {"kind": kind_label(source), "value": value},
                    rule_index=index,
                    rule_id=rule_id,
                    rule_name=rule["name"],
                )
            )
    return problems


def _case_detail(expect: dict[str, Any], got: Decision) -> tuple[str, str]:
    if "rule" in expect and expect["rule"] != got.rule_id:
        return (
            f"期望命中规则 {expect['rule'] or '(无)'}，实际 {got.rule_id or '(无)'}",
            f"expected rule {expect['rule'] or '(none)'}, got {got.rule_id or '(none)'}",
        )
    return (
        f"期望动作 {expect.get('actions')}，实际 {got.actions}",
        f"expected actions {expect.get('actions')}, got {got.actions}",
    )


def run_cases(point: str, definition: dict[str, Any]) -> list[Problem]:
    """Evaluate every case through the engine; return a problem for each that fails."""
    spec = get_point(point)
    compiled = compile_ruleset(spec, definition)
    problems = []
    for case in definition.get("cases", []):
        got = decide(engine(), spec, compiled, case["facts"])
        if not case_holds(case, got):
            detail = _case_detail(case["expect"], got)
            problems.append(Problem("case_failed", {"case": case["name"], "detail": detail}))
    return problems


def check_publishable(company_id: int, point: str, definition: Any) -> dict[str, Any]:
    """Return the canonical definition if it may be published, else raise RuleError saying why."""
    canonical = validate_ruleset(get_point(point), definition)
    problems = check_refs(company_id, point, canonical) + run_cases(point, canonical)
    if problems:
        raise RuleError(problems)
    return canonical


def do_save_draft(actor: User, point: str, definition: dict[str, Any]) -> Ruleset:
    """Keep the admin's work in progress (not validated: drafts may be half-built)."""
    assert actor.company_id is not None
    row = head(actor.company_id, point, lock=True)
    row.draft = definition
    row.draft_updated_at = utcnow()
    db.session.commit()
    return row


def do_publish(
    company_id: int,
    point: str,
    definition: Any,
    *,
    actor_id: int | None = None,
    source: str = "editor",
    note: str = "",
) -> RulesetVersion:
    """Validate, store as the next version, switch the published pointer, announce after commit."""
    try:
        canonical = check_publishable(company_id, point, definition)
    except RuleError:
        db.session.rollback()
        raise
    row = head(company_id, point, lock=True)
    number = (
        db.session.scalar(
            select(func.max(RulesetVersion.version)).where(
                RulesetVersion.company_id == company_id, RulesetVersion.point == point
            )
        )
        or 0
    ) + 1
    version = RulesetVersion(
        company_id=company_id,
        point=point,
        version=number,
        definition=canonical,
        source=source,
        note=note[:500],
        created_by_id=actor_id,
    )
    db.session.add(version)
    db.session.flush()
    old = row.published_version_id
    row.published_version_id = version.id
    row.updated_at = utcnow()
    if source == "editor":
        row.draft = None
    record(
        actor_id,
        "publish",
        row,
        company_id,
        {"point": point, "version": [old, version.id], "source": source, "note": note[:500]},
    )
    rt = runtime()
    on_commit(lambda: rt.announce(company_id, point))
    db.session.commit()
    return version


def do_rollback(actor: User, version_id: int) -> RulesetVersion:
    """Publish an earlier version again, as a new version (history stays linear)."""
    old = db.session.get(RulesetVersion, version_id)
    if old is None or old.company_id != actor.company_id:
        from ..errors import KefuError

        raise KefuError("not_found", status=404)
    return do_publish(
        actor.company_id,
        old.point,
        old.definition,
        actor_id=actor.id,
        source="rollback",
        note=f"rollback to v{old.version}",
    )


def references_to(company_id: int, source: str, ref_id: int) -> list[tuple[str, int, str]]:
    """List published rules that use a skill group, channel or agent: (point, version, rule name)."""
    found = []
    rows = db.session.execute(
        select(Ruleset.point, RulesetVersion.version, RulesetVersion.definition)
        .join(RulesetVersion, RulesetVersion.id == Ruleset.published_version_id)
        .where(Ruleset.company_id == company_id)
    ).all()
    for point, number, definition in rows:
        for index, _rule_id, src, value in refs(get_point(point), definition):
            if src == source and value == ref_id:
                found.append((point, number, definition["rules"][index]["name"]))
    return found
