"""Owners create settings through the real forms; every write is audited."""

from __future__ import annotations

from kefu.audit.models import AuditLog
from kefu.channels.models import Channel
from kefu.crypto import decrypt_json
from kefu.org.models import Department, SkillGroup, SkillGroupMember, User, WorkSchedule
from kefu.org.passwords import verify_password

from .helpers import owner_client, page, problems, rows, submit


def _owner_id(company) -> int:
    return rows(User, User.email == f"owner@{company.slug}.test")[0].id


def _audited(kind: str, target_id: int, actor_id: int) -> bool:
    return any(
        log.action == "create" and log.target_id == target_id and log.actor_id == actor_id
        for log in rows(AuditLog, AuditLog.target_type == kind)
    )


def test_owner_creates_department_and_sees_audit(app, make):
    """A department created in the console is saved, audited and listed in the audit log."""
    company = make.company()
    client = owner_client(app, company)
    parent = submit(client, "/admin/departments/new/", {"name": "售后 Support"})
    assert parent.status_code == 302
    dep = rows(Department, Department.name == "售后 Support")[0]
    child = submit(client, "/admin/departments/new/", {"name": "VIP", "parent": str(dep.id)})
    assert child.status_code == 302
    vip = rows(Department, Department.name == "VIP")[0]
    assert vip.parent_id == dep.id and vip.company_id == company.id
    assert _audited("Department", vip.id, _owner_id(company))
    assert "售后 Support / VIP" in page(client, "/admin/departments/")
    assert "Department" in page(client, "/admin/audit_log/")


def test_department_cannot_move_under_its_child(app, make):
    """Moving a department under its own child is refused with a message; nothing changes."""
    company = make.company()
    client = owner_client(app, company)
    submit(client, "/admin/departments/new/", {"name": "top"})
    top = rows(Department, Department.name == "top")[0]
    submit(client, "/admin/departments/new/", {"name": "sub", "parent": str(top.id)})
    sub = rows(Department, Department.name == "sub")[0]
    r = submit(client, f"/admin/departments/edit/?id={top.id}&lang=en",
               {"name": "top", "parent": str(sub.id)})
    assert r.status_code == 200
    assert "cannot sit under itself" in r.get_data(as_text=True)
    assert rows(Department, Department.id == top.id)[0].parent_id is None


def test_owner_creates_skill_group_with_member_priority(app, make):
    """A skill group created with an inline member keeps the member and their priority."""
    company = make.company()
    agent = make.user(company)
    client = owner_client(app, company)
    r = submit(client, "/admin/skill_groups/new/", {
        "name": "售前 Presales", "display_name": "Presales", "sort_order": "1",
        "members-0-user": str(agent.id), "members-0-priority": "3",
    })
    assert r.status_code == 302, problems(r)
    group = rows(SkillGroup, SkillGroup.name == "售前 Presales")[0]
    members = rows(SkillGroupMember, SkillGroupMember.skill_group_id == group.id)
    assert [(m.user_id, m.priority, m.company_id) for m in members] == [(agent.id, 3, company.id)]
    assert _audited("SkillGroup", group.id, _owner_id(company))
    dup = submit(client, "/admin/skill_groups/new/?lang=en", {"name": "售前 Presales"})
    assert dup.status_code == 200 and "This name is already taken" in dup.get_data(as_text=True)
    assert len(rows(SkillGroup, SkillGroup.name == "售前 Presales")) == 1


def test_owner_creates_agent_with_hashed_password(app, make):
    """A new agent gets a hashed password, groups and capacity; the hash is never shown."""
    company = make.company()
    group = make.group(company, name="g-sales")
    client = owner_client(app, company)
    r = submit(client, "/admin/agents/new/", {
        "email": "New.Agent@Example.com", "name": "新客服", "display_name": "小新",
        "role": "agent", "groups": str(group.id), "max_concurrent": "8", "status": "online",
        "is_active_account": "y", "password": "s3cret-pass",
    })
    assert r.status_code == 302, problems(r)
    user = rows(User, User.email == "new.agent@example.com")[0]
    assert user.company_id == company.id and user.max_concurrent == 8
    assert user.status == "offline"  # a new account starts offline whatever the form says
    assert verify_password(user.password_hash, "s3cret-pass")
    assert [m.skill_group_id for m in rows(SkillGroupMember, SkillGroupMember.user_id == user.id)
            ] == [group.id]
    assert _audited("User", user.id, _owner_id(company))
    details = page(client, f"/admin/agents/details/?id={user.id}")
    assert "g-sales" in details and user.password_hash not in details
    assert "$argon2" not in page(client, f"/admin/agents/edit/?id={user.id}")


