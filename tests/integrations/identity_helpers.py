"""Sign identity hand-offs the way a host site's server does (docs/identity.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from kefu.crypto import encrypt_json
from kefu.settings.actions import do_save


def set_identity_secret(channel: Any, secret: str) -> None:
    """Store the channel's identity_secret as the console does (encrypted)."""
    channel.secrets_encrypted = encrypt_json({"identity_secret": secret})
    do_save(None, channel, created=False)


def signed(secret: str, ts: int | None = None, **payload: Any) -> dict[str, str]:
    """Return {"data", "sig"} for a payload, signed with HMAC-SHA256."""
    body = {"ts": int(time.time()) if ts is None else ts, **payload}
    data = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return {"data": data, "sig": hmac.new(secret.encode(), data.encode(), hashlib.sha256).hexdigest()}
