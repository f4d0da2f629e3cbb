"""Password guessing is slowed down: the 11th login attempt in a minute is refused."""

from __future__ import annotations

import re

from kefu.extensions import limiter


def test_login_attempts_are_rate_limited(app, make, monkeypatch):
    """Ten wrong passwords from one address are answered 401, the eleventh 429 in zh and en."""
    user = make.user(make.company())
    monkeypatch.setitem(app.config, "KEFU_LOGIN_RATE_LIMIT", "10 per minute")
    limiter.reset()
    try:
        client = app.test_client()
        page = client.get("/login?lang=en").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        codes = [client.post("/login", data={"csrf_token": token, "email": user.email,
                                             "password": "wrong"}).status_code for _ in range(11)]
        assert codes == [401] * 10 + [429]
        blocked = client.post("/login", data={"csrf_token": token, "email": user.email,
                                              "password": "agent-pass-123"})
        assert blocked.status_code == 429
        text = blocked.get_data(as_text=True)
        assert "操作太频繁" in text and "Too many requests" in text
    finally:
        limiter.reset()
