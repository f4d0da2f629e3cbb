"""The widget's look from the reception plan, its pre-chat form, and the embed script's safety."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.extensions import db
from kefu.rules.definition import RuleError, validate_ruleset
from kefu.rules.points import RECEPTION
from kefu.visitors.models import Visitor


def _plan(company: Any, *then: dict[str, Any]) -> None:
    from kefu.decisions.actions import do_publish

    do_publish(company.id, "reception", {"rules": [{"id": "all", "name": "Everyone", "then": list(then)}]})


def _widget(params: dict[str, Any]) -> dict[str, Any]:
    return {"rules": [{"id": "r1", "name": "Style", "then": [{"action": "widget", "params": params}]}]}


def test_widget_style_params_accept_colours_and_safe_logos_only():
    """The widget action takes a #rrggbb colour, an https or /static logo and a side; nothing else."""
    good = validate_ruleset(RECEPTION, _widget({
        "title": "Help", "color": "#FA541C", "logo": "https://cdn.example.com/logo.png", "position": "left"}))
    assert good["rules"][0]["then"][0]["params"]["color"] == "#FA541C"
    validate_ruleset(RECEPTION, _widget({"logo": "/static/img/logo.svg", "position": "right"}))
    for params in ({"color": "red"}, {"color": "#12345"}, {"color": "#1677ff;background:url(x)"},
                   {"logo": "javascript:alert(1)"}, {"logo": "data:image/png;base64,AAAA"},
                   {"logo": "http://cdn.example.com/logo.png"}, {"logo": "//evil.example/x.png"},
                   {"logo": "https://a.example/x.png\") url(evil"}, {"position": "top"}):
        with pytest.raises(RuleError) as err:
            validate_ruleset(RECEPTION, _widget(params))
        assert err.value.problems[0].code == "bad_param", params
    with pytest.raises(RuleError) as err:
        validate_ruleset(RECEPTION, _widget({"color": "blue"}))
    assert "#1677ff" in err.value.messages("en")[0] and "颜色" in err.value.messages("zh")[0]


def test_session_answers_the_plans_look_and_the_embed_script_is_script_safe(app, make):
    """The session API returns the plan's title, colour, logo and side; the snippet escapes names."""
    company = make.company()
    channel = make.channel(company)
    client = app.test_client()
    plain = client.post(f"/api/widget/{channel.key}/session", json={}).get_json()
    assert plain["look"]["color"] == "#1677ff" and plain["look"]["position"] == "right"
    assert plain["look"]["logo"] is None and plain["prechat"] is None
    _plan(company, {"action": "widget", "params": {
        "title": "售后服务", "color": "#fa541c", "logo": "/static/img/logo.png", "position": "left"}})
    look = client.post(f"/api/widget/{channel.key}/session", json={}).get_json()["look"]
    assert look == {"title": "售后服务", "color": "#fa541c", "logo": "/static/img/logo.png",
                    "position": "left"}

    # A first-time visitor's launcher already wears the plan's look (no visitor is created).
    visitors = db.session.scalar(db.select(db.func.count(Visitor.id)))
    js = client.get(f"/widget/{channel.key}.js").get_data(as_text=True)
    assert '"color": "#fa541c"' in js and '"position": "left"' in js
    assert db.session.scalar(db.select(db.func.count(Visitor.id))) == visitors

    hostile = make.channel(make.company())  # no plan: the launcher shows the channel's name
    hostile.name = "</script><script>alert(1)</script>"
    db.session.commit()
    js = client.get(f"/widget/{hostile.key}.js").get_data(as_text=True)
    assert "</script>" not in js and "\\u003c/script\\u003e" in js
    assert "window.KefuWidget = {" in js and "__kefuWidget" not in js


def test_prechat_form_asks_what_the_profile_lacks_and_saves_it(app, make):
    """A plan's pre-chat form asks for the missing fields; a valid answer is saved, not asked again."""
    company = make.company()
    channel = make.channel(company)
    _plan(company, {"action": "pre_chat_form", "params": {"fields": ["name", "phone", "email"]}})
    client = app.test_client()
    body = client.post(f"/api/widget/{channel.key}/session", json={}).get_json()
    assert body["prechat"] == {"fields": ["name", "phone", "email"], "skippable": False}
    token = body["token"]

    empty = client.post(f"/api/widget/{channel.key}/prechat", json={"token": token, "name": "王小明"})
    assert empty.status_code == 400
    err = empty.get_json()["error"]
    assert err["code"] == "prechat_required" and set(err["fields"]) == {"phone", "email"}
    bad = client.post(f"/api/widget/{channel.key}/prechat",
                      json={"token": token, "name": "王小明", "phone": "1234", "email": "x@y.cn"})
    assert bad.get_json()["error"]["code"] == "visitor_phone_invalid"
    bad = client.post(f"/api/widget/{channel.key}/prechat",
                      json={"token": token, "name": "王小明", "phone": "+86 138-0000 0000", "email": "nope"})
    assert bad.get_json()["error"]["code"] == "visitor_email_invalid"

    ok = client.post(f"/api/widget/{channel.key}/prechat", headers={"Accept-Language": "en"},
                     json={"token": token, "name": " 王小明 ", "phone": "+86 138-0000 0000",
                           "email": "Ming@Example.com"})
    assert ok.status_code == 200 and ok.get_json()["visitor"]["name"] == "王小明"
    visitor = db.session.get(Visitor, body["visitor"]["id"], populate_existing=True)
    assert (visitor.name, visitor.phone, visitor.email) == ("王小明", "+8613800000000", "ming@example.com")
    again = client.post(f"/api/widget/{channel.key}/session", json={"token": token}).get_json()
    assert again["prechat"] is None


