"""Who may open the console, and what managers may only read."""

from __future__ import annotations

from kefu.org.models import SkillGroup

from .helpers import AGENT_PASSWORD, anonymous, client_for, owner_client, page, rows, submit


def test_agent_gets_403(app, make):
    """An agent who logs in is refused the console and every list in it."""
    company = make.company()
    agent = make.user(company)
    client = client_for(app, agent.email, AGENT_PASSWORD)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/agents/").status_code == 403
    assert client.get("/admin/channels/new/").status_code == 403


def test_anonymous_is_sent_to_login(app, make):
    """Without a session, the console redirects to the login page."""
    r = anonymous(app).get("/admin/departments/")
    assert r.status_code == 302
    assert "/login" in r.headers["Location"]


def test_owner_sees_company_home(app, make):
    """The owner's home shows the company's name, live counts and the widget link."""
    company = make.company()
    group = make.group(company)
    make.user(company, groups=[group], status="online")
    channel = make.channel(company, group)
    html = page(owner_client(app, company), "/admin/?lang=en")
    assert company.name in html
    assert "Agents online" in html and 'id="kefu-online">1<' in html
    assert "Open conversations" in html
    assert f"/chat/{channel.key}" in html and "/workbench" in html


def test_manager_reads_only_the_groups_they_oversee(app, make):
    """A manager lists their own group and its agents, not others, and cannot create groups."""
    company = make.company()
    mine = make.group(company, name="mine-group")
    other = make.group(company, name="other-group")
    manager = make.user(company, role="manager", groups=[mine])
    colleague, stranger = make.user(company, groups=[mine]), make.user(company, groups=[other])
    client = client_for(app, manager.email, AGENT_PASSWORD)
    html = page(client, "/admin/skill_groups/")
    assert "mine-group" in html and "other-group" not in html
    agents = page(client, "/admin/agents/")
    assert colleague.email in agents and stranger.email not in agents
    assert client.get(f"/admin/agents/details/?id={stranger.id}").status_code == 302
    assert client.get("/admin/departments/").status_code == 403
    r = client.post("/admin/skill_groups/new/", data={"name": "sneaky"})
    assert r.status_code == 302
    assert not rows(SkillGroup, SkillGroup.name == "sneaky")
    owner = owner_client(app, company)
    assert submit(owner, "/admin/skill_groups/new/", {"name": "ok"}).status_code == 302
