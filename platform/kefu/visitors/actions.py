"""Writes about visitors: identify them on a channel and record their visit."""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import select

from ..channels.models import Channel
from ..conversations.schemas import load
from ..errors import KefuError
from ..extensions import db
from ..timeutil import utcnow
from . import token as tokens
from .handoff import check_handoff, do_bind_identity, resolve_partner
from .models import Visitor, VisitorIdentity
from .profile import (  # noqa: F401 - the panel's writes, re-exported as visitors' actions
    VISIT_GAP,
    add_page_views,
    check_page_views,
    check_update_profile,
    do_record_page_views,
    do_update_profile,
)
from .schemas import OpenSessionSchema

_MOBILE = re.compile(r"Mobile|Android|iPhone|iPad", re.I)


def device_of(user_agent: str) -> str:
    """Classify a user agent as mobile or desktop."""
    return "mobile" if _MOBILE.search(user_agent or "") else "desktop"


def check_open_session(channel: Channel, data: Any, ip: str, user_agent: str) -> dict[str, Any]:
    """Validate the widget's opening call; return the visitor, its uid and a fresh token."""
    if not channel.enabled:
        raise KefuError("channel_disabled", status=403)
    fields = load(OpenSessionSchema(), data)
    # A signed hand-off from the host site is checked before anything is written (docs/identity.md).
    handoff = check_handoff(channel, data.get("identity") if isinstance(data, dict) else None)
    visitor: Visitor | None = None
    # Identity comes from the signed token only. A client-chosen uid never selects an existing
    # visitor: whoever knew it could otherwise chat as, and read, that visitor.
    uid: str | None = None
    if fields["token"]:
        claims = tokens.verify(fields["token"])  # a bad token is an error, not a new visitor
        if claims.channel_id != channel.id:
            raise KefuError("invalid_token", status=401)
        visitor = db.session.get(Visitor, claims.visitor_id)
        if visitor is None:
            raise KefuError("invalid_token", status=401)
    context = {
        "page_url": fields["page_url"], "referrer": fields["referrer"], "utm": fields["utm"],
        "language": fields["language"], "ip": ip[:64], "user_agent": user_agent[:512],
        "device": device_of(user_agent),
    }
    if handoff is not None:
        visitor = resolve_partner(channel, handoff, visitor)
    visitor, uid = do_identify_visitor(channel, visitor, uid, fields["name"], fields["email"], context)
    if handoff is not None:
        do_bind_identity(channel, visitor, handoff)
    claims = tokens.VisitorClaims(visitor.id, channel.id, channel.company_id)
    return {"visitor": visitor, "uid": uid, "token": tokens.issue(claims)}


def do_identify_visitor(
    channel: Channel, visitor: Visitor | None, uid: str | None, name: str, email: str,
    context: dict[str, Any],
) -> tuple[Visitor, str]:
    """Record this visit of a known visitor, or create a new one with a fresh uid."""
    if visitor is None:
        uid = uid or secrets.token_urlsafe(16)
        visitor = Visitor(company_id=channel.company_id, name=name, email=email)
        db.session.add(visitor)
        db.session.flush()
        db.session.add(
            VisitorIdentity(
                company_id=channel.company_id, channel_id=channel.id, visitor_id=visitor.id,
                external_id=uid,
            )
        )
    if uid is None:
        ident = db.session.scalars(
            select(VisitorIdentity).where(
                VisitorIdentity.visitor_id == visitor.id, VisitorIdentity.channel_id == channel.id
            )
        ).first()
        uid = ident.external_id if ident else ""
    if name:
        visitor.name = name
    if email:
        visitor.email = email
    visitor.last_context = context
    now = utcnow()
    if visitor.last_seen_at is None or now - visitor.last_seen_at > VISIT_GAP:
        visitor.visit_count = (visitor.visit_count or 0) + 1
    visitor.last_seen_at = now
    if context.get("page_url"):
        add_page_views(visitor, [(str(context["page_url"]), "", now)])
    db.session.commit()
    return visitor, uid or ""
