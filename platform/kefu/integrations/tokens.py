"""The {token} of integration pages: a JWT (HS256) signed with the company's own secret.

Any JWT library can check it with the secret; POST /api/integration/verify answers its claims.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..crypto import decrypt_json
from ..errors import KefuError
from ..extensions import db
from .models import IntegrationSecret

ISSUER = "kefu"
DEFAULT_TTL = 900
_HEADER = {"alg": "HS256", "typ": "JWT"}


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token proves: this agent served this visitor's chat, until `exp`."""

    company_id: int
    company: str
    agent_id: int
    visitor_id: int
    conversation_id: int
    iat: int
    exp: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def ttl() -> int:
    """Seconds a token stays valid (KEFU_INTEGRATION_TOKEN_TTL)."""
    return int(current_app.config.get("KEFU_INTEGRATION_TOKEN_TTL", DEFAULT_TTL))


def _secret_of(row: IntegrationSecret | None) -> bytes | None:
    """The row's secret in clear; None when missing or encrypted under another SECRET_KEY."""
    if row is None:
        return None
    try:
        return str(decrypt_json(row.secret_encrypted)["secret"]).encode()
    except (ValueError, KeyError):
        return None


def _row(company_id: int) -> IntegrationSecret | None:
    return db.session.scalars(
        select(IntegrationSecret).where(IntegrationSecret.company_id == company_id)
    ).first()


def company_secret(company_id: int) -> bytes:
    """Return the company's signing secret, creating it on first use (or after a key change)."""
    row = _row(company_id)
    secret = _secret_of(row)
    if secret is None:
        from .actions import do_create_secret, do_rotate_secret

        # A secret sealed under an older SECRET_KEY cannot be read: replace it.
        row = do_create_secret(company_id) if row is None else do_rotate_secret(company_id)
        secret = _secret_of(row)
    assert secret is not None
    return secret


def _sign(secret: bytes, signing_input: str) -> str:
    return _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def issue(company_id: int, company: str, agent_id: int, visitor_id: int, conversation_id: int) -> str:
    """Sign a token for one agent looking at one conversation."""
    now = int(time.time())
    claims = TokenClaims(company_id, company, agent_id, visitor_id, conversation_id, now, now + ttl())
    payload = {"iss": ISSUER, **asdict(claims)}
    head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    signing_input = f"{head}.{body}"
    return f"{signing_input}.{_sign(company_secret(company_id), signing_input)}"


def verify(token: Any) -> TokenClaims:
    """Check a token's signature and expiry; raise integration_token_invalid/_expired otherwise."""
    if not isinstance(token, str) or len(token) > 4096 or token.count(".") != 2:
        raise KefuError("integration_token_invalid", status=400)
    head, body, sig = token.split(".")
    try:
        header = json.loads(_unb64(head))
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise KefuError("integration_token_invalid", status=400) from exc
    if header != _HEADER or not isinstance(payload, dict) or payload.get("iss") != ISSUER:
        raise KefuError("integration_token_invalid", status=400)
    company_id = payload.get("company_id")
    if not isinstance(company_id, int) or isinstance(company_id, bool):
        raise KefuError("integration_token_invalid", status=400)
    secret = _secret_of(_row(company_id))
    if secret is None:
        raise KefuError("integration_token_invalid", status=400)
    if not hmac.compare_digest(_sign(secret, f"{head}.{body}"), sig):
        raise KefuError("integration_token_invalid", status=400)
    try:
        claims = TokenClaims(**{k: payload[k] for k in TokenClaims.__dataclass_fields__})
    except (KeyError, TypeError) as exc:
        raise KefuError("integration_token_invalid", status=400) from exc
    if int(claims.exp) <= int(time.time()):
        raise KefuError("integration_token_expired", status=400)
    return claims
