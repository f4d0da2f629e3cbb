"""The console's rule editor: drafts, validation, publish, rollback, sandbox, dry run, access."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from .helpers import client_for, csrf_from, owner_client, page, rows

EDITOR = "/admin/rules/routing/"
STATE = re.compile(r'<script type="application/json" id="kefu-rules-state">(.*?)</script>', re.S)


def state_of(client: FlaskClient, point: str = "routing", lang: str = "") -> dict[str, Any]:
    """Open the editor page and return the JSON state it hands to the script."""
    html = page(client, f"/admin/rules/{point}/" + (f"?lang={lang}" if lang else ""))
    found = STATE.search(html)
    assert found, "editor page embeds its state"
    return dict(json.loads(found.group(1)))


def post(client: FlaskClient, action: str, body: dict[str, Any], point: str = "routing",
         token: str | None = None) -> Any:
    """POST JSON to an editor endpoint with the page's CSRF token."""
    token = state_of(client, point)["csrf"] if token is None else token
    return client.post(f"/admin/rules/{point}/{action}", json=body,
                       headers={"X-CSRFToken": token, "Accept": "application/json"})


def vip(group_id: int, **extra: Any) -> dict[str, Any]:
    """A routing ruleset: VIP level ≥ 2 → the VIP group, high priority."""
    return {
        "rules": [{
            "id": "vip", "name": "VIP", "enabled": True, "continue": False,
            "when": {"all": [{"field": "vip_level", "op": "gte", "value": 2}]},
            "then": [{"action": "route", "params": {"group": group_id}},
                     {"action": "priority", "params": {"level": "high"}}],
        }],
        "cases": [{"name": "VIP 2", "facts": {"vip_level": 2}, "expect": {"rule": "vip"}}],
        **extra,
    }


def published(company_id: int, point: str = "routing") -> Any:
    """Return the published RulesetVersion of a company's point (committed state)."""
    from kefu.decisions.models import Ruleset, RulesetVersion

    heads = rows(Ruleset, Ruleset.company_id == company_id, Ruleset.point == point)
    if not heads or heads[0].published_version_id is None:
        return None
    return rows(RulesetVersion, RulesetVersion.id == heads[0].published_version_id)[0]


def test_editor_lists_points_and_loads_declaration(app, make):
    """The index lists the four points; the editor hands the script the declaration and choices."""
    company = make.company()
    group = make.group(company, "VIP 专席")
    client = owner_client(app, company)
    index = page(client, "/admin/rules/?lang=zh")
    for text in ("规则", "接待方案", "客户分配", "会话中", "留言"):
        assert text in index, text
    state = state_of(client, lang="zh")
    assert state["point"]["name"] == "routing" and state["lang"] == "zh"
    assert any(f["name"] == "vip_level" for f in state["point"]["facts"])
    assert state["refs"]["skill_group"] == [{"value": group.id, "label": "VIP 专席"}]
    # No draft yet: the editor starts from the published (shipped) version.
    shipped = published(company.id)
    assert state["definition"] == shipped.definition and state["published_version"] == shipped.version


def test_save_draft_stores_even_an_invalid_definition(app, make):
    """Save draft keeps half-built work as it is, and the index says a draft is pending."""
    company = make.company()
    client = owner_client(app, company)
    draft = {"rules": [{"id": "r1", "name": "WIP", "when": {"all": []}, "then": []}], "cases": []}
    r = post(client, "draft", {"definition": draft})
    assert r.status_code == 200 and r.get_json()["ok"] is True
    assert state_of(client)["definition"] == draft
    assert "未发布的草稿" in page(client, "/admin/rules/?lang=zh")


