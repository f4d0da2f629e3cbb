"""The console speaks Chinese or English, our labels and Flask-Admin's buttons alike."""

from __future__ import annotations

from .helpers import owner_client, page


def test_console_renders_chinese_with_lang_zh(app, make):
    """?lang=zh shows our Chinese labels and Flask-Admin's Chinese buttons."""
    client = owner_client(app, make.company())
    html = page(client, "/admin/agents/new/?lang=zh")
    for text in ("技能组", "接待上限", "组织架构", "保存", "列表", "退出登录"):
        assert text in html, text
    assert "Max concurrent chats" not in html and ">Save<" not in html
    assert "进行中的会话" in page(client, "/admin/")  # the language sticks to the session


def test_console_renders_english_with_lang_en(app, make):
    """?lang=en shows English labels and buttons."""
    client = owner_client(app, make.company())
    html = page(client, "/admin/agents/new/?lang=en")
    for text in ("Skill groups", "Max concurrent chats", "Organization", 'value="Save"', "List"):
        assert text in html, text
    assert "技能组" not in html and "保存" not in html
    assert "Open conversations" in page(client, "/admin/")
