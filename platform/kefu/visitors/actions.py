"""Writes about visitors: identify them on a channel and record their visit."""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..channels.models import Channel
from ..conversations.schemas import load
from ..errors import KefuError
from ..extensions import db
from ..timeutil import utcnow
from . import token as tokens
from .models import Visitor, VisitorIdentity
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
    visitor: Visitor | None = None
    uid = fields["uid"]
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
    visitor, uid = do_identify_visitor(channel, visitor, uid, fields["name"], fields["email"], context)
    claims = tokens.VisitorClaims(visitor.id, channel.id, channel.company_id)
    return {"visitor": visitor, "uid": uid, "token": tokens.issue(claims)}


def do_identify_visitor(
    channel: Channel, visitor: Visitor | None, uid: str | None, name: str, email: str,
    context: dict[str, Any],
) -> tuple[Visitor, str]:
    """Find or create the visitor behind a widget uid and record this visit's context."""
    if visitor is None and uid:
        visitor = _by_uid(channel.id, uid)
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
    visitor.last_seen_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:
        # Two tabs opened at once with the same uid: use the identity the other one created.
        db.session.rollback()
        again = _by_uid(channel.id, uid or "")
        if again is None:
            raise
        return again, uid or ""
    return visitor, uid or ""


def _by_uid(channel_id: int, uid: str) -> Visitor | None:
    return db.session.scalars(
        select(Visitor)
        .join(VisitorIdentity, VisitorIdentity.visitor_id == Visitor.id)
        .where(VisitorIdentity.channel_id == channel_id, VisitorIdentity.external_id == uid)
    ).first()
