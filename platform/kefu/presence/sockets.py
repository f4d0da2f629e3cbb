"""The /agent namespace's presence and status handlers (mixed into realtime.agent.AgentNamespace)."""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_login import current_user

from ..errors import KefuError
from ..extensions import db
from ..realtime.handlers import acked
from .actions import check_cancel_request, check_change_status
from .queries import status_state
from .tracker import agent_connected, agent_disconnected

log = logging.getLogger(__name__)


def _lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


def presence_connected() -> None:
    """Count the socket that just connected (called by on_connect once it is accepted)."""
    try:
        agent_connected(current_user.id, current_user.company_id, request.sid)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a presence hiccup must not refuse the workbench
        db.session.rollback()
        log.exception("presence: connect of agent %s not recorded", current_user.id)


class PresenceHandlers:
    """Status switcher and presence events of the workbench."""

    def on_disconnect(self, reason: Any = None) -> None:
        """Start the agent's grace period when their last socket goes."""
        if not current_user.is_authenticated or current_user.company_id is None:
            return
        try:
            agent_disconnected(current_user.id, request.sid)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - the periodic sweep catches what this misses
            db.session.rollback()
            log.exception("presence: disconnect of agent %s not recorded", current_user.id)

    @acked(_lang)
    def on_status(self, data: Any = None) -> dict[str, Any]:
        """Change the agent's status, or ask for it when changes need approval."""
        return check_change_status(_agent(), data)

    @acked(_lang)
    def on_status_state(self, data: Any = None) -> dict[str, Any]:
        """Return what the status switcher shows: status, busy reasons, pending request."""
        return status_state(_agent(), _lang())

    @acked(_lang)
    def on_status_cancel(self, data: Any = None) -> dict[str, Any]:
        """Withdraw the agent's pending status request."""
        check_cancel_request(_agent())
        return {"pending": None}
