"""Visitor panel (访客信息): agents read and edit a chat's visitor profile; the widget's browsing trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kefu.audit.models import AuditLog
from kefu.conversations.actions import check_visitor_message
from kefu.conversations.models import Conversation
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.settings.actions import do_save
from kefu.timeutil import utcnow
from kefu.visitors import useragent
from kefu.visitors.actions import check_page_views, check_update_profile
from kefu.visitors.fields import VisitorField
from kefu.visitors.models import Visitor
from kefu.visitors.pageviews import PageView
from kefu.visitors.queries import panel
from kefu.visitors.token import verify


def _chat(d, text="你好"):
    msg, _ = check_visitor_message(verify(d.token), {"text": text})
    return db.session.get(Conversation, msg.conversation_id, populate_existing=True)


def _field(company, key, kind, choices=()):
    return do_save(None, VisitorField(company_id=company.id, key=key, label=key.title(), kind=kind,
                                      choices=list(choices)), created=True)


def _code(call):
    with pytest.raises(KefuError) as err:
        call()
    db.session.rollback()
    return err.value


def test_agent_edits_profile_and_it_is_audited(make):
    """The serving agent saves name, phone, email, tags, VIP, remark and custom fields; only sent fields
    change, the phone is normalised, and the audit log records old and new values."""
    d = make.desk()
    conv = _chat(d)
    _field(d.company, "plan", "choice", ["basic", "pro"])
    _field(d.company, "seats", "number")
    _field(d.company, "renewal", "date")
    v = check_update_profile(d.agent, {
        "conversation_id": conv.id, "name": " 张三 ", "phone": "+86 138-0013-8000",
        "email": "Zhang@Example.COM", "tags": ["老客户", "老客户", " 退款 "], "vip_level": 3,
        "remark": "要发票", "custom": {"plan": "pro", "seats": "12", "renewal": "2027-01-31"},
    })
    assert (v.name, v.phone, v.email) == ("张三", "+8613800138000", "zhang@example.com")
    assert v.tags == ["老客户", "退款"] and v.vip_level == 3 and v.remark == "要发票"
    assert v.custom == {"plan": "pro", "seats": 12, "renewal": "2027-01-31"}
    check_update_profile(d.agent, {"conversation_id": conv.id, "remark": "已开票", "custom": {"seats": None}})
    db.session.expire_all()
    v = db.session.get(Visitor, d.visitor.id)
    assert v.name == "张三" and v.remark == "已开票" and v.custom == {"plan": "pro", "renewal": "2027-01-31"}
    logs = db.session.scalars(select(AuditLog).where(AuditLog.action == "visitor_profile")
                              .order_by(AuditLog.id)).all()
    assert len(logs) == 2 and logs[0].actor_id == d.agent.id
    assert logs[0].changes["phone"] == ["", "+8613800138000"]
    assert logs[1].changes["remark"] == ["要发票", "已开票"]


def test_duplicate_phone_or_email_is_refused(make):
    """A phone or e-mail already on another visitor of the company is refused, naming that visitor;
    the same number in another company is fine."""
    d = make.desk()
    conv = _chat(d)
    check_update_profile(d.agent, {"conversation_id": conv.id, "phone": "13800138000",
                                   "email": "a@b.cn"})
    # A second visitor chats with the same agent; the agent tries to give them the same contacts.
    other_token = make.visitor_token(d.channel)[1]
    msg, _ = check_visitor_message(verify(other_token), {"text": "hi"})
    conv2 = db.session.get(Conversation, msg.conversation_id)
    err = _code(lambda: check_update_profile(d.agent, {"conversation_id": conv2.id,
                                                       "phone": "138 0013 8000"}))
    assert err.code == "visitor_phone_taken" and err.status == 409
    assert f"#{d.visitor.id}" in err.to_dict("en")["error"]["message"]
    err = _code(lambda: check_update_profile(d.agent, {"conversation_id": conv2.id, "email": "A@B.cn"}))
    assert err.code == "visitor_email_taken"
    e2 = make.desk()
    ok = check_update_profile(e2.agent, {"conversation_id": _chat(e2).id, "phone": "13800138000"})
    assert ok.phone == "13800138000"
    # Keeping one's own number is not a duplicate.
    same = check_update_profile(d.agent, {"conversation_id": conv.id, "phone": "13800138000"})
    assert same.phone == "13800138000"


@pytest.mark.parametrize("data, code", [
    ({"phone": "abc"}, "invalid_input"),
    ({"phone": "12"}, "invalid_input"),
    ({"email": "not-an-email"}, "visitor_email_invalid"),
    ({"vip_level": 11}, "invalid_input"),
    ({"name": "x" * 121}, "invalid_input"),
    ({"tags": ["t"] * 21}, "invalid_input"),
    ({"custom": {"nope": "1"}}, "visitor_field_unknown"),
    ({"custom": {"plan": "gold"}}, "visitor_field_invalid"),
    ({"custom": {"seats": "many"}}, "visitor_field_invalid"),
    ({"custom": {"renewal": "2027-02-30"}}, "visitor_field_invalid"),
])
def test_bad_profile_input_is_refused(make, data, code):
    """Wrong phone, e-mail, VIP level, lengths and custom-field values are refused; nothing is saved."""
    d = make.desk()
    conv = _chat(d)
    _field(d.company, "plan", "choice", ["basic", "pro"])
    _field(d.company, "seats", "number")
    _field(d.company, "renewal", "date")
    err = _code(lambda: check_update_profile(d.agent, {"conversation_id": conv.id, **data}))
    assert err.code == code or (code == "invalid_input" and err.status == 400)
    db.session.expire_all()
    v = db.session.get(Visitor, d.visitor.id)
    assert v.phone == "" and v.vip_level == 0 and v.custom == {}


def test_only_agents_who_see_the_chat_read_or_edit(make):
    """Another company's admin and a colleague who cannot see the chat get not_found, reading or editing."""
    d = make.desk()
    conv = _chat(d)
    stranger = make.desk().agent
    colleague = make.user(d.company, groups=[make.group(d.company)])
    for user in (stranger, colleague):
        assert _code(lambda u=user: panel(u, conv.id)).code == "not_found"
        assert _code(lambda u=user: check_update_profile(u, {"conversation_id": conv.id,
                                                             "name": "x"})).code == "not_found"
    admin = make.user(d.company, role="admin")
    assert panel(admin, conv.id)["profile"]["id"] == d.visitor.id


