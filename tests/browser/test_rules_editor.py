"""The rule editor in headless Chromium: build, publish, route a VIP, refuse a broken rule, roll back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import i18n, open_widget, shot

pytestmark = pytest.mark.browser
OWNER_PASSWORD = "owner-pass-123"


def _published(company_id: int) -> Any:
    """The company's published routing version (a fresh transaction sees the server's commits)."""
    from kefu.decisions.actions import head
    from kefu.extensions import db

    db.session.rollback()
    version = head(company_id, "routing").published
    db.session.rollback()
    return version


def _conversation(visitor_id: int) -> Any:
    from sqlalchemy import select

    from kefu.conversations.models import Conversation
    from kefu.extensions import db

    db.session.rollback()
    return db.session.scalars(select(Conversation).where(Conversation.visitor_id == visitor_id)).one()


def _admin_editor(context: Any, base: str, email: str) -> Any:
    """Log the owner in and open the routing editor."""
    page = context.new_page()
    page.goto(f"{base}/login?next=/admin/rules/routing/")
    page.fill("#email", email)
    page.fill("#password", OWNER_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/admin/rules/routing/$"))
    expect(page.locator("#rules-editor")).to_have_attribute("data-ready", "1")
    return page


def _string(page: Any, key: str, **vals: Any) -> str:
    """A UI string of the editor (the state's strings table) with {placeholders} filled."""
    text = str(page.evaluate("k => window.KefuRules.state.strings[k]", key))
    return re.sub(r"\{(\w+)\}", lambda m: str(vals[m.group(1)]), text)


def _vip_visitor_widget(context: Any, base: str, make: Any, channel: Any) -> tuple[Any, Any]:
    """Open the widget as a known visitor with VIP level 2 (its token handed over in storage)."""
    from kefu.extensions import db

    visitor, token = make.visitor_token(channel)
    visitor.vip_level = 2
    db.session.commit()
    context.add_init_script(
        f"window.localStorage.setItem('kefu_token_{channel.key}', {token!r});")
    return visitor, open_widget(context, base, channel.key)


def test_admin_builds_publishes_and_rolls_back_a_vip_rule(live, make, new_context):
    """VIP ≥ 2 → VIP group, high priority: built by clicks, it puts a VIP first in the VIP queue."""
    from kefu.conversations.queries import queue_position

    company = make.company()
    general, vip = make.group(company, "General"), make.group(company, "VIP")
    make.user(company, groups=[vip], status="offline")  # nobody online: visitors queue
    web, vip_line = make.channel(company, general), make.channel(company, vip)
    before = _published(company.id)

    # -- the admin builds the rule with the condition builder and the action form -------------
    editor = _admin_editor(new_context(), live, f"owner@{company.slug}.test")
    existing = editor.locator("#rules .rule").count()
    editor.click("#add-rule")
    rule = editor.locator("#rules .rule").nth(existing)
    rule.locator(".rule-name").fill("VIP")
    rule.locator(".add-condition").click()
    rule = editor.locator("#rules .rule").nth(existing)
    rule.locator(".cond-field").select_option("vip_level")
    rule.locator(".cond-op").select_option("gte")
    rule.locator(".cond-value").fill("2")
    rule.locator(".add-action").click()
    rule = editor.locator("#rules .rule").nth(existing)
    rule.locator(".action-name").select_option("route")
    rule.locator(".param-group").select_option(label="VIP")
    rule.locator(".add-action").click()
    rule = editor.locator("#rules .rule").nth(existing)
    rule.locator(".rule-action").nth(1).locator(".action-name").select_option("priority")
    rule.locator(".param-level").select_option("high")
    position = min(existing, 1)  # move it up, but stay below the first (off-hours) rule
    for index in range(existing, position, -1):
        editor.locator("#rules .rule").nth(index).locator(".move-up").click()
    expect(editor.locator("#rules .rule").nth(position).locator(".rule-name")).to_have_value("VIP")
    shot(editor, "rules-editor-vip")
    editor.fill("#publish-note", "VIP 优先")
    editor.click("#publish")
    version = (before.version if before else 0) + 1
    expect(editor.locator("#rules-messages")).to_contain_text(_string(editor, "published", version=version))
    current = _published(company.id)
    assert current.version == version and current.note == "VIP 优先"
    vip_rule = current.definition["rules"][position]
    assert vip_rule["when"] == {"all": [{"field": "vip_level", "op": "gte", "value": 2}]}
    assert vip_rule["then"] == [{"action": "route", "params": {"group": vip.id}},
                                {"action": "priority", "params": {"level": "high"}}]

    # -- an ordinary visitor waits in the VIP queue; a VIP arrives from another channel -------
    ordinary = open_widget(new_context(viewport={"width": 400, "height": 640}), live, vip_line.key)
    ordinary.fill("#text", "我在排队")
    ordinary.click("#send")
    expect(ordinary.locator("#chat-state")).to_have_text(i18n(ordinary, "queued", n=1))
    visitor, widget = _vip_visitor_widget(new_context(viewport={"width": 400, "height": 640}),
                                          live, make, web)
    widget.fill("#text", "我是 VIP 客户")
    widget.click("#send")
    expect(widget.locator("#chat")).to_have_attribute("data-status", "queued")
    expect(widget.locator("#chat-state")).to_have_text(i18n(widget, "queued", n=1))
    shot(widget, "rules-vip-first")
    conv = _conversation(visitor.id)
    assert conv.skill_group_id == vip.id
    others = [c for c in _queued(vip.id) if c.id != conv.id]
    assert len(others) == 1 and conv.priority > others[0].priority
    assert queue_position(conv) == 1 and queue_position(others[0]) == 2

    # -- the sandbox explains the decision; the dry run replays the recorded ones -------------
    editor.click("#tab-sandbox-link")
    editor.fill("#fact-vip_level", "2")
    editor.click("#sandbox-run")
    expect(editor.locator("#sandbox-decision")).to_contain_text("「VIP」")
    explained = editor.locator(f'.explain-rule[data-rule="{vip_rule["id"]}"]')
    expect(explained.locator(".cond-result")).to_contain_text("✓")
    shot(editor, "rules-sandbox")
    editor.click("#tab-dry-link")
    editor.click("#dry-run")
    expect(editor.locator("#dry-summary")).to_have_attribute("data-changed", "0")
    assert int(editor.locator("#dry-summary").get_attribute("data-total")) >= 2
    editor.click("#tab-rules-link")

    # -- a broken rule is refused with its reason on the page ----------------------------------
    editor.click("#add-rule")
    broken = editor.locator("#rules .rule").last
    broken.locator(".rule-name").fill("坏规则")
    broken.locator(".add-condition").click()
    broken = editor.locator("#rules .rule").last
    broken.locator(".cond-field").select_option("vip_level")  # and no value typed
    broken.locator(".add-action").click()
    editor.click("#publish")
    messages = editor.locator("#rules-messages")
    expect(messages).to_contain_text(_string(editor, "refused"))
    expect(messages.locator(".problem").last).to_contain_text("「坏规则」")
    expect(messages).to_contain_text("VIP 等级")
    shot(editor, "rules-refused")
    assert _published(company.id).version == version

    # -- rollback in History restores the version before the VIP rule -------------------------
    editor.click("#history-link")
    expect(editor.locator(".rules-version").first).to_have_attribute("data-version", str(version))
    expect(editor.locator(".rules-version").first).to_contain_text("VIP 等级 ≥ 2 → 分配到技能组 VIP")
    if before is not None:
        editor.locator(f'.rules-version[data-version="{before.version}"] .rollback').click()
        expect(editor.locator(".rules-version").first).to_have_attribute(
            "data-version", str(version + 1))
        expect(editor.locator(".rules-version").first.locator(".current-version")).to_be_visible()
        shot(editor, "rules-history")
        restored = _published(company.id)
        assert restored.version == version + 1 and restored.source == "rollback"
        assert restored.definition["rules"] == before.definition["rules"]


def _queued(group_id: int) -> list[Any]:
    from sqlalchemy import select

    from kefu.conversations.models import Conversation
    from kefu.extensions import db

    db.session.rollback()
    return list(db.session.scalars(select(Conversation).where(
        Conversation.skill_group_id == group_id, Conversation.status == "queued")))
