"""Drive the console with Flask's test client: log in, read forms, post them with their token."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

OWNER_PASSWORD = "owner-pass-123"
AGENT_PASSWORD = "agent-pass-123"

# A token rendered by a WTForms field (the page's form), not the navbar's logout token.
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_from(page: str) -> str:
    """Return the CSRF token of the page's form."""
    found = _TOKEN.search(page)
    assert found, "page has a CSRF token"
    return html.unescape(found.group(1))


def fresh() -> None:
    """End the test's own transaction so the next reads see what requests committed."""
    from kefu.extensions import db

    db.session.rollback()


def rows(model: Any, *where: Any) -> list[Any]:
    """Return the committed rows of a model (optionally filtered)."""
    from sqlalchemy import select

    from kefu.extensions import db

    fresh()
    return list(db.session.scalars(select(model).where(*where)))


class ConsoleClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The `ctx` fixture keeps an app context pushed; Flask would reuse it for each request, so
    `g` (Flask-Login's user, Flask-Babel's locale) and the DB session would leak between
    requests and between clients.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Run the request inside a fresh app context."""
        with self.application.app_context():
            return super().open(*args, **kwargs)


def anonymous(app: Flask) -> ConsoleClient:
    """Return a client without a session."""
    return ConsoleClient(app, app.response_class, use_cookies=True)


def client_for(app: Flask, email: str, password: str) -> FlaskClient:
    """Return a test client logged in through the real login form."""
    client = anonymous(app)
    page = client.get("/login").get_data(as_text=True)
    r = client.post("/login", data={"csrf_token": csrf_from(page), "email": email,
                                    "password": password})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return client


def owner_client(app: Flask, company: Any) -> FlaskClient:
    """Log in as the company's owner (created by the factory)."""
    return client_for(app, f"owner@{company.slug}.test", OWNER_PASSWORD)


def page(client: FlaskClient, url: str) -> str:
    """GET a page that must render."""
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.get_data(as_text=True)[:500])
    return r.get_data(as_text=True)


def submit(client: FlaskClient, url: str, data: dict[str, Any], *, token: bool = True) -> Any:
    """Open a form page, then POST the data with the page's CSRF token."""
    body = dict(data)
    form_page = page(client, url)
    if token:
        body["csrf_token"] = csrf_from(form_page)
    return client.post(url, data=body)


def select_options(page_html: str, field: str) -> list[str]:
    """Return the option labels of a <select> in a page."""
    found = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', page_html, re.S)
    assert found, f"select {field} present"
    return [html.unescape(x).strip() for x in re.findall(r">([^<]*)</option>", found.group(1))]


def field_errors(page_html: str) -> str:
    """Return the text of the form's field error messages."""
    blocks = re.findall(r'<div class="invalid-feedback">(.*?)</div>', page_html, re.S)
    return " ".join(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", b)).split()) for b in blocks)


def problems(response: Any) -> str:
    """Return the flashed alerts and field errors of a re-rendered form (for assertion output)."""
    text = response.get_data(as_text=True)
    alerts = re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', text, re.S)
    flat = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", a)).split()) for a in alerts]
    return f"{response.status_code} alerts={flat} fields={field_errors(text)}"