def test_panel_shows_visit_info(make):
    """The panel shows channel, group, the page the chat started on, landing page, IP, device, OS,
    browser and visit count; a new visit is counted after 30 minutes away."""
    d = make.desk()
    from kefu.visitors.actions import check_open_session

    ua = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1")
    check_open_session(d.channel, {"token": d.token, "page_url": "https://shop.test/item/9",
                                   "referrer": "https://www.baidu.com/s?wd=x"}, "10.1.2.3", ua)
    conv = _chat(d)
    info = panel(d.agent, conv.id)
    visit = info["visit"]
    assert visit["channel"] == d.channel.name and visit["group"] == d.group.name
    assert visit["chat_page"] == "https://shop.test/item/9" and visit["source"].startswith("https://www.baidu")
    assert visit["ip"] == "10.1.2.3" and visit["device"] == "mobile"
    assert visit["os"] == "iOS 17.2" and visit["browser"] == "Safari 17"
    assert visit["visit_count"] == 1 and visit["landing_page"] == "https://shop.test/item/9"
    db.session.execute(update(Visitor).where(Visitor.id == d.visitor.id)
                       .values(last_seen_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    check_open_session(d.channel, {"token": d.token, "page_url": "https://shop.test/"}, "10.1.2.3", ua)
    assert panel(d.agent, conv.id)["visit"]["visit_count"] == 2
    assert panel(d.agent, conv.id)["visit"]["landing_page"] == "https://shop.test/"


def test_trail_is_capped_deduplicated_and_only_web_pages(make):
    """Reported pages are kept newest first, at most 50; replays and javascript: URLs are not stored."""
    d = make.desk()
    claims = verify(d.token)
    base = int((utcnow() - timedelta(hours=1)).timestamp() * 1000)
    for batch in range(4):
        views = [{"url": f"https://shop.test/p{batch * 20 + i}", "title": f"P{batch * 20 + i}",
                  "at": base + (batch * 20 + i) * 1000} for i in range(20)]
        check_page_views(claims, {"views": views})
    assert check_page_views(claims, {"views": views}) == 0  # a replay adds nothing
    assert check_page_views(claims, {"views": [{"url": "javascript:alert(1)"}]}) == 0
    rows = db.session.scalars(select(PageView).where(PageView.visitor_id == d.visitor.id)
                              .order_by(PageView.viewed_at.desc())).all()
    assert len(rows) == 50 and rows[0].url == "https://shop.test/p79" and rows[-1].url == "https://shop.test/p30"
    trail = panel(make.user(d.company, role="admin"), _chat(d).id)["trail"]
    assert trail[0]["title"] == "P79" and len(trail) == 50
    err = _code(lambda: check_page_views(claims, {"views": [{"url": "https://x.test/", "at": "soon"}]}))
    assert err.status == 400


def test_user_agent_parsing():
    """Common browsers and systems are named simply."""
    win = useragent.parse("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                          "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91")
    assert win == {"os": "Windows 10/11", "browser": "Edge 120", "device": "desktop"}
    android = useragent.parse("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                              "(KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36")
    assert android == {"os": "Android 14", "browser": "Chrome 120", "device": "mobile"}
    wechat = useragent.parse("Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
                             "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) "
                             "NetType/WIFI")
    assert wechat["browser"] == "WeChat 8" and wechat["os"] == "iOS 16.6"
    assert useragent.parse("") == {"os": "", "browser": "", "device": ""}
