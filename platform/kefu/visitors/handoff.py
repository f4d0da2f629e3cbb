"""Identity hand-off: the host site signs who its logged-in user is, the widget passes it on.

The host's server signs `data` (base64url of a JSON object) with HMAC-SHA256 under the channel's
`identity_secret`; see docs/identity.md. A forged, stale or malformed hand-off raises before
anything is written, so nothing of it is applied.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select

from ..channels.models import Channel
from ..crypto import decrypt_json
from ..errors import KefuError
from ..extensions import db
from .models import Visitor, VisitorIdentity

PARTNER_PREFIX = "partner:"
SECRET_NAME = "identity_secret"
DEFAULT_MAX_AGE = 600
FUTURE_SKEW = 60  # the host's clock may run a little ahead of ours
PARAMS_MAX = 20


@dataclass(frozen=True)
class Handoff:
    """A verified identity: who the host says the visitor is."""

    partner_id: str
    name: str | None = None
    vip_level: int | None = None
    params: dict[str, str] = field(default_factory=dict)


class _Envelope(Schema):
    class Meta:
        unknown = EXCLUDE

    data = fields.String(required=True, validate=validate.Length(min=1, max=4096))
    sig = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))


class _Payload(Schema):
    class Meta:
        unknown = EXCLUDE

    partner_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    vip_level = fields.Integer(load_default=None, allow_none=True, strict=True,
                               validate=validate.Range(min=0, max=100))
    params = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=32)),
                         values=fields.String(validate=validate.Length(max=256)),
                         load_default=dict, validate=validate.Length(max=PARAMS_MAX))
    ts = fields.Integer(required=True, strict=True)


def max_age() -> int:
    """Seconds a signed identity stays acceptable (KEFU_IDENTITY_MAX_AGE)."""
    return int(current_app.config.get("KEFU_IDENTITY_MAX_AGE", DEFAULT_MAX_AGE))


def channel_identity_secret(channel: Channel) -> bytes | None:
    """The channel's hand-off secret, or None when the channel has none."""
    try:
        value = decrypt_json(channel.secrets_encrypted).get(SECRET_NAME)
    except ValueError:
        return None
    return str(value).encode() if value else None


def sign(secret: str, data: str) -> str:
    """The signature the host computes: hex HMAC-SHA256 of the data string."""
    return hmac.new(secret.encode(), data.encode(), hashlib.sha256).hexdigest()


def check_handoff(channel: Channel, raw: Any) -> Handoff | None:
    """Verify a hand-off from the session call; None when none was sent."""
    if raw is None or raw == "":
        return None
    try:
        envelope = _Envelope().load(raw if isinstance(raw, dict) else {})
    except ValidationError as exc:
        raise KefuError("identity_invalid", status=403) from exc
    secret = channel_identity_secret(channel)
    if secret is None:
        raise KefuError("identity_not_enabled", status=403)
    expected = hmac.new(secret, envelope["data"].encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, envelope["sig"].lower()):
        raise KefuError("identity_invalid", status=403)
    try:
        text = base64.urlsafe_b64decode(envelope["data"] + "=" * (-len(envelope["data"]) % 4))
        payload = _Payload().load(json.loads(text))
    except (ValueError, binascii.Error, ValidationError, TypeError) as exc:
        raise KefuError("identity_invalid", status=403) from exc
    now = int(time.time())
    if payload["ts"] > now + FUTURE_SKEW or now - payload["ts"] > max_age():
        raise KefuError("identity_expired", status=403, minutes=max(1, max_age() // 60))
    name = payload["name"].strip() if payload["name"] else None
    return Handoff(partner_id=payload["partner_id"], name=name or None,
                   vip_level=payload["vip_level"], params=dict(payload["params"]))


def _bound_identity(company_id: int, partner_id: str) -> VisitorIdentity | None:
    return db.session.scalars(
        select(VisitorIdentity).where(VisitorIdentity.company_id == company_id,
                                      VisitorIdentity.external_id == PARTNER_PREFIX + partner_id)
        .order_by(VisitorIdentity.id)
    ).first()


def partner_id_of(visitor_id: int, company_id: int) -> str | None:
    """The host's id of a visitor, if a hand-off ever bound one."""
    ext = db.session.scalars(
        select(VisitorIdentity.external_id).where(
            VisitorIdentity.company_id == company_id, VisitorIdentity.visitor_id == visitor_id,
            VisitorIdentity.external_id.startswith(PARTNER_PREFIX, autoescape=True),
        ).order_by(VisitorIdentity.id)
    ).first()
    return ext[len(PARTNER_PREFIX):] if ext else None


def resolve_partner(channel: Channel, handoff: Handoff, current: Visitor | None) -> Visitor | None:
    """Pick the visitor a hand-off speaks for; None means a new visitor.

    The partner's visitor if one is bound; else the token's anonymous visitor (who just logged
    in on the host site); never a visitor already bound to another partner (a shared computer).
    """
    bound = _bound_identity(channel.company_id, handoff.partner_id)
    if bound is not None:
        return db.session.get(Visitor, bound.visitor_id)
    if current is not None and partner_id_of(current.id, channel.company_id) is None:
        return current
    return None


def do_bind_identity(channel: Channel, visitor: Visitor, handoff: Handoff) -> None:
    """Bind the partner id to the visitor on this channel and apply name, VIP level and params."""
    ext = PARTNER_PREFIX + handoff.partner_id
    known = db.session.scalars(
        select(VisitorIdentity).where(VisitorIdentity.channel_id == channel.id,
                                      VisitorIdentity.external_id == ext)
    ).first()
    if known is None:
        db.session.add(VisitorIdentity(company_id=channel.company_id, channel_id=channel.id,
                                       visitor_id=visitor.id, external_id=ext))
    if handoff.name:
        visitor.name = handoff.name
    if handoff.vip_level is not None:
        visitor.vip_level = handoff.vip_level
    if handoff.params:
        visitor.custom = {**(visitor.custom or {}), **handoff.params}
    db.session.commit()
