"""Visitor-panel socket events: the workbench reads and edits a profile, the widget reports pages."""

from __future__ import annotations

import threading
from typing import Any

from flask import request
from flask_login import current_user

from ..conversations.schemas import load
from ..errors import KefuError
from ..realtime.bucket import TokenBucket
from ..realtime.handlers import acked
from .actions import check_page_views, check_update_profile
from .queries import panel, profile_dict
from .schemas import PanelSchema

# A page a second on average, ten at once: browsing, not a script. Buckets per socket id.
PAGE_RATE = 1.0
PAGE_BURST = 10.0
_buckets: dict[str, TokenBucket] = {}
_buckets_lock = threading.Lock()


def _agent_lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


@acked(_agent_lang)
def on_visitor_panel(self: Any, data: Any = None) -> dict[str, Any]:
    """Return the profile, visit info, trail and custom fields of a chat's visitor."""
    fields = load(PanelSchema(), data)
    return panel(_agent(), fields["conversation_id"])


@acked(_agent_lang)
def on_visitor_update(self: Any, data: Any = None) -> dict[str, Any]:
    """Save an edit of a chat's visitor profile; the ack carries the saved profile."""
    return {"profile": profile_dict(check_update_profile(_agent(), data))}


def _visitor_lang() -> str:
    from ..realtime.visitor import _lang

    return _lang()


def _take() -> bool:
    sid = request.sid  # type: ignore[attr-defined]
    with _buckets_lock:
        bucket = _buckets.get(sid)
        if bucket is None:
            if len(_buckets) > 10000:  # sockets that went away: forget them rather than grow
                _buckets.clear()
            bucket = _buckets[sid] = TokenBucket(PAGE_RATE, PAGE_BURST)
    return bucket.take()


@acked(_visitor_lang)
def on_page_view(self: Any, data: Any = None) -> dict[str, Any]:
    """Store pages of the host site the visitor viewed (rate-limited); ack with how many were new."""
    from ..realtime.visitor import _claims

    claims = _claims()
    if not _take():
        raise KefuError("rate_limited", status=429)
    return {"added": check_page_views(claims, data)}


def install_agent(namespace: type) -> None:
    """Add visitor.panel and visitor.update to the /agent namespace class."""
    setattr(namespace, "on_visitor.panel", on_visitor_panel)
    setattr(namespace, "on_visitor.update", on_visitor_update)


def install_visitor(namespace: type) -> None:
    """Add page_view to the /visitor namespace class."""
    namespace.on_page_view = on_page_view  # type: ignore[attr-defined]
