"""The workbench's quick-reply API: both libraries, search, validation, and who may change what."""

from __future__ import annotations

from kefu.audit.models import AuditLog
from kefu.extensions import db
from kefu.quickreplies.models import PERSONAL_MAX, QuickReply, QuickReplyGroup
from kefu.settings.actions import do_save

from .helpers import API, GROUPS, agent_client, listing


def _shared(company_id: int, title: str, text: str, group: QuickReplyGroup | None = None) -> QuickReply:
    return do_save(None, QuickReply(company_id=company_id, title=title, text=text,
                                    group_id=group.id if group else None), created=True)


def test_agent_sees_company_and_own_library_only(app, make):
    """An agent lists the company library and their own replies, never a colleague's or another
    company's; scope=mine and scope=company split the two."""
    d = make.desk()
    colleague = make.user(d.company, groups=[d.group])
    other = make.desk()
    hello = do_save(None, QuickReplyGroup(company_id=d.company.id, name="问候"), created=True)
    shared = _shared(d.company.id, "您好", "您好，{visitor_name}，请问有什么可以帮您？", hello)
    _shared(other.company.id, "别家", "another company")
    client = agent_client(app, d.agent.email)
    mine = client.post(API, json={"title": "退款", "text": "退款将在 3 个工作日内原路退回"})
    assert mine.status_code == 201, mine.get_data(as_text=True)
    agent_client(app, colleague.email).post(API, json={"title": "同事的", "text": "colleague only"})

    body = listing(client)
    assert [r["title"] for r in body["replies"]] == ["您好", "退款"]
    assert body["replies"][0] == {"id": shared.id, "title": "您好", "text": shared.text,
                                  "group_id": hello.id, "personal": False, "sort_order": 0}
    assert body["replies"][1]["personal"] is True
    assert body["groups"] == [{"id": hello.id, "name": "问候", "personal": False, "sort_order": 0}]
    assert [r["title"] for r in listing(client, scope="mine")["replies"]] == ["退款"]
    assert [r["title"] for r in listing(client, scope="company")["replies"]] == ["您好"]
    assert client.get(API, query_string={"scope": "others"}).status_code == 400


def test_search_matches_title_text_and_group(app, make):
    """?q= finds replies by title, by text or by group name, case-insensitively; % is literal."""
    d = make.desk()
    after_sales = do_save(None, QuickReplyGroup(company_id=d.company.id, name="售后"), created=True)
    _shared(d.company.id, "退货地址", "请寄回仓库", after_sales)
    _shared(d.company.id, "Refund", "Refunds take 3 days")
    _shared(d.company.id, "折扣", "全场 80% off")
    _shared(d.company.id, "问候", "您好")
    client = agent_client(app, d.agent.email)
    assert [r["title"] for r in listing(client, q="退")["replies"]] == ["退货地址"]
    assert [r["title"] for r in listing(client, q="售后")["replies"]] == ["退货地址"]
    assert [r["title"] for r in listing(client, q="refund")["replies"]] == ["Refund"]
    assert [r["title"] for r in listing(client, q="3 DAYS")["replies"]] == ["Refund"]
    assert [r["title"] for r in listing(client, q="0%")["replies"]] == ["折扣"]
    assert listing(client, q="%")["replies"][0]["title"] == "折扣"
    assert len(listing(client, q="%")["replies"]) == 1
    assert listing(client, q="没有这个")["replies"] == []


def test_create_validation_names_the_problem(app, make):
    """Empty or oversized titles and texts, wrong types and a foreign group are refused with a
    clear message, and nothing is stored."""
    d = make.desk()
    client = agent_client(app, d.agent.email)
    r = client.post(API, json={"title": "  ", "text": "x"})
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "quick_reply_title"
    assert r.get_json()["error"]["message_zh"] == "请填写标题（1–120 个字）"
    r = client.post(API, json={"title": "t", "text": "x" * 5001})
    assert r.get_json()["error"]["message_en"] == "Please write the reply (1–5000 characters)"
    r = client.post(API, json={"title": "t", "text": "x", "group_id": "1"})
    assert r.status_code == 400 and "group_id" in r.get_json()["error"]["fields"]
    assert client.post(API, json=["not", "an", "object"]).status_code == 400
    assert client.post(API, data="title=t", content_type="text/plain").status_code == 400
    shared_group = do_save(None, QuickReplyGroup(company_id=d.company.id, name="企业组"), created=True)
    r = client.post(API, json={"title": "t", "text": "x", "group_id": shared_group.id})
    assert r.get_json()["error"]["code"] == "quick_reply_group"
    colleague = make.user(d.company)
    theirs = agent_client(app, colleague.email).post(GROUPS, json={"name": "同事组"}).get_json()
    r = client.post(API, json={"title": "t", "text": "x", "group_id": theirs["group"]["id"]})
    assert r.get_json()["error"]["code"] == "quick_reply_group"
    db.session.rollback()
    assert db.session.scalars(db.select(QuickReply)).all() == []


