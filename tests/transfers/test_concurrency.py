"""Transfers race each other and routing under the same capacity claim: never over capacity."""

from __future__ import annotations

import threading

from kefu.conversations.actions import do_visitor_message
from kefu.conversations.models import Conversation
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.org.models import User
from kefu.transfers.actions import do_transfer
from kefu.visitors.token import verify

from .helpers import conv


def test_two_simultaneous_transfers_to_a_one_seat_agent(app, make):
    """Two agents transfer to a colleague with room for one at the same moment: one succeeds,
    the other is refused as saturated and keeps the chat."""
    company = make.company()
    group = make.group(company)
    owners = [make.user(company, groups=[group], status="online", max_concurrent=1) for _ in range(2)]
    channel = make.channel(company, group)
    chats = []
    for n in range(2):
        _, token = make.visitor_token(channel)
        msg, _ = do_visitor_message(verify(token), f"hi {n}", f"v-{n}")
        chats.append(conv(msg.conversation_id))
    assert {c.agent_id for c in chats} == {o.id for o in owners}
    target = make.user(company, groups=[group], status="online", max_concurrent=1)
    start = threading.Barrier(2)
    results: list[str] = []

    def transfer(owner_id: int, conv_id: int) -> None:
        with app.app_context():
            owner = db.session.get(User, owner_id)
            start.wait()
            try:
                do_transfer(owner, conv_id, agent_id=target.id, client_id=f"t-{conv_id}")
                results.append("ok")
            except KefuError as exc:
                results.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=transfer, args=(c.agent_id, c.id)) for c in chats]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["ok", "transfer_agent_saturated"]
    db.session.expire_all()
    held = db.session.query(Conversation).filter_by(agent_id=target.id, status="active").count()
    assert held == 1
    assert all(conv(c.id).status == "active" for c in chats)
