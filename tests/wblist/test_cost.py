"""What the list costs the database: the status bar's group-wide numbers are shared between agents,
and the list's meta is a fixed number of statements however many chats are open."""

from __future__ import annotations

from typing import Any

from kefu.conversations.actions import check_visitor_message
from kefu.extensions import db
from kefu.visitors.token import verify
from kefu.wblist.queries import list_meta, status_counts

from ..sqlcount import counted


def _chats(make: Any, channel: Any, n: int) -> list[int]:
    ids = []
    for i in range(n):
        _visitor, token = make.visitor_token(channel)
        msg, _created = check_visitor_message(verify(token), {"text": f"问题 {i}", "client_id": f"c-{i}"})
        ids.append(msg.conversation_id)
    return ids


def test_status_counts_share_the_group_numbers_between_agents(make):
    """Twenty agents of one group refreshing their status bar run the queue and online-colleague
    reads once between them; each adds only its own two small reads (its chats, its groups)."""
    d = make.desk()
    agents = [d.agent] + [make.user(d.company, groups=[d.group], status="online") for _ in range(19)]
    for agent in agents:
        db.session.refresh(agent)  # a socket request has its user loaded already (the login)
    with counted() as first:
        status_counts(agents[0])
    with counted() as rest:
        for agent in agents[1:]:
            assert status_counts(agent)["online"] == 19
    assert len(rest) == 2 * len(agents[1:])
    assert len(first) == len(rest) // len(agents[1:]) + 2


def test_meta_of_fifty_open_chats_costs_what_five_do(make):
    """Unread counts, tags, groups and stars of the shown chats are read in a fixed number of
    statements, not one per chat (the workbench with 50 open chats)."""
    d = make.desk(max_concurrent=60)
    ids = _chats(make, d.channel, 50)
    db.session.rollback()
    with counted() as five:
        meta = list_meta(d.agent, ids[:5])
    assert len(meta) == 5
    db.session.rollback()
    with counted() as fifty:
        meta = list_meta(d.agent, ids)
    assert len(meta) == 50 and all(m["unread"] == 1 for m in meta.values())
    assert len(fifty) == len(five)
