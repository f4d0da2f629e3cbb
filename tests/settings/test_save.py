"""Settings writes are scoped to one company and leave an audit trail of what changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kefu.audit.models import AuditLog
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.org.models import SkillGroup
from kefu.settings.actions import do_delete, do_save


def test_update_records_old_and_new_values(make):
    """Renaming a skill group audits the old and the new name."""
    company = make.company()
    owner_id = make.user(company, role="admin").id
    group = make.group(company, "售前")
    group.name = "售前咨询"
    do_save(owner_id, group, created=False)
    row = db.session.scalars(select(AuditLog).where(AuditLog.target_type == "SkillGroup",
                                                    AuditLog.action == "update")).one()
    assert row.changes["name"] == ["售前", "售前咨询"]
    assert row.company_id == company.id and row.target_id == group.id and row.actor_id == owner_id


def test_create_and_delete_are_audited(make):
    """Creating and deleting a row each leave an audit entry."""
    company = make.company()
    group = make.group(company, "temp")
    gid = group.id
    do_delete(None, group)
    assert db.session.get(SkillGroup, gid) is None
    actions = list(db.session.scalars(select(AuditLog.action).where(
        AuditLog.target_type == "SkillGroup", AuditLog.target_id == gid).order_by(AuditLog.id)))
    assert actions == ["create", "delete"]


def test_refused_write_leaves_nothing_behind(make):
    """A cross-company reference is refused and the session is clean for the next write."""
    a, b = make.company(), make.company()
    foreign = make.group(b)
    with pytest.raises(KefuError):
        do_save(None, _channel_to(a, foreign), created=True)
    assert not db.session.new and not db.session.dirty
    ok = make.group(a, "fine")
    assert ok.id is not None


def _channel_to(company, group):
    from kefu.channels.models import Channel

    return Channel(company_id=company.id, name="c", kind="web", skill_group_id=group.id)