def test_prechat_refuses_a_phone_of_another_visitor_without_naming_them(app, make):
    """A phone or e-mail already on another visitor is refused, saved nowhere, and the other stays unnamed."""
    company = make.company()
    channel = make.channel(company)
    _plan(company, {"action": "pre_chat_form", "params": {"fields": ["phone", "email"], "skippable": True}})
    client = app.test_client()
    first = client.post(f"/api/widget/{channel.key}/session", json={}).get_json()
    assert first["prechat"]["skippable"] is True
    assert client.post(f"/api/widget/{channel.key}/prechat", json={
        "token": first["token"], "phone": "13800000000", "email": "a@example.com"}).status_code == 200
    second = client.post(f"/api/widget/{channel.key}/session", json={}).get_json()
    r = client.post(f"/api/widget/{channel.key}/prechat", headers={"Accept-Language": "en"},
                    json={"token": second["token"], "phone": "138 0000 0000", "email": "b@example.com"})
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "prechat_phone_taken" and err["fields"] == {"phone": ["taken"]}
    assert str(first["visitor"]["id"]) not in err["message_en"] + err["message_zh"]
    other = db.session.get(Visitor, second["visitor"]["id"], populate_existing=True)
    assert (other.phone, other.email) == ("", "")


def test_prechat_needs_this_channels_token(app, make):
    """A token of another channel, or none, cannot write a visitor's profile."""
    company = make.company()
    channel, elsewhere = make.channel(company), make.channel(company)
    _plan(company, {"action": "pre_chat_form", "params": {"fields": ["name"]}})
    client = app.test_client()
    token = client.post(f"/api/widget/{elsewhere.key}/session", json={}).get_json()["token"]
    assert client.post(f"/api/widget/{channel.key}/prechat",
                       json={"token": token, "name": "x"}).status_code == 401
    assert client.post(f"/api/widget/{channel.key}/prechat", json={"name": "x"}).status_code == 400


@pytest.mark.parametrize(("header", "lang"), [("en-US,en;q=0.9", "en"), ("zh-CN,zh;q=0.9", "zh")])
def test_h5_page_follows_the_browser_language(app, make, header, lang):
    """Without ?lang= or a stored choice, the H5 page speaks the browser's language."""
    channel = make.channel(make.company())
    page = app.test_client().get(f"/chat/{channel.key}", headers={"Accept-Language": header})
    html = page.get_data(as_text=True)
    assert f'lang: "{lang}"' in html


def test_a_first_message_waits_for_a_required_prechat_form(live, make):
    """With a form the plan does not let skip, a first message from a visitor lacking its fields is
    refused with the fields to fill (nothing stored); once the form is sent the same message goes
    through. A skippable form never holds a message back."""
    from sqlalchemy import func, select

    from kefu.conversations.models import Conversation, Message

    from ..realtime.helpers import Recorder

    company = make.company()
    channel = make.channel(company)
    _plan(company, {"action": "pre_chat_form", "params": {"fields": ["name", "email"]}})
    visitor, token = make.visitor_token(channel)
    widget = Recorder(live, "/visitor", auth={"token": token, "lang": "en"})
    refused = widget.call("message", {"text": "hello", "client_id": "c-1"})
    assert refused["ok"] is False and refused["error"]["code"] == "prechat_first"
    assert set(refused["error"]["fields"]) == {"name", "email"} and refused["error"]["message"]

    def stored() -> tuple[int, int]:
        """(conversations, visitor messages) of this visitor, as committed."""
        db.session.rollback()
        convs = db.session.scalar(
            select(func.count(Conversation.id)).where(Conversation.visitor_id == visitor.id))
        msgs = db.session.scalar(select(func.count(Message.id)).join(
            Conversation, Message.conversation_id == Conversation.id).where(
            Conversation.visitor_id == visitor.id, Message.sender_kind == "visitor"))
        return int(convs or 0), int(msgs or 0)

    assert stored() == (0, 0)
    import requests

    saved = requests.post(f"{live}/api/widget/{channel.key}/prechat",
                          json={"token": token, "name": "Ann", "email": "ann@example.com"}, timeout=10)
    assert saved.status_code == 200
    sent = widget.call("message", {"text": "hello", "client_id": "c-1"})
    assert sent["ok"] is True and stored() == (1, 1)
    widget.close()

    _plan(company, {"action": "pre_chat_form", "params": {"fields": ["name"], "skippable": True}})
    _other, token2 = make.visitor_token(channel)
    skipper = Recorder(live, "/visitor", auth={"token": token2})
    assert skipper.call("message", {"text": "skipped the form", "client_id": "c-2"})["ok"] is True
    skipper.close()
