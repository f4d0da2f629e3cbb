"""Encrypt channel secrets at rest with a key derived from the app's secret key."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    key = hashlib.sha256(b"kefu-channel-secrets:" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_json(data: dict[str, Any]) -> str:
    """Encrypt a JSON object; empty input gives an empty string."""
    if not data:
        return ""
    return _fernet().encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    """Decrypt what encrypt_json produced; a wrong key raises ValueError."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))  # type: ignore[no-any-return]
    except InvalidToken as exc:
        raise ValueError("channel secrets cannot be decrypted with this secret key") from exc
