"""Build conversations for the rating tests through the real message and routing paths."""

from __future__ import annotations

from typing import Any

from kefu.conversations.actions import check_visitor_message, do_close
from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.ratings.models import RatingScheme
from kefu.settings.actions import do_save
from kefu.visitors.token import verify


def served(d: Any, text: str = "你好") -> Conversation:
    """A visitor's first message, assigned to the desk's online agent."""
    msg, _ = check_visitor_message(verify(d.token), {"text": text})
    conv = db.session.get(Conversation, msg.conversation_id, populate_existing=True)
    assert conv is not None and conv.status == "active" and conv.agent_id == d.agent.id
    return conv


def closed(d: Any) -> Conversation:
    """A served conversation the agent ended."""
    conv = served(d)
    do_close(conv, "agent_removed", actor_id=d.agent.id)
    db.session.refresh(conv)
    return conv


def scheme(company: Any, group: Any = None, **values: Any) -> RatingScheme:
    """Save a rating scheme (global without a group)."""
    row = RatingScheme(company_id=company.id, skill_group_id=group.id if group else None,
                       **{"name": "s", "scale": "stars5", "labels": {}, "tags": {},
                          "comment_mode": "optional", **values})
    return do_save(None, row, created=True)


def submit(d: Any, conv: Conversation, **data: Any) -> Any:
    """Submit a rating as the desk's visitor."""
    from kefu.ratings.actions import check_submit

    return check_submit(verify(d.token), {"conversation_id": conv.id, "score": 5, **data})


def settings(company: Any, **values: Any) -> None:
    """Change the company's satisfaction switches (agents_see_ratings, rating_on_close)."""
    from kefu.settings.queries import company_settings

    row = company_settings(company.id)
    created = row.id is None
    for key, value in values.items():
        setattr(row, key, value)
    do_save(None, row, created=created)
