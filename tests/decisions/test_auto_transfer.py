"""The session rules' auto-transfer keeps the transfer checks and the queue's order, over live sockets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from kefu.conversations.actions import do_close
from kefu.conversations.models import Conversation, ConversationEvent
from kefu.decisions.actions import do_publish
from kefu.decisions.deadlines import sweep_due
from kefu.decisions.models import ConversationDeadline
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.timeutil import utcnow
from kefu.transfers.actions import do_invite

from ..conftest import login
from ..realtime.helpers import Recorder

PASSWORD = "agent-pass-123"


def _conv(conv_id: int) -> Conversation:
    db.session.rollback()
    found = db.session.get(Conversation, conv_id, populate_existing=True)
    assert found is not None
    return found


def _events(conv_id: int, kind: str) -> list[dict[str, Any]]:
    db.session.rollback()
    return [e.data for e in db.session.scalars(select(ConversationEvent).where(
        ConversationEvent.conversation_id == conv_id, ConversationEvent.kind == kind))]


def _transfer_rule(company_id: int, group_id: int) -> None:
    do_publish(company_id, "session", {"rules": [
        {"id": "move", "name": "move", "when": {"all": [
            {"field": "last_speaker", "op": "eq", "value": "visitor"}]},
         "then": [{"action": "auto_transfer", "params": {"after": 60, "group": group_id}}]}]})


def _fire_transfer(conv_id: int) -> None:
    db.session.execute(update(ConversationDeadline).where(
        ConversationDeadline.conversation_id == conv_id, ConversationDeadline.kind == "auto_transfer",
    ).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert sweep_due() >= 1


def _say(live: str, token: str, text: str) -> tuple[Recorder, int]:
    widget = Recorder(live, "/visitor", auth={"token": token})
    return widget, widget.call("message", {"text": text})["message"]["conversation_id"]


def _bench(live: str, user: Any) -> Recorder:
    return Recorder(live, "/agent", session=login(live, user.email, PASSWORD))


def test_auto_transfer_never_hands_the_chat_back_to_its_agent(live, make):
    """A rule moving A's designated chat to a group A is in too gives it to a colleague, though A is freer."""
    company = make.company()
    sales, after_sales = make.group(company, "售前"), make.group(company, "售后")
    a = make.user(company, groups=[sales, after_sales], status="online")
    b = make.user(company, groups=[after_sales], status="online")
    ch1, ch2 = make.channel(company, sales), make.channel(company, after_sales)
    _transfer_rule(company.id, after_sales.id)
    bench_a, bench_b = _bench(live, a), _bench(live, b)
    widget, conv_id = _say(live, make.visitor_token(ch1)[1], "我要退货")
    assert _conv(conv_id).agent_id == a.id
    other, other_id = _say(live, make.visitor_token(ch2)[1], "在吗")
    assert _conv(other_id).agent_id == b.id  # B 0/5 beat A 1/5
    conv = _conv(conv_id)
    conv.routing = {**(conv.routing or {}), "strategy": "designated", "agent": a.id, "fallback": False}
    db.session.commit()
    _fire_transfer(conv_id)  # A now 0/5, B 1/5: least saturation alone would give it back to A
    assert bench_a.wait_for("conversation.transferred")["conversation"]["id"] == conv_id
    assert bench_b.wait_for("conversation.assigned", where=lambda e: e["conversation"]["id"] == conv_id)
    widget.wait_for("conversation.transferred")
    assert widget.wait_for("conversation.assigned")["agent"]["id"] == b.id
    conv = _conv(conv_id)
    assert (conv.status, conv.agent_id, conv.skill_group_id) == ("active", b.id, after_sales.id)
    assert "exclude_agent" not in (conv.routing or {})
    for client in (bench_a, bench_b, widget, other):
        client.close()


def test_auto_transfer_waits_behind_the_target_queue_and_ends_helper_stays(live, make):
    """A chat moved by a rule into a queue waits behind the visitor already there, gets a max-wait
    clock, and its helper is let go (told, and can no longer write)."""
    from kefu.conversations.actions import do_agent_message
    from kefu.settings.actions import check_save_company_settings

    company = make.company()
    sales, after_sales = make.group(company, "售前"), make.group(company, "售后")
    a = make.user(company, groups=[sales], status="online")
    b = make.user(company, groups=[after_sales], status="online", max_concurrent=1)
    helper = make.user(company, status="online")
    ch1, ch2 = make.channel(company, sales), make.channel(company, after_sales)
    check_save_company_settings(None, company.id, {
        "queue_max_length": 0, "queue_max_wait_seconds": 300, "queue_full_text": "",
        "queue_timeout_text": "", "presence_grace_seconds": 180, "offline_chats": "stay"})
    _transfer_rule(company.id, after_sales.id)
    bench_h = _bench(live, helper)
    widget, conv_id = _say(live, make.visitor_token(ch1)[1], "我要退货")
    assert _conv(conv_id).agent_id == a.id
    served, served_id = _say(live, make.visitor_token(ch2)[1], "在吗")
    assert _conv(served_id).agent_id == b.id
    waiting, waiting_id = _say(live, make.visitor_token(ch2)[1], "排队中")
    assert waiting.wait_for("conversation.queued")["queue_position"] == 1
    do_invite(a, conv_id, helper.id)
    bench_h.wait_for("conversation.invited")
    _fire_transfer(conv_id)
    moved = widget.wait_for("conversation.queued")
    assert (moved["conversation"]["id"], moved["queue_position"]) == (conv_id, 2)
    assert bench_h.wait_for("conversation.left")["conversation_id"] == conv_id
    assert all(e[1]["queue_position"] == 1 for e in waiting.drain() if e[0] == "conversation.queued")
    conv = _conv(conv_id)
    assert (conv.status, conv.participant_ids) == ("queued", [])
    kinds = db.session.scalars(select(ConversationDeadline.kind).where(
        ConversationDeadline.conversation_id == conv_id)).all()
    assert kinds == ["queue_wait"]
    try:
        do_agent_message(helper, conv_id, "我来帮忙", None)
        raise AssertionError("a released helper wrote into a queued chat")
    except KefuError:
        db.session.rollback()
    do_close(_conv(served_id), "agent_removed")  # B's seat frees: the older visitor goes first
    assert waiting.wait_for("conversation.assigned")["agent"]["id"] == b.id
    assert widget.wait_for("conversation.queued", where=lambda e: e["queue_position"] == 1)
    assert _conv(conv_id).status == "queued"
    for client in (bench_h, widget, served, waiting):
        client.close()


def test_auto_transfer_skips_a_non_transferable_chat(live, make):
    """A chat marked non-transferable stays with its agent; the skip and its reason go on the timeline."""
    d = make.desk()
    other = make.group(d.company, "售后")
    make.user(d.company, groups=[other], status="online")
    _transfer_rule(d.company.id, other.id)
    bench = _bench(live, d.agent)
    widget, conv_id = _say(live, d.token, "你好")
    conv = _conv(conv_id)
    conv.routing = {**(conv.routing or {}), "transferable": False}
    db.session.commit()
    _fire_transfer(conv_id)
    conv = _conv(conv_id)
    assert (conv.status, conv.agent_id) == ("active", d.agent.id)
    assert _events(conv_id, "transferred") == []
    (skipped,) = _events(conv_id, "transfer_skipped")
    assert (skipped["reason"], skipped["to_group_id"]) == ("not_transferable", other.id)
    assert skipped["by"] == "rule"
    assert "conversation.transferred" not in [name for name, _ in bench.drain() + widget.drain()]
    for client in (bench, widget):
        client.close()