def test_owner_edits_agent_status_and_groups(app, make):
    """Editing an agent changes status through the status action and syncs memberships."""
    company = make.company()
    g1, g2 = make.group(company, name="one"), make.group(company, name="two")
    agent = make.user(company, groups=[g1])
    client = owner_client(app, company)
    form = page(client, f"/admin/agents/edit/?id={agent.id}")
    assert f'value="{g1.id}" selected' in form or f'selected value="{g1.id}"' in form
    r = submit(client, f"/admin/agents/edit/?id={agent.id}", {
        "email": agent.email, "name": agent.name, "role": "agent", "groups": str(g2.id),
        "max_concurrent": "2", "status": "busy", "is_active_account": "y",
    })
    assert r.status_code == 302, problems(r)
    saved = rows(User, User.id == agent.id)[0]
    assert (saved.status, saved.max_concurrent) == ("busy", 2)
    assert verify_password(saved.password_hash, "agent-pass-123")  # empty password kept
    assert [m.skill_group_id for m in rows(SkillGroupMember, SkillGroupMember.user_id == agent.id)
            ] == [g2.id]


def test_channel_secrets_are_encrypted_and_snippet_shown(app, make):
    """Channel secrets are stored encrypted, never shown back, and the page shows the snippet."""
    company = make.company()
    group = make.group(company)
    client = owner_client(app, company)
    r = submit(client, "/admin/channels/new/", {
        "name": "LINE 官方号", "kind": "line", "skill_group": str(group.id), "enabled": "y",
        "settings": '{"title": "在线客服"}', "secrets": '{"channel_secret": "clear-XYZ-123"}',
    })
    assert r.status_code == 302, problems(r)
    channel = rows(Channel, Channel.name == "LINE 官方号")[0]
    assert channel.settings == {"title": "在线客服"} and channel.company_id == company.id
    assert "clear-XYZ-123" not in channel.secrets_encrypted
    assert decrypt_json(channel.secrets_encrypted) == {"channel_secret": "clear-XYZ-123"}
    assert _audited("Channel", channel.id, _owner_id(company))
    assert "clear-XYZ-123" not in str(rows(AuditLog, AuditLog.target_type == "Channel")[0].changes)
    for view in ("details", "edit"):
        url = f"/admin/channels/{view}/?id={channel.id}"
        html = page(client, url)
        assert "clear-XYZ-123" not in html
        assert f"/widget/{channel.key}.js&#34; async&gt;&lt;/script&gt;" in html
        assert f"http://localhost/chat/{channel.key}" in html
    keep = submit(client, f"/admin/channels/edit/?id={channel.id}", {
        "name": "LINE 官方号", "kind": "line", "skill_group": "__None", "enabled": "y",
        "settings": "{}", "secrets": "",
    })
    assert keep.status_code == 302
    kept = rows(Channel, Channel.id == channel.id)[0]
    assert decrypt_json(kept.secrets_encrypted) == {"channel_secret": "clear-XYZ-123"}
    assert kept.skill_group_id is None


def test_owner_creates_schedule_and_quick_reply(app, make):
    """A valid weekly schedule and a shared quick reply are saved for the company."""
    company = make.company()
    client = owner_client(app, company)
    r = submit(client, "/admin/schedules/new/", {
        "name": "默认", "timezone": "Asia/Shanghai",
        "weekly": '{"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": [["10:00", "16:00"]]}',
        "holidays": '["2026-10-01"]', "workdays": '{"2026-09-27": [["09:00", "18:00"]]}',
    })
    assert r.status_code == 302, problems(r)
    sched = rows(WorkSchedule, WorkSchedule.company_id == company.id)[0]
    assert sched.weekly["sat"] == [["10:00", "16:00"]] and sched.holidays == ["2026-10-01"]
    r = submit(client, "/admin/quick_replies/new/", {
        "category": "问候", "title": "你好", "text": "您好，请问有什么可以帮您？",
        "owner": "__None", "sort_order": "0",
    })
    assert r.status_code == 302, problems(r)
    from kefu.quickreplies.models import QuickReply

    reply = rows(QuickReply, QuickReply.company_id == company.id)[0]
    assert reply.owner_id is None and reply.title == "你好"


def test_membership_changes_are_audited(app, make):
    """Adding an agent to a group and re-prioritising them leaves audit rows for the members."""
    company = make.company()
    group = make.group(company, name="audited")
    agent = make.user(company)
    client = owner_client(app, company)
    r = submit(client, f"/admin/agents/edit/?id={agent.id}", {
        "email": agent.email, "name": agent.name, "role": "agent", "groups": str(group.id),
        "max_concurrent": "5", "status": "offline", "is_active_account": "y",
    })
    assert r.status_code == 302, problems(r)
    member = rows(SkillGroupMember, SkillGroupMember.user_id == agent.id)[0]
    r = submit(client, f"/admin/skill_groups/edit/?id={group.id}", {
        "name": "audited", "sort_order": "0", "members-0-id": str(member.id),
        "members-0-user": str(agent.id), "members-0-priority": "7",
    })
    assert r.status_code == 302, problems(r)
    assert rows(SkillGroupMember, SkillGroupMember.id == member.id)[0].priority == 7
    r = submit(client, f"/admin/skill_groups/edit/?id={group.id}", {
        "name": "renamed", "department": "__None", "sort_order": "0",
        "members-0-id": str(member.id), "members-0-user": str(agent.id),
        "members-0-priority": "7",
    })
    assert r.status_code == 302, problems(r)
    group_logs = rows(AuditLog, AuditLog.target_type == "SkillGroup", AuditLog.action == "update")
    assert any(log.changes.get("name") == ["audited", "renamed"] for log in group_logs)
    logs = rows(AuditLog, AuditLog.target_type == "SkillGroupMember")
    assert [log.action for log in logs] == ["create", "update"]
    assert logs[1].changes["priority"] == [0, 7] and logs[0].changes["user"] == agent.email


