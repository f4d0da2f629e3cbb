"""The history page query uses the (conversation_id, id) index for a visitor with many chats."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from kefu.conversations.models import Conversation, Message
from kefu.extensions import db
from kefu.history import queries

PAST_CHATS = 300
PER_CHAT = 20
OTHERS = 50_000


def _seed(d) -> tuple[int, int]:
    """A visitor with 300 old chats, then 50,000 messages of someone else, then the open chat.

    Rows are inserted in bulk (a fixture of this size through the actions would take minutes);
    the query under test only reads them. Returns (open chat id, its oldest message id).
    """
    now = datetime.now(UTC)
    base = {"company_id": d.company.id, "channel_id": d.channel.id, "created_at": now}

    def chat(visitor_id: int, status: str) -> int:
        return int(db.session.execute(insert(Conversation).values(
            visitor_id=visitor_id, status=status, **base).returning(Conversation.id)).scalar_one())

    def messages(conv_id: int, n: int) -> None:
        db.session.execute(insert(Message), [
            {**base, "conversation_id": conv_id, "sender_kind": "visitor", "body": f"{conv_id}/{i}"}
            for i in range(n)])

    for _ in range(PAST_CHATS):
        messages(chat(d.visitor.id, "closed"), PER_CHAT)
    stranger = chat(_other_visitor(d), "closed")
    messages(stranger, OTHERS)
    current = chat(d.visitor.id, "active")
    messages(current, 10)
    db.session.commit()
    oldest = db.session.scalar(select(Message.id).where(Message.conversation_id == current)
                               .order_by(Message.id).limit(1))
    assert oldest is not None
    return current, oldest


def _other_visitor(d) -> int:
    from kefu.visitors.actions import check_open_session

    return int(check_open_session(d.channel, {}, "127.0.0.1", "pytest")["visitor"].id)


def test_a_page_of_a_visitor_with_300_chats_walks_their_chats_index_not_the_table(make):
    """The page before the open chat skips the 50,000 messages of others via ix_message_conversation_id."""
    d = make.desk()
    current, oldest = _seed(d)
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(text("ANALYZE message"))
        db.session.execute(text("ANALYZE conversation"))
    convs = queries.visitor_conversations(d.company.id, d.visitor.id)
    stmt = queries.page_query(convs, oldest, 50)
    compiled = stmt.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN" if dialect == "postgresql" else "EXPLAIN QUERY PLAN"
    plan = "\n".join(str(row[-1]) for row in db.session.execute(text(f"{explain} {compiled}")))
    print(plan)  # kept in the test log: what the planner chose
    assert "ix_message_conversation_id" in plan
    assert "message_pkey" not in plan
    msgs, more = queries.page_before(convs, oldest, 50)
    assert more and len(msgs) == 50
    assert all(m.conversation_id != current for m in msgs)
    assert [m.id for m in msgs] == sorted(m.id for m in msgs) and msgs[-1].id < oldest - OTHERS
