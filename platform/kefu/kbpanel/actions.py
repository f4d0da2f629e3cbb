"""Writes of the knowledge panel: favourites, and the log of each agent search."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..conversations.access import can_see_conversation
from ..conversations.queries import conversations_by_ids
from ..conversations.schemas import load
from ..extensions import db
from ..org.models import User
from ..realtime.events import AGENT_NS, agent_room, publish
from .models import KnowledgeFavourite
from .queries import browse_page, search_page, visible_doc
from .schemas import FavouriteSchema, SearchSchema

# What the search reads of a pasted wall of text: its head is the question.
QUERY_USED = 200


def check_search(user: User, data: Any) -> dict[str, Any]:
    """Validate a panel search or listing, run it, log a first-page search; return the page."""
    fields = load(SearchSchema(), data if data is not None else {})
    q = " ".join(fields["q"].split())
    cut = len(q) > QUERY_USED
    q = q[:QUERY_USED]
    if fields["browse"]:
        return {"results": browse_page(user, fields["category_id"] or None, fields["page"],
                                       fields["per_page"]), "truncated": False}
    page = search_page(user, q, fields["category_id"], fields["page"], fields["per_page"])
    if q and fields["page"] == 1 and not fields["suggest"]:  # next pages: the same search
        do_record_search(user, q, page, fields["conversation_id"])
    return {"results": page, "truncated": cut}


def do_record_search(user: User, q: str, page: dict[str, Any], conversation_id: int | None) -> None:
    """Log the search for 知识使用统计 (with the chat only if the agent may see it) and commit."""
    from ..knowledge.usage import do_log_search  # the usage part owns the log

    conv_id = None
    if conversation_id is not None and user.company_id is not None:
        convs = conversations_by_ids(user.company_id, [conversation_id])
        if convs and can_see_conversation(user, convs[0]):
            conv_id = convs[0].id
    hits = page["hits"]
    do_log_search(user.company_id or 0, "agent", q, int(page["total"]), user_id=user.id,
                  conversation_id=conv_id, top_doc_id=hits[0]["doc_id"] if hits else None)
    db.session.commit()


def check_set_favourite(user: User, data: Any) -> dict[str, Any]:
    """Validate a 收藏 toggle of an item the agent may see, then set it."""
    fields = load(FavouriteSchema(), data)
    visible_doc(user, fields["kind"], fields["id"])  # not_found for what they cannot open
    return {"kind": fields["kind"], "id": fields["id"],
            "favourite": do_set_favourite(user, fields["kind"], fields["id"], fields["on"])}


def do_set_favourite(user: User, kind: str, obj_id: int, on: bool) -> bool:
    """Mark or unmark; idempotent; the agent's other tabs hear of it after commit."""
    column = KnowledgeFavourite.entry_id if kind == "entry" else KnowledgeFavourite.article_id
    row = db.session.scalar(select(KnowledgeFavourite).where(
        KnowledgeFavourite.user_id == user.id, column == obj_id))
    if on == (row is not None):
        db.session.rollback()
        return on
    publish({"type": "kb.favourite", "kind": kind, "id": obj_id, "favourite": on},
            (AGENT_NS, agent_room(user.id)), skip_origin=True)
    if on:
        db.session.add(KnowledgeFavourite(
            company_id=user.company_id, user_id=user.id,
            entry_id=obj_id if kind == "entry" else None,
            article_id=obj_id if kind == "article" else None))
    else:
        db.session.delete(row)
    try:
        db.session.commit()
    except IntegrityError:  # the agent's other tab marked it at the same moment: it is marked
        db.session.rollback()
    return on