def test_admin_cannot_touch_owner_or_delete_self(app, make):
    """An admin can neither edit nor delete the owner, nor delete their own account."""
    company = make.company()
    admin = make.user(company, role="admin")
    owner = rows(User, User.email == f"owner@{company.slug}.test")[0]
    from .helpers import AGENT_PASSWORD, client_for, csrf_from

    client = client_for(app, admin.email, AGENT_PASSWORD)
    r = submit(client, f"/admin/agents/edit/?id={owner.id}", {
        "email": owner.email, "name": "renamed", "role": "owner", "max_concurrent": "5",
        "status": "offline", "is_active_account": "y",
    })
    assert r.status_code == 200
    token = csrf_from(page(client, "/admin/agents/"))
    for victim in (owner.id, admin.id):
        client.post("/admin/agents/delete/", data={"id": str(victim), "csrf_token": token})
    assert rows(User, User.id == owner.id)[0].name == "Owner"
    assert rows(User, User.id == admin.id)


def test_search_and_filters_narrow_the_agent_list(app, make):
    """Searching by email and filtering by skill group or role narrow the list."""
    company = make.company()
    sales = make.group(company, name="sales")
    support = make.group(company, name="support")
    seller = make.user(company, groups=[sales])
    manager = make.user(company, role="manager")
    client = owner_client(app, company)
    html = page(client, f"/admin/agents/?search={seller.email}")
    assert seller.email in html and manager.email not in html
    listing = page(client, "/admin/agents/")
    assert f'[{support.id}, "support"]' in listing  # the skill-group filter offers the group
    by_group = page(client, f"/admin/agents/?flt0_3={sales.id}")
    assert seller.email in by_group and manager.email not in by_group
    by_role = page(client, "/admin/agents/?flt0_0=manager")
    assert manager.email in by_role and seller.email not in by_role


def test_department_in_use_cannot_be_deleted(app, make):
    """Deleting a department that still has a sub-department is refused with a message."""
    company = make.company()
    client = owner_client(app, company)
    submit(client, "/admin/departments/new/", {"name": "root"})
    root = rows(Department, Department.name == "root")[0]
    submit(client, "/admin/departments/new/", {"name": "leaf", "parent": str(root.id)})
    from .helpers import csrf_from

    token = csrf_from(page(client, "/admin/departments/"))
    r = client.post("/admin/departments/delete/?lang=en", data={"id": str(root.id),
                                                                 "csrf_token": token})
    assert r.status_code == 302
    assert rows(Department, Department.id == root.id)
    assert "cannot be deleted" in page(client, "/admin/departments/?lang=en")


def test_agent_list_shows_each_agents_live_chat_count(app, make):
    """The agents list shows how many chats each agent is serving right now."""
    import re

    from kefu.conversations.actions import check_visitor_message
    from kefu.visitors.token import verify

    d = make.desk()
    for _ in range(2):
        _v, token = make.visitor_token(d.channel)
        check_visitor_message(verify(token), {"text": "hi"})
    listing = page(owner_client(app, d.company), "/admin/agents/?lang=en")
    row = re.search(re.escape(d.agent.email) + r".*?</tr>", listing, re.S).group(0)
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[cells.index("5") + 1] == "2"  # 接待上限 5, then 当前接待 2


def test_deleting_an_agent_hands_their_live_chats_to_a_colleague(app, make):
    """A deleted agent's active chat goes back to the queue and on to an online colleague."""
    from kefu.conversations.actions import check_visitor_message
    from kefu.conversations.models import Conversation
    from kefu.visitors.token import verify

    from .helpers import csrf_from

    d = make.desk()
    msg, _ = check_visitor_message(verify(d.token), {"text": "还在吗"})
    colleague = make.user(d.company, groups=[d.group], status="online")
    client = owner_client(app, d.company)
    token = csrf_from(page(client, "/admin/agents/"))
    client.post("/admin/agents/delete/", data={"id": str(d.agent.id), "csrf_token": token})
    assert rows(User, User.id == d.agent.id) == []
    conv = rows(Conversation, Conversation.id == msg.conversation_id)[0]
    assert (conv.status, conv.agent_id) == ("active", colleague.id)
    kinds = [s.end_kind for s in conv.segments]
    assert kinds == ["released", None]
