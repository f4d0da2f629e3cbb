"""The message hot path: sensitive-word checks and flags cost no SQL statement per message."""

from __future__ import annotations

from typing import Any

from kefu.chatpane.models import SensitiveWord
from kefu.conversations.actions import check_agent_message, check_visitor_message
from kefu.extensions import db
from kefu.visitors.token import verify

from ..sqlcount import counted


def test_word_lists_add_no_statement_per_message(make):
    """With both word lists in use (and cached), a visitor or agent message runs as many statements as
    one without lists; a quote costs one look-up (two for an agent: the chat's visitor)."""
    d = make.desk()
    claims = verify(d.token)
    check_visitor_message(claims, {"text": "你好", "client_id": "v-0"})
    conv_id = db.session.execute(db.text("SELECT id FROM conversation")).scalar()
    check_agent_message(d.agent, {"conversation_id": conv_id, "text": "您好", "client_id": "a-0"})

    def one_each(n: int, **extra: Any) -> tuple[int, int]:
        with counted() as v:
            check_visitor_message(claims, {"text": f"投诉 {n}", "client_id": f"v-{n}", **extra})
        with counted() as a:
            check_agent_message(d.agent, {"conversation_id": conv_id, "text": f"好的 {n}",
                                          "client_id": f"a-{n}", **extra})
        return len(v), len(a)

    one_each(1)  # warm the (empty) word caches
    plain = one_each(2)
    db.session.add(SensitiveWord(company_id=d.company.id, scope="visitor", word="投诉"))
    db.session.add(SensitiveWord(company_id=d.company.id, scope="agent", word="保证退款"))
    db.session.commit()
    one_each(3)  # the lists changed: each is read once
    assert one_each(4) == plain
    first = db.session.execute(db.text("SELECT min(id) FROM message")).scalar()
    quoted = one_each(5, reply_to=first)
    assert quoted == (plain[0] + 1, plain[1] + 2)
