"""Shared steps of the presence tests: settings, busy reasons, a chat assigned to an agent."""

from __future__ import annotations

from typing import Any

from kefu.conversations.actions import check_visitor_message
from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.presence.models import BusyReason
from kefu.settings.actions import do_save
from kefu.settings.models import CompanySettings
from kefu.settings.queries import company_settings
from kefu.visitors.token import verify


def configure(company: Any, **values: Any) -> CompanySettings:
    """Save company settings (status approval, grace, offline chats)."""
    row = company_settings(company.id)
    created = row.id is None
    for key, value in values.items():
        setattr(row, key, value)
    return do_save(None, row, created=created)  # type: ignore[no-any-return]


def busy_reason(company: Any, name: str = "小休", name_en: str = "Break", enabled: bool = True) -> BusyReason:
    """Create a busy reason of the company."""
    return do_save(None, BusyReason(company_id=company.id, name=name, name_en=name_en, enabled=enabled),  # type: ignore[no-any-return]
                   created=True)


def open_chat(make: Any, channel: Any, text: str = "你好") -> Conversation:
    """A new visitor writes; return their conversation (assigned when an agent is online)."""
    _v, token = make.visitor_token(channel)
    msg, _ = check_visitor_message(verify(token), {"text": text})
    conv = db.session.get(Conversation, msg.conversation_id)
    assert conv is not None
    db.session.refresh(conv)
    return conv
