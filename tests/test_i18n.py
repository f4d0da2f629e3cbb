"""The interface speaks Simplified Chinese and English, and every UI string is translated."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "platform" / "kefu" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def test_every_ui_string_has_a_chinese_translation():
    """Each string marked for translation in kefu's code and templates has a zh entry."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(ROOT / "platform" / "kefu", method_map,
                                    keywords={"_": None, "_l": None, "lazy_gettext": None,
                                              "gettext": None})
    }
    catalog = read_po(PO.open("rb"))
    translated = {m.id for m in catalog if m.id and m.string}
    assert found - translated == set()
    assert PO.with_suffix(".mo").stat().st_mtime >= PO.stat().st_mtime - 1, "run pybabel compile"


def test_login_page_in_both_languages(app, ctx):
    """?lang=zh shows 登录, ?lang=en shows Log in, and the choice sticks for the session."""
    client = app.test_client()
    assert "登录" in client.get("/login?lang=zh").get_data(as_text=True)
    assert "Log in" in client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in client.get("/login").get_data(as_text=True)
    fresh = app.test_client()
    page = fresh.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Log in" in page
    page = fresh.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "登录" in page


def test_wrong_password_is_refused_in_the_users_language(app, make):
    """A wrong password re-shows the form with a clear error and status 401."""
    user = make.user(make.company())
    client = app.test_client()
    client.get("/login?lang=en")
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    r = client.post("/login", data={"csrf_token": token, "email": user.email, "password": "nope"})
    assert r.status_code == 401 and "Wrong email or password" in r.get_data(as_text=True)
    r = client.post("/login", data={"email": user.email, "password": "agent-pass-123"})
    assert r.status_code == 400  # no CSRF token: refused before any login


def test_login_never_redirects_off_site(app, make):
    """?next= pointing at another site (however disguised) lands on the user's home instead."""
    from .admin.helpers import anonymous, csrf_from

    user = make.user(make.company())

    def login_to(target: str) -> str:
        client = anonymous(app)
        token = csrf_from(client.get("/login").get_data(as_text=True))
        r = client.post("/login?next=" + target, data={
            "csrf_token": token, "email": user.email, "password": "agent-pass-123"})
        assert r.status_code == 302, target
        return r.headers["Location"]

    for target in ("//evil.example", "%09/evil.example", "/%09/evil.example", "/%5Cevil.example",
                   "https://evil.example", "/%0A/evil.example"):
        assert login_to(target) == "/workbench", target
    assert login_to("/workbench%3Ftab%3D1") == "/workbench?tab=1"


def test_console_and_app_catalogs_agree():
    """The console's catalog is merged into the app's, so a word both use must mean the same in both
    (otherwise the console's sense would show up in the widget and workbench)."""
    admin = read_po((ROOT / "admin" / "kefu_admin" / "translations" / "zh" / "LC_MESSAGES"
                     / "messages.po").open("rb"))
    app_strings = {m.id: m.string for m in read_po(PO.open("rb")) if m.id}
    clashes = {m.id: (m.string, app_strings[m.id]) for m in admin
               if m.id and m.id in app_strings and m.string != app_strings[m.id]}
    assert clashes == {}
