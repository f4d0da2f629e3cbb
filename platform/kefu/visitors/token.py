"""Signed visitor tokens: the widget's credential on HTTP and on the /visitor socket."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import KefuError

SALT = "kefu-visitor-token"


@dataclass(frozen=True)
class VisitorClaims:
    """What a valid token proves: this visitor, on this channel, of this company."""

    visitor_id: int
    channel_id: int
    company_id: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue(claims: VisitorClaims) -> str:
    """Sign a token for a visitor."""
    return _serializer().dumps([claims.visitor_id, claims.channel_id, claims.company_id])


def verify(token: object) -> VisitorClaims:
    """Check a token's signature and age; raise KefuError(invalid_token, 401) otherwise."""
    if not isinstance(token, str) or not token or len(token) > 2048:
        raise KefuError("invalid_token", status=401)
    try:
        raw = _serializer().loads(token, max_age=current_app.config["KEFU_VISITOR_TOKEN_TTL"])
    except (BadSignature, SignatureExpired) as exc:
        raise KefuError("invalid_token", status=401) from exc
    if not (isinstance(raw, list) and len(raw) == 3 and all(isinstance(x, int) for x in raw)):
        raise KefuError("invalid_token", status=401)
    return VisitorClaims(visitor_id=raw[0], channel_id=raw[1], company_id=raw[2])
