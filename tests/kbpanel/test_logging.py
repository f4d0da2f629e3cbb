"""Every panel search is logged for 知识使用统计 with its agent, chat, hits and best document."""

from __future__ import annotations

from sqlalchemy import select

from kefu.conversations.actions import check_visitor_message
from kefu.extensions import db
from kefu.kbpanel.actions import check_search
from kefu.knowledge.usage import KnowledgeSearchLog
from kefu.visitors.token import verify

from .helpers import article, entry


def logs():
    """Every search log row, oldest first."""
    return db.session.scalars(select(KnowledgeSearchLog).order_by(KnowledgeSearchLog.id)).all()


def test_a_search_is_logged_once_with_its_agent_chat_and_result(make):
    """The first page logs source agent, the agent, the chat, hits and the top document; the next
    page, a category listing, an empty box and the composer's # suggestions log nothing; a no-hit
    search logs 0 hits."""
    d = make.desk()
    entry(d.company, "怎么申请退款", "<p>在订单页</p>")
    article(d.company, "退款规则", "<p>七天</p>")
    conv_id = check_visitor_message(verify(d.token), {"text": "我要退款"})[0].conversation_id
    res = check_search(d.agent, {"q": " 退款 ", "conversation_id": conv_id, "per_page": 1})
    assert res["results"]["total"] == 2
    check_search(d.agent, {"q": "退款", "page": 2, "per_page": 1, "conversation_id": conv_id})
    check_search(d.agent, {"browse": True, "category_id": None})
    check_search(d.agent, {"q": ""})
    assert check_search(d.agent, {"q": "退款", "suggest": True})["results"]["total"] == 2
    check_search(d.agent, {"q": "发票"})
    rows = logs()
    assert [(r.source, r.user_id, r.query, r.hits) for r in rows] == [
        ("agent", d.agent.id, "退款", 2), ("agent", d.agent.id, "发票", 0)]
    assert rows[0].conversation_id == conv_id and rows[1].conversation_id is None
    assert rows[0].top_doc_id == res["results"]["hits"][0]["doc_id"]
    assert rows[0].company_id == d.company.id


def test_a_chat_the_agent_cannot_see_is_not_recorded(make):
    """Another company's chat id (or one that does not exist) is logged as no chat at all."""
    d, other = make.desk(), make.desk()
    theirs = check_visitor_message(verify(other.token), {"text": "hi"})[0].conversation_id
    check_search(d.agent, {"q": "退款", "conversation_id": theirs})
    check_search(d.agent, {"q": "退款", "conversation_id": 987654})
    assert [(r.company_id, r.conversation_id) for r in logs()] == [(d.company.id, None)] * 2
