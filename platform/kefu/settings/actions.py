"""Writes of company settings (console, seeder, CLI): scope checks, audit, one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..audit.actions import changes_of, record
from ..errors import KefuError
from ..extensions import db


def check_same_company(obj: Any) -> None:
    """Refuse a row that points at another company's rows (or has no company)."""
    company_id = getattr(obj, "company_id", None)
    if company_id is None:
        raise KefuError("cross_company", fields={"company_id": ["required"]})
    for column in obj.__table__.columns:
        value = getattr(obj, column.key, None)
        if value is None or column.key == "company_id":
            continue
        for fk in column.foreign_keys:
            target = fk.column.table
            if "company_id" not in target.c:
                continue
            owner = db.session.execute(
                select(target.c.company_id).where(fk.column == value)
            ).scalar_one_or_none()
            if owner != company_id:
                raise KefuError("cross_company", fields={column.key: ["another company"]})


def do_save(actor_id: int | None, obj: Any, *, created: bool) -> Any:
    """Validate scope, record the change in the audit log, and commit."""
    # Read the pending changes before the scope check's queries autoflush them away.
    changes = changes_of(obj)
    if created:
        db.session.add(obj)
    try:
        # After the flush, foreign keys set through relationships (obj.group = g) are filled in.
        db.session.flush()
        check_same_company(obj)
    except KefuError:
        db.session.rollback()
        raise
    record(actor_id, "create" if created else "update", obj, obj.company_id, changes)
    _forget_cached(obj)
    db.session.commit()
    return obj


def do_delete(actor_id: int | None, obj: Any) -> None:
    """Delete a settings row and record it; refuse one a published rule still uses."""
    company_id = getattr(obj, "company_id", None)
    _refuse_if_used_by_rules(obj, company_id)
    record(actor_id, "delete", obj, company_id, {"deleted": str(obj)})
    _forget_cached(obj)
    db.session.delete(obj)
    db.session.commit()


def _refuse_if_used_by_rules(obj: Any, company_id: int | None) -> None:
    """A rule pointing at a deleted group, channel or agent would fail at every evaluation."""
    from ..channels.models import Channel
    from ..decisions.actions import references_to
    from ..org.models import SkillGroup, User

    sources = {SkillGroup: "skill_group", Channel: "channel", User: "agent"}
    source = sources.get(type(obj))
    if source is None or company_id is None or obj.id is None:
        return
    used = references_to(company_id, source, obj.id)
    if used:
        point, version, rule = used[0]
        raise KefuError("in_use_by_rule", status=409, rule=rule, point=point, version=version)


def _forget_cached(obj: Any) -> None:
    """Make this process see an edited channel at once (others within seconds)."""
    from ..aftercommit import on_commit
    from ..channels.models import Channel
    from ..channels.queries import forget_channel

    if isinstance(obj, Channel) and obj.id is not None:
        channel_id = obj.id
        on_commit(lambda: forget_channel(channel_id))


def check_save_company_settings(actor_id: int | None, company_id: int, data: Any,
                                section: str = "conversation") -> Any:
    """Validate one settings form (会话设置 or 客服工作台设置) and save it (one row per company)."""
    from ..conversations.schemas import load
    from .queries import company_settings
    from .schemas import CompanySettingsSchema, WorkbenchSettingsSchema

    schema = WorkbenchSettingsSchema() if section == "workbench" else CompanySettingsSchema()
    fields = load(schema, data)
    if "file_types" in fields:  # one spelling: lower case, no blanks, no repeats
        kinds = [t.strip().lower() for t in fields["file_types"].split(",") if t.strip()]
        fields["file_types"] = ",".join(dict.fromkeys(kinds))
    row = company_settings(company_id)
    created = row.id is None
    for key, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(row, key, value)
    return do_save(actor_id, row, created=created)
