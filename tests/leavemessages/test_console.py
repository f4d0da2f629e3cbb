"""The console's 留言模板 editor (validated, audited) and 留言记录 list (filtered, company-scoped)."""

from __future__ import annotations

import json

from kefu.audit.models import AuditLog
from kefu.leavemessages.actions import check_submit
from kefu.leavemessages.models import LeaveForm
from kefu.visitors.token import verify

from ..admin.helpers import owner_client, page, problems, rows, submit

GOOD = [{"name": "mobile", "kind": "phone", "label_zh": "手机", "label_en": "Mobile", "required": True},
        {"name": "topic", "kind": "choice", "label_zh": "问题类型", "options": ["售后", "发票"]}]


def _form(**extra: object) -> dict[str, object]:
    return {"name": "售后表单", "fields": json.dumps(GOOD, ensure_ascii=False), "enabled": "y",
            "guide_zh": "请留言", "guide_en": "", "privacy_zh": "", "privacy_en": "", **extra}


def test_owner_creates_a_form_for_a_group(app, make):
    """A form saved for a skill group keeps its normalised fields and is audited."""
    d = make.desk(status="offline")
    client = owner_client(app, d.company)
    r = submit(client, "/admin/leave_forms/new/", _form(skill_group=str(d.group.id)))
    assert r.status_code == 302, problems(r)
    (form,) = rows(LeaveForm)
    assert form.skill_group_id == d.group.id and form.company_id == d.company.id
    assert form.fields[1]["label_en"] == "问题类型" and form.fields[0]["required"] is True
    assert rows(AuditLog, AuditLog.target_type == "LeaveForm")
    assert "手机 *" in page(client, "/admin/leave_forms/")


def test_editor_refuses_broken_fields_with_the_reason(app, make):
    """A choice without options, or a channel and a group together, is refused and nothing is saved."""
    d = make.desk(status="offline")
    client = owner_client(app, d.company)
    bad = [{"name": "topic", "kind": "choice", "label_zh": "类型"}]
    r = submit(client, "/admin/leave_forms/new/?lang=en", _form(fields=json.dumps(bad)))
    assert r.status_code == 200 and "options" in problems(r)
    r = submit(client, "/admin/leave_forms/new/?lang=en",
               _form(channel=str(d.channel.id), skill_group=str(d.group.id)))
    assert r.status_code == 200 and "not both" in problems(r)
    assert rows(LeaveForm) == []


def test_record_list_filters_and_isolation(app, make):
    """留言记录 lists this company's messages, filterable by status; another company's stay hidden."""
    d = make.desk(status="offline")
    other = make.desk(status="offline")
    check_submit(verify(d.token), {"client_id": "c1", "content": "我们的留言"})
    check_submit(verify(other.token), {"client_id": "c2", "content": "别家的留言"})
    client = owner_client(app, d.company)
    listed = page(client, "/admin/leave_messages/")
    assert "我们的留言" in listed and "别家的留言" not in listed
    assert "我们的留言" in page(client, "/admin/leave_messages/?flt0_0=new")
    assert "我们的留言" not in page(client, "/admin/leave_messages/?flt0_0=done")