def test_validate_names_the_rule_of_each_problem(app, make):
    """Unknown field, wrong value type, empty group and a deleted group are each tied to their rule."""
    from kefu.org.models import SkillGroup
    from kefu.settings.actions import do_delete

    company = make.company()
    gone = make.group(company, "Gone")
    gone_id = gone.id
    do_delete(None, gone)
    client = owner_client(app, company)
    bad = {"rules": [
        {"id": "a", "name": "未知字段", "when": {"all": [{"field": "shoe_size", "op": "eq", "value": 1}]},
         "then": [{"action": "priority", "params": {"level": "high"}}]},
        {"id": "b", "name": "类型错误",
         "when": {"all": [{"field": "vip_level", "op": "gte", "value": "high"}]},
         "then": [{"action": "priority", "params": {"level": "high"}}]},
        {"id": "c", "name": "空条件组", "when": {"all": [{"any": []}]},
         "then": [{"action": "priority", "params": {"level": "high"}}]},
    ]}
    body = post(client, "validate", {"definition": bad}).get_json()
    assert body["ok"] is False
    messages = [p["message"] for p in body["problems"]]
    assert any(m.startswith("规则 1「未知字段」") and "shoe_size" in m for m in messages), messages
    assert any(m.startswith("规则 2「类型错误」") and "应为数字" in m for m in messages), messages
    assert any(m.startswith("规则 3「空条件组」") and "条件组不能为空" in m for m in messages), messages
    assert all(p["message_en"].startswith("Rule ") for p in body["problems"])

    dangling = vip(gone_id, cases=[])
    body = post(client, "validate", {"definition": dangling}).get_json()
    assert body["ok"] is False and rows(SkillGroup) == []
    assert body["problems"][0]["code"] == "dangling_ref"
    assert body["problems"][0]["message"].startswith("规则 1「VIP」")
    page(client, "/admin/?lang=en")
    body = post(client, "validate", {"definition": dangling}).get_json()
    assert body["problems"][0]["message"].startswith("Rule 1 “VIP”: skill group")


def test_publish_refused_when_a_case_fails(app, make):
    """A failing case refuses the publish with the case named, and no version is stored."""
    from kefu.decisions.models import RulesetVersion

    company = make.company()
    group = make.group(company, "VIP")
    client = owner_client(app, company)
    before = len(rows(RulesetVersion))
    definition = vip(group.id, cases=[{"name": "VIP 1 也算", "facts": {"vip_level": 1},
                                        "expect": {"rule": "vip"}}])
    r = post(client, "publish", {"definition": definition, "note": "try"})
    assert r.status_code == 422
    body = r.get_json()
    assert body["ok"] is False and body["error"]["message_en"] and body["error"]["message_zh"]
    assert body["problems"][0]["code"] == "case_failed"
    assert "VIP 1 也算" in body["problems"][0]["message"]
    assert len(rows(RulesetVersion)) == before


def test_publish_creates_the_next_version_and_moves_the_pointer(app, make):
    """Each publish stores version n+1, points the ruleset at it and clears the draft."""
    from kefu.decisions.models import Ruleset

    company = make.company()
    group = make.group(company, "VIP")
    client = owner_client(app, company)
    n = published(company.id).version  # the shipped ruleset
    post(client, "draft", {"definition": {"rules": []}})
    r = post(client, "publish", {"definition": vip(group.id), "note": "first"})
    assert r.status_code == 200 and r.get_json() == {"ok": True, "version": n + 1}
    second = vip(group.id)
    second["rules"][0]["when"]["all"][0]["value"] = 3
    second["cases"] = []
    assert post(client, "publish", {"definition": second}).get_json()["version"] == n + 2
    current = published(company.id)
    assert current.version == n + 2 and current.source == "editor" and current.note == ""
    assert current.definition["rules"][0]["when"]["all"][0]["value"] == 3
    assert rows(Ruleset)[0].draft is None
    assert f"v{n + 2}" in page(client, "/admin/rules/?lang=zh")


def test_history_diff_and_rollback_republish(app, make):
    """History shows readable diffs; rollback (with CSRF) republishes the old definition."""
    from kefu.decisions.models import RulesetVersion

    company = make.company()
    group = make.group(company, "VIP 专席")
    client = owner_client(app, company)
    first = vip(group.id)
    post(client, "publish", {"definition": first, "note": "first"})
    second = vip(group.id, cases=[])
    second["rules"][0]["when"]["all"][0]["value"] = 5
    n = post(client, "publish", {"definition": second}).get_json()["version"]
    old = [v for v in rows(RulesetVersion) if v.note == "first"][0]
    html = page(client, "/admin/rules/routing/history?lang=zh")
    assert "- 规则 1「VIP」: 如果 VIP 等级 ≥ 2 → 分配到技能组 VIP 专席" in html
    assert "+ 规则 1「VIP」: 如果 VIP 等级 ≥ 5 → 分配到技能组 VIP 专席" in html

    r = client.post(f"/admin/rules/routing/rollback/{old.id}", data={})
    assert r.status_code == 400 and published(company.id).version == n  # no token, no rollback
    r = client.post(f"/admin/rules/routing/rollback/{old.id}", data={"csrf_token": csrf_from(html)})
    assert r.status_code == 302
    current = published(company.id)
    assert current.version == n + 1 and current.source == "rollback"
    assert current.definition["rules"] == published_definition(first)["rules"]


def published_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """The canonical form validate_ruleset stores."""
    from kefu.rules import POINTS, validate_ruleset

    return validate_ruleset(POINTS["routing"], definition)


