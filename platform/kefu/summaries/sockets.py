"""The workbench's summary events (/agent): summary.get, summary.save, summary.star, order.save."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from ..conversations.schemas import load
from ..errors import KefuError
from ..orders.actions import check_save_order, order_dict, orders_of
from ..orders.models import ORDER_STATUSES
from ..realtime.handlers import acked
from .access import access_summary
from .actions import check_save_summary, check_star
from .models import MAX_TYPES, SUMMARY_STATUSES
from .queries import category_tree, is_starred, starred_ids, summary_dict, summary_missing, summary_of
from .schemas import ConversationRefSchema, StarsSchema


def _lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


@acked(_lang)
def on_summary_get(self: Any, data: Any = None) -> dict[str, Any]:
    """Return what the summary panel shows for one chat: categories, summary, star, orders."""
    agent = _agent()
    conv = access_summary(agent, load(ConversationRefSchema(), data)["conversation_id"])
    return {
        "categories": category_tree(conv.company_id, _lang()), "max_types": MAX_TYPES,
        "statuses": list(SUMMARY_STATUSES), "order_statuses": list(ORDER_STATUSES),
        "summary": summary_dict(summary_of(conv.id)), "starred": is_starred(agent.id, conv.id),
        "orders": [order_dict(o) for o in orders_of(conv.id)],
        "required": summary_missing(conv.id, conv.company_id),
    }


@acked(_lang)
def on_summary_save(self: Any, data: Any = None) -> dict[str, Any]:
    """Save the chat's service summary (one per chat; a second save edits it)."""
    summary, created = check_save_summary(_agent(), data)
    return {"summary": summary_dict(summary), "created": created}


@acked(_lang)
def on_star(self: Any, data: Any = None) -> dict[str, Any]:
    """Star or unstar a chat for oneself."""
    return {"starred": check_star(_agent(), data)}


@acked(_lang)
def on_order_save(self: Any, data: Any = None) -> dict[str, Any]:
    """Record an order on the chat (the same number again updates it)."""
    order, created = check_save_order(_agent(), data)
    return {"order": order_dict(order), "created": created}


@acked(_lang)
def on_stars(self: Any, data: Any = None) -> dict[str, Any]:
    """Return which of the listed chats the agent starred (the workbench marks them in its list)."""
    agent = _agent()
    return {"starred": starred_ids(agent.id, load(StarsSchema(), data)["conversation_ids"])}


HANDLERS = {"summary.get": on_summary_get, "summary.save": on_summary_save,
            "summary.star": on_star, "summary.stars": on_stars, "order.save": on_order_save}


def install(namespace: type) -> None:
    """Add the summary, star and order events to the /agent namespace ("x" dispatches to `on_x`)."""
    for event, handler in HANDLERS.items():
        setattr(namespace, f"on_{event}", handler)
