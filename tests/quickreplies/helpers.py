"""Helpers of the quick-reply tests: a logged-in workbench client that sends the CSRF header."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from ..admin.helpers import client_for

API = "/api/workbench/quick-replies"
GROUPS = "/api/workbench/quick-reply-groups"


def agent_client(app: Flask, email: str, password: str = "agent-pass-123") -> FlaskClient:
    """Log in through the form and carry the workbench page's CSRF token on every request."""
    client = client_for(app, email, password)
    page = client.get("/workbench").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the workbench page carries a CSRF token"
    client.environ_base["HTTP_X_CSRFTOKEN"] = token.group(1)
    return client


def listing(client: FlaskClient, **args: Any) -> dict[str, Any]:
    """GET the library (scope, q) and return its JSON."""
    r = client.get(API, query_string=args)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()  # type: ignore[no-any-return]
