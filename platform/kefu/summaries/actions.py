"""Summary writes: save a conversation's service summary, star or unstar it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from ..audit.actions import record
from ..conversations.models import Conversation
from ..conversations.schemas import load
from ..errors import KefuError
from ..extensions import db
from ..org.models import User
from ..realtime.events import AGENT_NS, agent_room, publish
from ..timeutil import utcnow
from .access import access_summary
from .models import MAX_TYPES, REMARK_MAX, SUMMARY_STATUSES, ConversationStar, ConversationSummary
from .queries import enabled_types, is_starred, summary_dict, summary_of
from .schemas import StarSchema, SummarySchema


def check_save_summary(user: User, data: Any) -> tuple[ConversationSummary, bool]:
    """Validate a summary from the workbench and save it; return (summary, created)."""
    fields = load(SummarySchema(), data)
    conv = access_summary(user, fields["conversation_id"])  # foreign or not theirs: not found
    type_ids = list(dict.fromkeys(fields["type_ids"]))  # a repeated pick counts once
    allowed = enabled_types(conv.company_id)
    if len(type_ids) > MAX_TYPES or any(t not in allowed for t in type_ids):
        raise KefuError("summary_types", fields={"type_ids": [f"0-{MAX_TYPES} enabled types"]})
    if fields["status"] not in SUMMARY_STATUSES:
        raise KefuError("summary_status", fields={"status": list(SUMMARY_STATUSES)})
    remark = fields["remark"].strip()
    if len(remark) > REMARK_MAX:
        raise KefuError("summary_remark_too_long", fields={"remark": ["too long"]}, limit=REMARK_MAX)
    return do_save_summary(user, conv, type_ids, fields["status"], remark, fields["invalid"])


def do_save_summary(
    user: User, conv: Conversation, type_ids: list[int], status: str, remark: str, invalid: bool,
) -> tuple[ConversationSummary, bool]:
    """Create or update the one summary of `conv`, audit it, commit, and tell its agents."""
    values = {"type_ids": type_ids, "status": status, "remark": remark, "invalid": invalid}
    summary = summary_of(conv.id)
    created = summary is None
    if summary is None:
        summary = ConversationSummary(company_id=conv.company_id, conversation_id=conv.id,
                                      agent_id=user.id, created_at=utcnow(), **values)
        db.session.add(summary)
        try:
            db.session.flush()
        except IntegrityError:
            # Two saves raced (two tabs, a double click): the other one created it; update that.
            db.session.rollback()
            summary = summary_of(conv.id)
            assert summary is not None
            created = False
    changes = {k: [None if created else getattr(summary, k), v] for k, v in values.items()
               if created or getattr(summary, k) != v}
    for key, value in values.items():
        setattr(summary, key, value)
    summary.updated_by_id = user.id
    summary.updated_at = utcnow()
    record(user.id, "create" if created else "update", summary, conv.company_id, changes)
    targets = {agent_room(user.id)}
    if conv.agent_id:
        targets.add(agent_room(conv.agent_id))
    publish({"type": "summary.saved", "summary": summary_dict(summary)},
            *[(AGENT_NS, room) for room in sorted(targets)], skip_origin=True)
    db.session.commit()
    return summary, created


def check_star(user: User, data: Any) -> bool:
    """Validate a star request and star or unstar the conversation for this agent only."""
    fields = load(StarSchema(), data)
    conv = access_summary(user, fields["conversation_id"])
    return do_star(user, conv, fields["starred"])


def do_star(user: User, conv: Conversation, starred: bool) -> bool:
    """Star or unstar `conv` for `user`; a repeat changes nothing. Return the new state."""
    if starred == is_starred(user.id, conv.id):
        return starred
    if starred:
        db.session.add(ConversationStar(company_id=conv.company_id, conversation_id=conv.id,
                                        user_id=user.id, created_at=utcnow()))
    else:
        db.session.execute(delete(ConversationStar).where(ConversationStar.user_id == user.id,
                                                          ConversationStar.conversation_id == conv.id))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same star landed twice at once: it is starred either way
    return starred
