"""Shared helpers of the leave-message tests: forms, the workbench's CSRF header, offers."""

from __future__ import annotations

import re
from typing import Any

import requests

from kefu.conversations.actions import check_visitor_message, do_close
from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.leavemessages.actions import check_save_form, offer
from kefu.leavemessages.models import LeaveForm
from kefu.visitors.token import verify

from ..conftest import login

FIELDS: list[dict[str, Any]] = [
    {"name": "name", "kind": "text", "label_zh": "姓名", "label_en": "Name", "required": True},
    {"name": "mobile", "kind": "phone", "label_zh": "手机", "label_en": "Mobile", "required": True},
    {"name": "mail", "kind": "email", "label_zh": "邮箱", "label_en": "Email"},
    {"name": "visit_day", "kind": "date", "label_zh": "到店日期", "label_en": "Visit date"},
    {"name": "topic", "kind": "choice", "label_zh": "问题类型", "label_en": "Topic",
     "required": True, "options": ["售后", "发票"]},
    {"name": "photo", "kind": "attachment", "label_zh": "照片", "label_en": "Photo"},
]


def make_form(company_id: int, name: str = "售后表单", fields: list[dict[str, Any]] | None = None,
              **scope: Any) -> LeaveForm:
    """Create a form through the console's action."""
    form = LeaveForm(company_id=company_id, name=name, fields=fields if fields is not None else FIELDS,
                     guide_zh="请描述问题", guide_en="Describe the problem",
                     privacy_zh="我们只用这些信息回复您", privacy_en="We only use this to reply", **scope)
    return check_save_form(None, form, created=True)


def offered(d: Any, reason: str = "off_hours") -> Conversation:
    """Queue a chat, offer the form and end the chat, as routing does when nobody can serve."""
    msg, _ = check_visitor_message(verify(d.token), {"text": "有人吗"})
    conv = db.session.get(Conversation, msg.conversation_id)
    offer(conv, reason)
    db.session.commit()
    do_close(conv, "leave_message")
    return conv


def agent_session(live: str, email: str, password: str = "agent-pass-123") -> requests.Session:
    """A logged-in requests session that sends the CSRF header the workbench's script sends."""
    s = login(live, email, password)
    page = s.get(f"{live}/workbench", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the workbench page carries a CSRF token"
    s.headers["X-CSRFToken"] = token.group(1)
    return s
