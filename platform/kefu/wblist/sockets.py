"""The workbench list's events on /agent: wblist.meta, .queue, .history, .history_chat, .counts, .pick."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from ..conversations.schemas import load
from ..conversations.serialize import conversation_dict
from ..errors import KefuError
from ..realtime.handlers import acked
from . import queries
from .actions import check_pick
from .schemas import ConversationRefSchema, HistorySchema, MetaSchema


def _lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


@acked(_lang)
def on_meta(self: Any, data: Any = None) -> dict[str, Any]:
    """Return unread counts (from the read marks), visitor tags, group and star of shown chats."""
    agent = _agent()
    return {"meta": queries.list_meta(agent, load(MetaSchema(), data)["conversation_ids"])}


@acked(_lang)
def on_queue(self: Any, data: Any = None) -> dict[str, Any]:
    """Return the queue the user may see, with place, wait, channel and group of each chat."""
    return {"queue": queries.queue_for(_agent())}


@acked(_lang)
def on_history(self: Any, data: Any = None) -> dict[str, Any]:
    """Return one page of the user's ended chats, newest first, searched by visitor name."""
    fields = load(HistorySchema(), data if data is not None else {})
    return queries.history(_agent(), fields["page"], fields["q"])


@acked(_lang)
def on_history_chat(self: Any, data: Any = None) -> dict[str, Any]:
    """Return an ended chat and its messages (read-only)."""
    return queries.history_chat(_agent(), load(ConversationRefSchema(), data)["conversation_id"])


@acked(_lang)
def on_counts(self: Any, data: Any = None) -> dict[str, Any]:
    """Return the status bar's numbers: mine / capacity, my groups' queue, online colleagues."""
    return queries.status_counts(_agent())


@acked(_lang)
def on_pick(self: Any, data: Any = None) -> dict[str, Any]:
    """Take (接入) a queued chat; conversation.assigned follows like any assignment."""
    return {"conversation": conversation_dict(check_pick(_agent(), data))}


HANDLERS = {"wblist.meta": on_meta, "wblist.queue": on_queue, "wblist.history": on_history,
            "wblist.history_chat": on_history_chat, "wblist.counts": on_counts,
            "wblist.pick": on_pick}


def install(namespace: type) -> None:
    """Add the list's events to the /agent namespace ("x" dispatches to `on_x`)."""
    for event, handler in HANDLERS.items():
        setattr(namespace, f"on_{event}", handler)
