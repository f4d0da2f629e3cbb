"""Reads of agent statuses: busy reasons, pending requests, what the workbench switcher shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..org.models import User
from ..settings.queries import company_settings
from ..timeutil import iso
from .models import BusyReason, StatusRequest


def busy_reasons(company_id: int, enabled_only: bool = True) -> list[BusyReason]:
    """The company's busy reasons in display order."""
    query = select(BusyReason).where(BusyReason.company_id == company_id)
    if enabled_only:
        query = query.where(BusyReason.enabled.is_(True))
    return list(db.session.scalars(query.order_by(BusyReason.sort_order, BusyReason.id)))


def pending_request(agent_id: int) -> StatusRequest | None:
    """The agent's request waiting for approval, if any."""
    return db.session.scalars(
        select(StatusRequest).where(StatusRequest.user_id == agent_id, StatusRequest.state == "pending")
        .order_by(StatusRequest.id.desc())
    ).first()


def request_dict(req: StatusRequest) -> dict[str, Any]:
    """A status request as JSON for sockets."""
    return {"id": req.id, "agent_id": req.user_id, "old_status": req.old_status, "status": req.status,
            "busy_reason_id": req.busy_reason_id, "reason": req.reason, "state": req.state,
            "created_at": iso(req.created_at)}


def status_state(agent: User, lang: str = "zh") -> dict[str, Any]:
    """Everything the workbench status switcher shows: status, reasons, pending request."""
    assert agent.company_id is not None
    pending = pending_request(agent.id)
    return {
        "status": agent.status,
        "busy_reason_id": agent.busy_reason_id,
        "approval": company_settings(agent.company_id).status_approval,
        "reasons": [{"id": r.id, "label": r.label(lang)} for r in busy_reasons(agent.company_id)],
        "pending": request_dict(pending) if pending else None,
    }
