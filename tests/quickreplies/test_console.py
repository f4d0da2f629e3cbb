"""The console's quick-reply libraries: company groups, replies in them, and library checks."""

from __future__ import annotations

from kefu.quickreplies.models import QuickReply, QuickReplyGroup
from kefu.settings.actions import do_save

from ..admin.helpers import owner_client, page, problems, rows, select_options, submit


def test_owner_builds_the_company_library_with_groups(app, make):
    """An owner creates a shared group, puts a shared reply in it, sees both listed, and deleting
    the group keeps the reply, ungrouped."""
    company = make.company()
    client = owner_client(app, company)
    r = submit(client, "/admin/quick_reply_groups/new/", {"name": "售后", "owner": "__None",
                                                          "sort_order": "0"})
    assert r.status_code == 302, problems(r)
    group = rows(QuickReplyGroup, QuickReplyGroup.company_id == company.id)[0]
    assert group.owner_id is None
    assert "售后 (" in " ".join(select_options(page(client, "/admin/quick_replies/new/"), "group"))
    r = submit(client, "/admin/quick_replies/new/", {
        "group": str(group.id), "title": "退货", "text": "{visitor_name}，您好，退货地址是……",
        "owner": "__None", "sort_order": "0"})
    assert r.status_code == 302, problems(r)
    reply = rows(QuickReply, QuickReply.company_id == company.id)[0]
    assert reply.group_id == group.id and reply.owner_id is None
    listing = page(client, "/admin/quick_replies/")
    assert "售后" in listing and "退货" in listing
    dup = submit(client, "/admin/quick_reply_groups/new/", {"name": "售后", "owner": "__None",
                                                            "sort_order": "0"})
    assert dup.status_code == 200 and "名称已存在" in dup.get_data(as_text=True)
    r = client.post("/admin/quick_reply_groups/delete/", data={
        "id": str(group.id), "csrf_token": _token(page(client, "/admin/quick_reply_groups/"))})
    assert r.status_code == 302
    assert rows(QuickReplyGroup, QuickReplyGroup.company_id == company.id) == []
    assert rows(QuickReply, QuickReply.id == reply.id)[0].group_id is None


def test_reply_must_use_a_group_of_its_library(app, make):
    """A shared reply cannot go into an agent's personal group (and nothing is saved)."""
    company = make.company()
    agent = make.user(company)
    personal = do_save(None, QuickReplyGroup(company_id=company.id, owner_id=agent.id, name="私人"),
                       created=True)
    client = owner_client(app, company)
    r = submit(client, "/admin/quick_replies/new/", {
        "group": str(personal.id), "title": "t", "text": "x", "owner": "__None", "sort_order": "0"})
    assert r.status_code == 200
    assert "找不到该分组" in r.get_data(as_text=True)
    assert rows(QuickReply, QuickReply.company_id == company.id) == []


def _token(html: str) -> str:
    import re

    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found
    return found.group(1)
