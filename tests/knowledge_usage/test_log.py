"""do_log_search: what one search leaves in the log, and that it rides on the caller's commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kefu.extensions import db
from kefu.knowledge.usage import LOG_QUERY_MAX, KnowledgeSearchLog, do_log_search


def logged() -> list[KnowledgeSearchLog]:
    """The committed log rows, oldest first."""
    db.session.rollback()
    return list(db.session.scalars(select(KnowledgeSearchLog).order_by(KnowledgeSearchLog.id)))


def test_a_search_is_logged_with_its_searcher_and_result(make):
    """The row keeps company, source, user, conversation, hits and top document, in UTC."""
    desk = make.desk()
    do_log_search(desk.company.id, "agent", "退款多久到账", 3, user_id=desk.agent.id, top_doc_id=7)
    db.session.commit()
    (row,) = logged()
    assert (row.company_id, row.source, row.user_id, row.query, row.hits, row.top_doc_id) == (
        desk.company.id, "agent", desk.agent.id, "退款多久到账", 3, 7)
    assert row.conversation_id is None
    assert row.created_at.utcoffset().total_seconds() == 0


def test_queries_are_folded_so_the_same_question_groups_as_one(make):
    """Width, case, traditional characters and runs of spaces fold; the text is cut to 200."""
    company = make.company()
    for text in ("  ＲＥＦＵＮＤ   Policy ", "refund policy", "退貨  運費", "x" * 500):
        do_log_search(company.id, "visitor", text, 0)
    db.session.commit()
    queries = [r.query for r in logged()]
    assert queries[:3] == ["refund policy", "refund policy", "退货 运费"]
    assert queries[3] == "x" * LOG_QUERY_MAX


def test_empty_queries_are_not_logged(make):
    """A search box left empty (or only spaces) is browsing, not a question: no row."""
    company = make.company()
    do_log_search(company.id, "agent", "", 5)
    do_log_search(company.id, "agent", "   \u3000 ", 5)
    db.session.commit()
    assert logged() == []


def test_the_row_is_written_only_by_the_callers_commit(make):
    """Nothing is committed by the log itself: a caller that rolls back leaves no row."""
    company = make.company()
    do_log_search(company.id, "robot", "发票", 0)
    db.session.rollback()
    assert logged() == []
    do_log_search(company.id, "robot", "发票", 0)
    db.session.commit()
    assert [r.query for r in logged()] == ["发票"]


def test_an_unknown_source_is_a_programming_error(make):
    """Only agent, robot and visitor searches exist."""
    company = make.company()
    with pytest.raises(ValueError):
        do_log_search(company.id, "operator", "发票", 0)