def test_editor_never_shows_or_accepts_another_companys_rows(app, make):
    """Ref choices hold only the company's groups; another company's group id is refused."""
    mine, theirs = make.company(), make.company()
    own = make.group(mine, "Mine")
    other = make.group(theirs, "Theirs")
    make.channel(theirs, other)
    client = owner_client(app, mine)
    before = published(mine.id).version
    state = state_of(client)
    assert [c["label"] for c in state["refs"]["skill_group"]] == ["Mine"]
    assert state["refs"]["channel"] == []
    assert all("Theirs" not in c["label"] for c in state["refs"]["agent"])
    r = post(client, "publish", {"definition": vip(other.id, cases=[])})
    assert r.status_code == 422 and r.get_json()["problems"][0]["code"] == "dangling_ref"
    assert published(mine.id).version == before
    assert post(client, "publish", {"definition": vip(own.id)}).status_code == 200


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_managers_and_agents_cannot_open_or_publish(app, make, role):
    """Only owners/admins reach the editor: managers and agents get 403 and publish nothing."""
    company = make.company()
    group = make.group(company)
    user = make.user(company, role=role, groups=[group])
    owner = owner_client(app, company)
    before = published(company.id).version
    token = state_of(owner)["csrf"]
    client = client_for(app, user.email, "agent-pass-123")
    assert client.get(EDITOR).status_code == 403
    r = client.post("/admin/rules/routing/publish", json={"definition": vip(group.id)},
                    headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert r.status_code == 403
    assert published(company.id).version == before


def test_admin_role_can_publish(app, make):
    """A company admin (not only the owner) may publish."""
    company = make.company()
    group = make.group(company)
    admin = make.user(company, role="admin")
    client = client_for(app, admin.email, "agent-pass-123")
    assert post(client, "publish", {"definition": vip(group.id)}).status_code == 200


def test_delete_refused_while_a_published_rule_uses_it(app, make):
    """Deleting a group, channel or agent a published rule uses is refused naming the rule."""
    from kefu.channels.models import Channel
    from kefu.errors import KefuError
    from kefu.org.models import SkillGroup, User
    from kefu.settings.actions import do_delete

    company = make.company()
    group = make.group(company, "VIP")
    channel = make.channel(company)
    agent = make.user(company, groups=[group])
    client = owner_client(app, company)
    definition = vip(group.id)
    definition["rules"][0]["when"]["all"].append({"field": "channel", "op": "eq", "value": channel.id})
    definition["rules"][0]["then"].append(
        {"action": "strategy", "params": {"strategy": "designated", "agent": agent.id}})
    definition["cases"] = []
    n = post(client, "publish", {"definition": definition}).get_json()["version"]

    listing = page(client, "/admin/skill_groups/?lang=zh")
    client.post("/admin/skill_groups/delete/", data={"id": str(group.id),
                                                     "csrf_token": csrf_from(listing)})
    assert f"该对象被规则「VIP」(routing v{n}) 使用，无法删除" in page(client, "/admin/skill_groups/")
    assert len(rows(SkillGroup)) == 1
    for model, row_id in ((Channel, channel.id), (User, agent.id)):
        obj = rows(model, model.id == row_id)[0]
        with pytest.raises(KefuError) as refused:
            do_delete(None, obj)
        assert refused.value.code == "in_use_by_rule"
        assert f"Used by rule “VIP” (routing v{n})" in str(refused.value)

    assert post(client, "publish", {"definition": {"rules": []}}).status_code == 200
    do_delete(None, rows(SkillGroup)[0])  # no longer used: deleted
    assert rows(SkillGroup) == []


def test_sandbox_explains_every_rule(app, make):
    """The sandbox returns the decision and, per rule, matched/applied and each condition's actual."""
    company = make.company()
    group = make.group(company, "VIP")
    client = owner_client(app, company)
    draft = vip(group.id)
    draft["rules"].append({"id": "web", "name": "网页", "when": {"all": [
        {"field": "channel_type", "op": "eq", "value": "web"}]},
        "then": [{"action": "priority", "params": {"level": "low"}}]})
    body = post(client, "sandbox", {"facts": {"vip_level": 3, "channel_type": "h5"},
                                    "definition": draft}).get_json()
    assert body["ok"] is True
    assert body["decision"]["rule_id"] == "vip"
    assert body["decision"]["actions"]["route"] == {"group": group.id}
    vip_rule, web_rule = body["rules"]
    assert vip_rule["matched"] and vip_rule["applied"]
    leaf = vip_rule["conditions"]["children"][0]
    assert leaf["actual"] == 3 and leaf["result"] is True and leaf["label"]["zh"] == "VIP 等级"
    assert not web_rule["matched"] and web_rule["conditions"]["children"][0]["actual"] == "h5"

    n = post(client, "publish", {"definition": {"rules": []}}).get_json()["version"]
    body = post(client, "sandbox", {"facts": {"vip_level": 3}, "use": "published"}).get_json()
    assert body["decision"]["rule_id"] is None and body["rules"] == []
    assert body["decision"]["version"] == n
    bad = post(client, "sandbox", {"facts": {}, "definition": {"rules": [{"id": "x"}]}})
    assert bad.status_code == 422 and bad.get_json()["problems"]


def test_dry_run_counts_decisions_that_would_change(app, make):
    """Recorded routing facts are decided with the published version and the draft; changes counted."""
    from kefu.conversations.models import Conversation, ConversationEvent
    from kefu.extensions import db

    company = make.company()
    group = make.group(company, "VIP")
    channel = make.channel(company)
    visitor, _token = make.visitor_token(channel)
    for level in (0, 1, 2, 3, 5):
        conv = Conversation(company_id=company.id, channel_id=channel.id, visitor_id=visitor.id,
                            status="closed")
        db.session.add(conv)
        db.session.flush()
        db.session.add(ConversationEvent(
            company_id=company.id, conversation_id=conv.id, kind="decision",
            data={"point": "routing", "version": None, "rule_id": None, "actions": {},
                  "facts": {"vip_level": level, "channel_type": "web"}}))
        db.session.add(ConversationEvent(  # another point's decision: not compared
            company_id=company.id, conversation_id=conv.id, kind="decision",
            data={"point": "reception", "facts": {"vip_level": level}}))
    db.session.commit()
    client = owner_client(app, company)
    post(client, "publish", {"definition": {"rules": []}})  # instead of the shipped rules
    state = state_of(client)
    assert len(state["recent"]) == 5 and state["recent"][0]["facts"]["vip_level"] == 5

    body = post(client, "dryrun", {"definition": vip(group.id)}).get_json()
    assert body["ok"] and body["total"] == 5 and body["changed"] == 3
    assert body["examples"][0]["after"]["rule"] == "VIP"
    assert post(client, "dryrun", {"definition": vip(group.id), "limit": 2}).get_json()["changed"] == 2
    post(client, "publish", {"definition": vip(group.id)})
    assert post(client, "dryrun", {"definition": vip(group.id)}).get_json()["changed"] == 0


def test_json_endpoints_check_csrf_and_envelopes(app, make):
    """Missing CSRF or a malformed envelope is refused as JSON with zh and en messages."""
    company = make.company()
    client = owner_client(app, company)
    r = post(client, "draft", {"definition": {"rules": []}}, token="")
    assert r.status_code == 400 and "csrf_token" in r.get_json()["error"]["fields"]
    r = post(client, "draft", {"definition": "rules"})
    body = r.get_json()
    assert r.status_code == 400 and body["error"]["message_zh"] and body["error"]["message_en"]
    assert "definition" in body["error"]["fields"]
    r = post(client, "dryrun", {"definition": {"rules": []}, "limit": 0})
    assert r.status_code == 400 and "limit" in r.get_json()["error"]["fields"]
    assert client.get("/admin/rules/nowhere/").status_code == 404


def test_rule_failures_show_on_the_index(app, make):
    """The index counts the last 24 hours' rule failures and lists the latest."""
    from kefu.decisions.models import RuleFailure
    from kefu.extensions import db

    company = make.company()
    db.session.add(RuleFailure(company_id=company.id, point="routing", version=3,
                               error="EngineError: boom"))
    db.session.commit()
    html = page(owner_client(app, company), "/admin/rules/?lang=en")
    assert 'data-count="1"' in html and "EngineError: boom" in html


def test_rule_editor_strings_are_translated():
    """Every string of the rule editor's code and templates has a zh entry in the admin catalog."""
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2] / "admin" / "kefu_admin"
    files = [root / "views" / "rules.py", root / "rules" / "strings.py",
             *sorted((root / "templates" / "kefu_admin").glob("rules*.html"))]
    found = set()
    for path in files:
        method = "jinja2" if path.suffix == ".html" else "python"
        for _line, msg, _comments, _ctx in extract_from_file(
                method, str(path), keywords={"_": None, "_l": None, "gettext": None}):
            found.add(msg if isinstance(msg, str) else msg[0])
    po = root / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
    catalog = read_po(po.open("rb"))
    assert found - {m.id for m in catalog if m.id and m.string} == set()
