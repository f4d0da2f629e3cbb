"""Helpers and watchers also get the session rules' system messages (reminders, timeouts)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from kefu.conversations.actions import do_agent_message
from kefu.decisions.deadlines import sweep_due
from kefu.decisions.models import ConversationDeadline
from kefu.extensions import db
from kefu.timeutil import utcnow
from kefu.transfers.actions import do_invite, do_watch

from .helpers import open_chat
from .test_live import _bench


def test_reminder_reaches_helper_and_watcher(live, make, run_jobs):
    """A due reminder (a system message written by the deadline sweep) reaches the invited helper
    and the watching manager, not only the chat's owner and visitor."""
    d = open_chat(make)
    boss = make.user(d.company, role="manager", groups=[d.group], max_concurrent=0)
    helper, watcher = _bench(live, d.colleague), _bench(live, boss)
    do_invite(d.agent, d.conv_id, d.colleague.id)
    do_watch(boss, d.conv_id)
    do_agent_message(d.agent, d.conv_id, "请问还在吗", "a-1")
    db.session.execute(update(ConversationDeadline)
                       .where(ConversationDeadline.conversation_id == d.conv_id,
                              ConversationDeadline.kind == "remind_visitor")
                       .values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert sweep_due() >= 1
    for client in (helper, watcher):
        got = client.wait_for("message.created", where=lambda e: e["message"]["sender"] == "system")
        assert got["message"]["conversation_id"] == d.conv_id
        client.close()
