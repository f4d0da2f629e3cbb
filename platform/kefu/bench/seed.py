"""Bench data: a company, a skill group, online agents, a web channel, visitors; agent logins."""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

AGENT_PASSWORD = "bench-agent-pass-1"
MAX_AGENTS = 20


@dataclass
class Seeded:
    """Ids and credentials the load driver needs."""

    agent_emails: list[str]
    max_concurrent: int
    visitor_tokens: list[str]
    channel_key: str


def agent_plan(conversations: int) -> tuple[int, int]:
    """(agents, max_concurrent per agent) with room for every conversation plus headroom."""
    agents = max(1, min(MAX_AGENTS, math.ceil(conversations / 10)))
    return agents, math.ceil(conversations / agents) + 5


def make_app(config: dict[str, Any], instance: Path) -> Any:
    """An app bound to the bench database, for seeding and checking from this process."""
    from kefu import create_app

    return create_app({"KEFU_TESTING": True, **config}, instance_path=str(instance))


def seed(app: Any, conversations: int) -> Seeded:
    """Create the company, group, online agents, channel and one visitor token per conversation."""
    from kefu.channels.models import Channel
    from kefu.extensions import db
    from kefu.org.actions import do_create_company, do_create_user, do_set_status
    from kefu.org.models import SkillGroup
    from kefu.settings.actions import do_save
    from kefu.visitors.actions import check_open_session

    agents, max_concurrent = agent_plan(conversations)
    with app.app_context():
        company = do_create_company(None, "Bench Co", "bench", "owner@bench.test", "Owner",
                                    "bench-owner-pass-1")
        group = do_save(None, SkillGroup(company_id=company.id, name="bench"), created=True)
        emails = []
        for i in range(agents):
            user = do_create_user(None, company.id, f"agent{i}@bench.test", f"Agent {i}",
                                  AGENT_PASSWORD, max_concurrent=max_concurrent,
                                  group_ids=[group.id])
            do_set_status(user, "online")
            emails.append(user.email)
        channel = do_save(None, Channel(company_id=company.id, name="bench-web", kind="web",
                                        skill_group_id=group.id), created=True)
        tokens = [check_open_session(channel, {}, "127.0.0.1", "kefu-bench")["token"]
                  for _ in range(conversations)]
        key = channel.key
        db.session.remove()
        db.engine.dispose()
    return Seeded(emails, max_concurrent, tokens, key)


def login(base: str, email: str) -> str:
    """Log an agent in through the real form; return the `session` cookie value."""
    s = requests.Session()
    page = s.get(f"{base}/login", timeout=30)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("login page has no CSRF token")
    r = s.post(f"{base}/login", data={"csrf_token": token.group(1), "email": email,
                                      "password": AGENT_PASSWORD},
               allow_redirects=False, timeout=30)
    if r.status_code != 302 or "session" not in s.cookies:
        raise RuntimeError(f"login of {email} failed: {r.status_code}")
    return str(s.cookies["session"])


def login_all(base: str, emails: list[str]) -> list[str]:
    """Log every agent in (a few at a time); return their session cookies."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda e: login(base, e), emails))


def count_rows(app: Any) -> dict[str, Any]:
    """What the database holds after the run: visitor messages, their client ids, conversations."""
    from sqlalchemy import func, select

    from kefu.conversations.models import Conversation, Message
    from kefu.extensions import db

    with app.app_context():
        msgs = db.session.scalar(
            select(func.count(Message.id)).where(Message.sender_kind == "visitor"))
        distinct = db.session.scalar(
            select(func.count(func.distinct(Message.client_msg_id))).where(
                Message.sender_kind == "visitor"))
        convs = db.session.scalar(select(func.count(Conversation.id)))
        assigned = db.session.scalar(
            select(func.count(Conversation.id)).where(Conversation.agent_id.is_not(None)))
        db.session.remove()
        db.engine.dispose()
    return {"visitor_messages": int(msgs or 0), "distinct_client_ids": int(distinct or 0),
            "conversations": int(convs or 0), "assigned_conversations": int(assigned or 0)}
