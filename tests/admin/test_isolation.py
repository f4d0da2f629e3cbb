"""One company never sees, edits or references another company's rows through the console."""

from __future__ import annotations

import pytest

from kefu.channels.models import Channel
from kefu.org.models import Department, SkillGroup, SkillGroupMember, User
from kefu.quickreplies.models import QuickReply
from kefu.settings.actions import do_save

from .helpers import csrf_from, field_errors, owner_client, page, rows, select_options, submit


@pytest.fixture()
def two_companies(make):
    """Company A and company B, each with a group, an agent, a channel and a department."""
    out = {}
    for slug in ("alpha", "bravo"):
        company = make.company(slug)
        dep = do_save(None, Department(company_id=company.id, name=f"dep-{slug}"), created=True)
        group = make.group(company, name=f"group-{slug}", department_id=dep.id)
        agent = make.user(company, groups=[group])
        channel = make.channel(company, group)
        reply = do_save(None, QuickReply(company_id=company.id, title=f"reply-{slug}",
                                         text="hi"), created=True)
        out[slug] = {"company": company, "group": group, "agent": agent, "channel": channel,
                     "dep": dep, "reply": reply}
    return out


VIEWS = {"group": "skill_groups", "agent": "agents", "channel": "channels",
         "dep": "departments", "reply": "quick_replies"}


def test_lists_show_only_own_company(app, two_companies):
    """A's owner lists only A's rows on every page, and the counts match."""
    client = owner_client(app, two_companies["alpha"]["company"])
    b = two_companies["bravo"]
    for key, view in VIEWS.items():
        html = page(client, f"/admin/{view}/")
        assert str(two_companies["alpha"][key].name if key != "reply" else "reply-alpha") in html
        assert "bravo" not in html, view
    assert b["channel"].key not in page(client, "/admin/channels/")


def test_other_company_rows_cannot_be_opened_edited_or_deleted(app, two_companies):
    """Opening, editing or deleting B's rows by id from A's console changes nothing."""
    client = owner_client(app, two_companies["alpha"]["company"])
    b = two_companies["bravo"]
    for key, view in VIEWS.items():
        row_id = b[key].id
        for url in (f"/admin/{view}/details/?id={row_id}", f"/admin/{view}/edit/?id={row_id}"):
            r = client.get(url)
            assert r.status_code == 302, url
            assert "bravo" not in r.get_data(as_text=True)
        token_page = page(client, f"/admin/{view}/")
        client.post(f"/admin/{view}/delete/",
                    data={"id": str(row_id), "csrf_token": csrf_from(token_page)})
        client.post(f"/admin/{view}/edit/?id={row_id}",
                    data={"name": "hijacked", "title": "hijacked",
                          "csrf_token": csrf_from(token_page)})
        client.post(f"/admin/{view}/action/",
                    data={"action": "delete", "rowid": str(row_id),
                          "csrf_token": csrf_from(token_page)})
    assert rows(SkillGroup, SkillGroup.id == b["group"].id)[0].name == "group-bravo"
    assert rows(User, User.id == b["agent"].id)
    assert rows(Channel, Channel.id == b["channel"].id)[0].name == b["channel"].name
    assert rows(Department, Department.id == b["dep"].id)[0].name == "dep-bravo"
    assert rows(QuickReply, QuickReply.id == b["reply"].id)[0].title == "reply-bravo"
    assert client.get("/admin/agents/edit/?id=not-a-number").status_code == 302


def test_dropdowns_offer_only_own_company_rows(app, two_companies):
    """FK dropdowns and filters list A's groups/departments/agents only."""
    client = owner_client(app, two_companies["alpha"]["company"])
    checks = {
        "/admin/agents/new/": ("groups", "department"),
        "/admin/channels/new/": ("skill_group",),
        "/admin/schedules/new/": ("skill_group",),
        "/admin/skill_groups/new/": ("department",),
        "/admin/departments/new/": ("parent",),
        "/admin/quick_replies/new/": ("owner",),
    }
    for url, fields in checks.items():
        html = page(client, url)
        for field in fields:
            options = " ".join(select_options(html, field))
            assert "bravo" not in options, (url, field)
        assert "bravo" not in html, url
    assert "group-alpha" in " ".join(select_options(page(client, "/admin/agents/new/"), "groups"))
    assert "bravo" not in page(client, "/admin/agents/")  # filter options too


def test_posting_other_company_ids_is_refused(app, two_companies):
    """Forms posted with B's group or department ids are rejected and write nothing."""
    a, b = two_companies["alpha"], two_companies["bravo"]
    client = owner_client(app, a["company"])
    r = submit(client, "/admin/channels/new/", {
        "name": "steal", "kind": "web", "skill_group": str(b["group"].id), "enabled": "y",
        "settings": "{}",
    })
    assert r.status_code == 200 and field_errors(r.get_data(as_text=True))
    r = submit(client, "/admin/agents/new/", {
        "email": "x@example.com", "name": "x", "role": "agent", "max_concurrent": "1",
        "status": "offline", "password": "long-pass-1", "groups": str(b["group"].id),
        "department": str(b["dep"].id),
    })
    assert r.status_code == 200 and field_errors(r.get_data(as_text=True))
    r = submit(client, "/admin/skill_groups/new/", {
        "name": "mixed", "members-0-user": str(b["agent"].id), "members-0-priority": "0",
    })
    assert r.status_code == 200
    assert not rows(Channel, Channel.name == "steal")
    assert not rows(User, User.email == "x@example.com")
    assert not rows(SkillGroup, SkillGroup.name == "mixed")
    assert len(rows(SkillGroupMember, SkillGroupMember.user_id == b["agent"].id)) == 1


def test_own_rows_are_deleted_in_bulk_from_the_list(app, two_companies):
    """The list's bulk 删除 removes the company's own ticked rows (ids arrive as text) on both
    databases, and leaves the other company's alone."""
    client = owner_client(app, two_companies["alpha"]["company"])
    a, b = two_companies["alpha"], two_companies["bravo"]
    extra = do_save(None, QuickReply(company_id=a["company"].id, title="reply-alpha-2", text="yo"),
                    created=True)
    ids = [a["reply"].id, extra.id]
    token_page = page(client, "/admin/quick_replies/")
    r = client.post("/admin/quick_replies/action/",
                    data={"action": "delete", "rowid": [str(i) for i in ids],
                          "csrf_token": csrf_from(token_page)})
    assert r.status_code == 302
    assert rows(QuickReply, QuickReply.id.in_(ids)) == []
    assert rows(QuickReply, QuickReply.id == b["reply"].id)
