"""Knowledge-panel events on /agent: kb.search, kb.tree, kb.item, kb.favourite, kb.favourites."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from ..conversations.schemas import load
from ..errors import KefuError
from ..realtime.bucket import check_allowed
from ..realtime.handlers import acked
from .actions import check_search, check_set_favourite
from .queries import favourites, item, tree
from .schemas import ItemSchema

# The panel searches as the agent types (debounced); a socket searching faster is refused.
SEARCHES_PER_SECOND = 5.0
SEARCHES_BURST = 30.0


def _lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


@acked(_lang)
def on_kb_search(self: Any, data: Any = None) -> dict[str, Any]:
    """Search (q) or list a category (browse) within what the agent may see; searches are logged."""
    check_allowed("kb.search", SEARCHES_PER_SECOND, SEARCHES_BURST)
    return check_search(_agent(), data)


@acked(_lang)
def on_kb_tree(self: Any, data: Any = None) -> dict[str, Any]:
    """Return the category tree with the number of items the agent may see under each node."""
    return tree(_agent())


@acked(_lang)
def on_kb_item(self: Any, data: Any = None) -> dict[str, Any]:
    """Open one entry or article: sanitised HTML, its plain text, category path, related items."""
    fields = load(ItemSchema(), data)
    return item(_agent(), fields["kind"], fields["id"])


@acked(_lang)
def on_kb_favourite(self: Any, data: Any = None) -> dict[str, Any]:
    """Mark or unmark an item as one of the agent's favourites (收藏)."""
    return check_set_favourite(_agent(), data)


@acked(_lang)
def on_kb_favourites(self: Any, data: Any = None) -> dict[str, Any]:
    """Return the agent's favourites they may still see, newest first."""
    return favourites(_agent())


def install(namespace: type) -> None:
    """Add the knowledge panel's events to the /agent namespace class."""
    setattr(namespace, "on_kb.search", on_kb_search)
    setattr(namespace, "on_kb.tree", on_kb_tree)
    setattr(namespace, "on_kb.item", on_kb_item)
    setattr(namespace, "on_kb.favourite", on_kb_favourite)
    setattr(namespace, "on_kb.favourites", on_kb_favourites)
