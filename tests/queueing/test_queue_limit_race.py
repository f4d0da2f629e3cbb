"""A burst of first messages never overruns the queue's maximum length (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from kefu.conversations.actions import do_visitor_message
from kefu.conversations.models import Conversation
from kefu.extensions import db
from kefu.settings.actions import check_save_company_settings
from kefu.visitors.token import verify


def test_burst_of_first_messages_never_overruns_the_queue_limit(app, make, backend):
    """Twenty visitors writing at once into a queue of 3 leave exactly 3 waiting, the rest get the form."""
    if backend == "sqlite":
        pytest.skip("SQLite writes are serialized by the process lock; the race is PostgreSQL's")
    d = make.desk(status="offline")
    check_save_company_settings(None, d.company.id, {
        "queue_max_length": 3, "queue_max_wait_seconds": 0, "queue_full_text": "",
        "queue_timeout_text": "", "presence_grace_seconds": 180, "offline_chats": "stay",
    })
    tokens = [make.visitor_token(d.channel)[1] for _ in range(20)]
    start = threading.Barrier(len(tokens))
    errors: list[BaseException] = []

    def first_message(token: str) -> None:
        with app.app_context():
            try:
                start.wait()
                do_visitor_message(verify(token), "在吗", None)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first_message, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    db.session.rollback()
    queued = db.session.scalar(select(func.count(Conversation.id)).where(
        Conversation.company_id == d.company.id, Conversation.status == "queued"))
    turned_away = db.session.scalar(select(func.count(Conversation.id)).where(
        Conversation.company_id == d.company.id, Conversation.end_reason == "leave_message"))
    assert (queued, turned_away) == (3, 17)
