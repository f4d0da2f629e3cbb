"""The widget's HTTP side: H5 page, embed script, session API and the bilingual 404."""

from __future__ import annotations

from sqlalchemy import func, select

from kefu.extensions import db
from kefu.visitors.models import Visitor


def test_unknown_channel_key_is_a_bilingual_404(app, ctx):
    """An unknown channel key answers 404 with the message in Chinese and English."""
    r = app.test_client().get("/chat/no-such-key")
    assert r.status_code == 404
    page = r.get_data(as_text=True)
    assert "找不到该接入渠道" in page and "This channel does not exist" in page


def test_disabled_channel_page_is_404(app, make):
    """A disabled channel's chat page is not served."""
    channel = make.channel(make.company(), enabled=False)
    assert app.test_client().get(f"/chat/{channel.key}").status_code == 404


def test_chat_page_and_embed_script_are_served_offline(app, make):
    """The H5 page loads the vendored Socket.IO client; the snippet points at the chat page."""
    channel = make.channel(make.company())
    client = app.test_client()
    page = client.get(f"/chat/{channel.key}").get_data(as_text=True)
    assert "/static/vendor/socket.io.min.js" in page and "http" not in page.split("<script src=")[1][:5]
    assert client.get("/static/vendor/socket.io.min.js").status_code == 200
    js = client.get(f"/widget/{channel.key}.js")
    assert js.mimetype == "application/javascript"
    assert f"/chat/{channel.key}?embed=1" in js.get_data(as_text=True)


def test_session_issues_token_and_recognises_returning_visitor(app, make):
    """A new visitor gets a token; the token, and only the token, brings the same visitor back."""
    channel = make.channel(make.company())
    client = app.test_client()
    first = client.post(f"/api/widget/{channel.key}/session",
                        json={"page_url": "https://shop.example.com/p/1", "utm": {"source": "ad"}})
    body = first.get_json()
    assert first.status_code == 200 and body["ok"] and body["token"] and body["uid"]
    visitor = db.session.get(Visitor, body["visitor"]["id"])
    assert visitor.last_context["page_url"] == "https://shop.example.com/p/1"
    assert visitor.last_context["utm"] == {"source": "ad"}
    # Knowing a visitor's uid is not enough to become that visitor (session fixation).
    guess = client.post(f"/api/widget/{channel.key}/session", json={"uid": body["uid"]}).get_json()
    assert guess["visitor"]["id"] != body["visitor"]["id"] and guess["uid"] != body["uid"]
    with_token = client.post(f"/api/widget/{channel.key}/session",
                             json={"token": body["token"]}).get_json()
    assert with_token["visitor"]["id"] == body["visitor"]["id"]


def test_session_rejects_bad_token_and_bad_fields(app, make):
    """A forged token answers 401; malformed fields answer 400 with field errors; nothing is created."""
    channel = make.channel(make.company())
    client = app.test_client()
    r = client.post(f"/api/widget/{channel.key}/session", json={"token": "forged.token"},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 401
    err = r.get_json()["error"]
    assert err["code"] == "invalid_token" and err["message"].startswith("The visitor token")
    assert err["message_zh"].startswith("访客凭证")
    r = client.post(f"/api/widget/{channel.key}/session",
                    json={"uid": "bad uid!", "email": "not-an-email", "utm": "x"})
    assert r.status_code == 400
    assert set(r.get_json()["error"]["fields"]) == {"uid", "email", "utm"}
    assert db.session.scalar(select(func.count()).select_from(Visitor)) == 0


def test_token_from_another_channel_is_refused(app, make):
    """A token issued for one channel does not open a session on another."""
    company = make.company()
    a, b = make.channel(company), make.channel(company)
    token = app.test_client().post(f"/api/widget/{a.key}/session", json={}).get_json()["token"]
    r = app.test_client().post(f"/api/widget/{b.key}/session", json={"token": token})
    assert r.status_code == 401


def test_expired_token_is_refused(app, make, monkeypatch):
    """A token older than KEFU_VISITOR_TOKEN_TTL answers 401."""
    channel = make.channel(make.company())
    token = app.test_client().post(f"/api/widget/{channel.key}/session", json={}).get_json()["token"]
    monkeypatch.setitem(app.config, "KEFU_VISITOR_TOKEN_TTL", -1)
    r = app.test_client().post(f"/api/widget/{channel.key}/session", json={"token": token})
    assert r.status_code == 401


def test_embed_script_for_unknown_key_is_a_javascript_warning(app, ctx):
    """A snippet with a wrong key answers 404 JavaScript that warns in the console, not HTML."""
    r = app.test_client().get("/widget/no-such-key.js")
    assert r.status_code == 404 and r.mimetype == "application/javascript"
    assert r.get_data(as_text=True).startswith('console.warn("kefu: This channel does not exist')


def test_session_carries_the_reception_plan_for_this_visitor(app, make):
    """The reception rules pick the greeting: the shipped online greeting, or an English one for en."""
    from kefu.decisions.actions import do_publish

    company = make.company()
    channel = make.channel(company)
    client = app.test_client()
    body = client.post(f"/api/widget/{channel.key}/session", json={}).get_json()
    assert body["reception"]["greeting"] and body["reception"]["rule"] in ("nobody_online", "online")
    do_publish(company.id, "reception", {"rules": [
        {"id": "en", "name": "English", "when": {"all": [{"field": "language", "op": "eq", "value": "en"}]},
         "then": [{"action": "greeting", "params": {"text": "Hello!"}},
                  {"action": "widget", "params": {"title": "Support"}}]}]})
    english = client.post(f"/api/widget/{channel.key}/session", json={"language": "en-US"}).get_json()
    assert english["reception"]["greeting"] == "Hello!" and english["reception"]["title"] == "Support"
    assert english["reception"]["version"] == 2
    chinese = client.post(f"/api/widget/{channel.key}/session", json={"language": "zh-CN"}).get_json()
    assert chinese["reception"]["greeting"] is None and chinese["reception"]["mode"] == "human_only"