def test_agent_edits_and_deletes_only_own_replies(app, make):
    """An agent edits and deletes their own reply (audited); a colleague's personal reply is
    not found (404) and a company reply is refused with quick_reply_shared (403)."""
    d = make.desk()
    colleague = make.user(d.company, groups=[d.group])
    shared = _shared(d.company.id, "企业", "company text")
    client = agent_client(app, d.agent.email)
    other = agent_client(app, colleague.email)
    theirs = other.post(API, json={"title": "同事", "text": "colleague text"}).get_json()["reply"]
    mine = client.post(API, json={"title": "我的", "text": "first"}).get_json()["reply"]

    r = client.put(f"{API}/{mine['id']}", json={"title": "我的", "text": "second\nline"})
    assert r.status_code == 200 and r.get_json()["reply"]["text"] == "second\nline"
    assert client.put(f"{API}/{theirs['id']}", json={"title": "x", "text": "y"}).status_code == 404
    assert client.delete(f"{API}/{theirs['id']}").status_code == 404
    r = client.put(f"{API}/{shared.id}", json={"title": "x", "text": "y"})
    assert r.status_code == 403
    assert r.get_json()["error"]["message_zh"] == "企业共用的快捷回复只能由管理员在后台修改"
    assert client.delete(f"{API}/{shared.id}").status_code == 403
    assert client.put(f"{API}/999999", json={"title": "x", "text": "y"}).status_code == 404

    assert client.delete(f"{API}/{mine['id']}").status_code == 200
    db.session.rollback()
    left = {r.title: r.text for r in db.session.scalars(db.select(QuickReply))}
    assert left == {"企业": "company text", "同事": "colleague text"}
    actions = [a.action for a in db.session.scalars(
        db.select(AuditLog).where(AuditLog.actor_id == d.agent.id).order_by(AuditLog.id))]
    assert actions == ["create", "update", "delete"]


def test_other_company_cannot_reach_rows(app, make):
    """An agent of another company gets 404 for every row of this one, company rows included."""
    d = make.desk()
    other = make.desk()
    shared = _shared(d.company.id, "企业", "company text")
    group = do_save(None, QuickReplyGroup(company_id=d.company.id, name="g"), created=True)
    client = agent_client(app, other.agent.email)
    assert client.put(f"{API}/{shared.id}", json={"title": "x", "text": "y"}).status_code == 404
    assert client.delete(f"{GROUPS}/{group.id}").status_code == 404
    assert listing(client)["replies"] == []


def test_personal_groups(app, make):
    """An agent creates, renames and deletes their own groups; names are unique in the library;
    deleting a group keeps its replies, ungrouped; company groups are read-only here."""
    d = make.desk()
    shared_group = do_save(None, QuickReplyGroup(company_id=d.company.id, name="常用"), created=True)
    client = agent_client(app, d.agent.email)
    r = client.post(GROUPS, json={"name": "常用"})  # same name as a company group: another library
    assert r.status_code == 201
    group = r.get_json()["group"]
    assert group["personal"] is True
    dup = client.post(GROUPS, json={"name": " 常用 "})
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "duplicate"
    assert client.post(GROUPS, json={"name": ""}).get_json()["error"]["code"] == "quick_reply_group_name"
    reply = client.post(API, json={"title": "t", "text": "x", "group_id": group["id"]}).get_json()["reply"]
    assert reply["group_id"] == group["id"]
    r = client.put(f"{GROUPS}/{group['id']}", json={"name": "我的常用", "sort_order": 2})
    assert r.get_json()["group"]["name"] == "我的常用"
    assert client.put(f"{GROUPS}/{shared_group.id}", json={"name": "x"}).status_code == 403
    assert client.delete(f"{GROUPS}/{group['id']}").status_code == 200
    body = listing(client, scope="mine")
    assert body["groups"] == [] and body["replies"][0]["group_id"] is None


def test_personal_library_is_bounded(app, make):
    """The 501st personal reply is refused with quick_reply_limit."""
    d = make.desk()
    for i in range(PERSONAL_MAX):
        db.session.add(QuickReply(company_id=d.company.id, owner_id=d.agent.id, title=f"t{i}", text="x"))
    db.session.commit()
    r = agent_client(app, d.agent.email).post(API, json={"title": "one more", "text": "x"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "quick_reply_limit"


def test_anonymous_is_refused(app, make):
    """Without a login the API answers 401 and changes nothing."""
    make.desk()
    client = app.test_client()
    assert client.get(API).status_code == 401
