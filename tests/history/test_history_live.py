"""History pages and sync windows over real Socket.IO connections: nothing hidden, lost or doubled."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kefu.conversations.models import Message
from kefu.extensions import db

from ..conftest import login
from ..realtime.helpers import Recorder
from .helpers import past_and_current, talk


def _texts(conv_ids: list[int]) -> list[str]:
    """Every stored message text of these chats, in id order."""
    db.session.expire_all()
    return list(db.session.scalars(select(Message.body).where(Message.conversation_id.in_(conv_ids))
                                   .order_by(Message.id)))


def _page_all(client: Recorder, body: dict[str, Any], limit: int
              ) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    """Page back with `history` until has_more is false; return messages oldest first and headers."""
    got: list[dict[str, Any]] = []
    headers: dict[int, Any] = {}
    before = None
    while True:
        ack = client.call("history", {**body, "before_id": before, "limit": limit})
        assert ack["ok"], ack
        assert len(ack["messages"]) <= limit
        assert [m["id"] for m in ack["messages"]] == sorted(m["id"] for m in ack["messages"])
        got = ack["messages"] + got
        headers.update({h["id"]: h for h in ack["conversations"]})
        if not ack["has_more"]:
            return got, headers
        before = ack["messages"][0]["id"]


def test_agent_pages_back_through_every_past_conversation_of_the_visitor(live, make):
    """Paging back from the open chat reaches each message of the visitor's past chats once, with headers."""
    d = make.desk()
    ids = past_and_current(d, (5, 4, 7))
    other_visitor, other_token = make.visitor_token(d.channel)
    stranger_chat = talk(d, other_token, 3, "other")
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))

    got, headers = _page_all(bench, {"conversation_id": ids[-1]}, limit=4)
    assert [m["text"] for m in got] == _texts(ids)
    assert len({m["id"] for m in got}) == 16
    assert {m["conversation_id"] for m in got} == set(ids)
    assert stranger_chat not in headers
    past = headers[ids[0]]
    assert past["agent_name"] == d.agent.shown_name and past["channel"] == d.channel.name
    assert past["end_reason"] == "agent_removed" and past["end_text"]["agent"]["zh"]
    assert past["created_at"] and past["closed_at"]
    assert headers[ids[-1]]["status"] == "active" and headers[ids[-1]]["closed_at"] is None

    # The newest page without before_id; a page before the first message is empty.
    newest = bench.call("history", {"conversation_id": ids[-1], "limit": 3})
    assert [m["text"] for m in newest["messages"]] == _texts(ids)[-3:] and newest["has_more"]
    first = got[0]["id"]
    empty = bench.call("history", {"conversation_id": ids[-1], "before_id": first})
    assert empty["ok"] and empty["messages"] == [] and not empty["has_more"]
    bench.close()


def test_history_is_refused_to_whoever_may_not_see_the_chat(live, make):
    """Another company's agent and a colleague without access get not_found; bad input a clear error."""
    d = make.desk()
    ids = past_and_current(d, (3, 2))
    colleague = make.user(d.company, groups=[d.group], status="online")
    other = make.desk()
    for email in (other.agent.email, colleague.email):
        client = Recorder(live, "/agent", session=login(live, email, "agent-pass-123"))
        ack = client.call("history", {"conversation_id": ids[-1]})
        assert not ack["ok"] and ack["error"]["code"] == "not_found"
        assert "messages" not in ack
        client.close()
    owner = make.user(d.company, role="admin")
    boss = Recorder(live, "/agent", session=login(live, owner.email, "agent-pass-123"))
    assert len(boss.call("history", {"conversation_id": ids[-1]})["messages"]) == 5
    for bad, field in (({"conversation_id": "x"}, "conversation_id"),
                       ({"conversation_id": ids[-1], "limit": 101}, "limit"),
                       ({"conversation_id": ids[-1], "before_id": 0}, "before_id")):
        ack = boss.call("history", bad)
        assert ack["error"]["code"] == "invalid_input" and field in ack["error"]["fields"]
        assert ack["error"]["message_zh"] and ack["error"]["message_en"]
    boss.close()


def test_visitor_pages_back_through_their_own_past_conversations(live, make):
    """The widget's history brings the visitor's own earlier chats on this channel, never anyone else's."""
    d = make.desk()
    ids = past_and_current(d, (4, 3, 2))
    _, other_token = make.visitor_token(d.channel)
    talk(d, other_token, 3, "other")
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    got, headers = _page_all(widget, {}, limit=2)
    assert [m["text"] for m in got] == _texts(ids)
    assert set(headers) == set(ids)
    assert headers[ids[0]]["end_text"]["visitor"]["zh"]
    bad = widget.call("history", {"limit": 0})
    assert bad["error"]["code"] == "invalid_input" and "limit" in bad["error"]["fields"]
    widget.close()


def test_sync_brings_the_newest_messages_of_every_chat_without_a_global_cap(live, make):
    """Each open chat gets its newest 50 and whether older ones exist; a big chat hides none of the others."""
    from kefu.history.queries import SYNC_PER_CHAT

    d = make.desk(max_concurrent=10)
    big = talk(d, d.token, 120, "big")
    smalls = []
    for i in range(3):
        _, token = make.visitor_token(d.channel)
        smalls.append(talk(d, token, 3, f"small{i}"))
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    state = bench.call("sync", {})
    assert state["ok"], state
    by_chat: dict[int, list[str]] = {}
    for m in state["messages"]:
        by_chat.setdefault(m["conversation_id"], []).append(m["text"])
    assert by_chat[big] == _texts([big])[-SYNC_PER_CHAT:]
    for cid in smalls:
        assert by_chat[cid] == _texts([cid])
        assert state["windows"][str(cid)] == {"oldest_id": state["windows"][str(cid)]["oldest_id"],
                                              "has_more": False, "gap": False}
    window = state["windows"][str(big)]
    assert window["has_more"] and not window["gap"]
    # The rest of the big chat is one history page away at a time.
    got, _ = _page_all_from(bench, big, window["oldest_id"])
    assert [m["text"] for m in got] == _texts([big])[:-SYNC_PER_CHAT]
    bad = bench.call("sync", {"after": {"x": 1}})
    assert bad["error"]["code"] == "invalid_input" and "after" in bad["error"]["fields"]
    bench.close()


def _page_all_from(client: Recorder, conv_id: int, before: int, stop_at: int = 0
                   ) -> tuple[list[dict[str, Any]], int]:
    """Page back from `before` until the page reaches `stop_at` (or the start); messages and requests."""
    got: list[dict[str, Any]] = []
    calls = 0
    while True:
        ack = client.call("history", {"conversation_id": conv_id, "before_id": before, "limit": 100})
        calls += 1
        assert ack["ok"], ack
        fresh = [m for m in ack["messages"] if m["id"] > stop_at]
        got = fresh + got
        if not ack["has_more"] or len(fresh) < len(ack["messages"]) or not fresh:
            return got, calls
        before = ack["messages"][0]["id"]


def test_a_workbench_away_for_more_than_a_page_fills_the_gap_and_gets_each_message_once(live, make):
    """After 130 missed messages sync brings the newest 50 and "gap"; history brings the 80 between, once."""
    d = make.desk()
    conv_id = talk(d, d.token, 6, "before")
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    held = bench.call("sync", {})["messages"]
    last_held = held[-1]["id"]
    bench.close()
    talk(d, d.token, 130, "away")  # the chat goes on while the workbench is disconnected

    back = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    state = back.call("sync", {"after": {str(conv_id): last_held}, "conversation_ids": [conv_id]})
    window = state["windows"][str(conv_id)]
    assert window["gap"] and len(state["messages"]) == 50
    assert all(m["id"] > last_held for m in state["messages"])
    gap, calls = _page_all_from(back, conv_id, window["oldest_id"], stop_at=last_held)
    assert calls == 1
    seen = [m["id"] for m in held + gap + state["messages"]]
    assert len(seen) == len(set(seen)) == 136
    assert [m["text"] for m in held + gap + state["messages"]] == _texts([conv_id])
    # Without a gap, a resume brings just the new messages.
    again = back.call("sync", {"after": {str(conv_id): seen[-1]}})
    assert again["messages"] == [] and not again["windows"][str(conv_id)]["gap"]
    back.close()


def test_a_socket_paging_faster_than_anyone_scrolls_is_slowed_down(live, make):
    """A widget firing history far faster than scrolling is refused with rate_limited after the
    burst, other sockets are unaffected, and a moment later it may page again."""
    import time

    from kefu.history.sockets import PAGES_BURST, PAGES_PER_SECOND

    d = make.desk()
    past_and_current(d, (2, 2))
    flood = Recorder(live, "/visitor", auth={"token": d.token})
    acks = [flood.call("history", {"limit": 1}) for _ in range(int(PAGES_BURST) + 20)]
    refused = [a["error"] for a in acks if not a["ok"]]
    assert len(acks) - len(refused) >= PAGES_BURST and refused
    assert all(e["code"] == "rate_limited" and e["message"] for e in refused)
    calm = Recorder(live, "/visitor", auth={"token": d.token})
    assert calm.call("history", {"limit": 1})["ok"]
    time.sleep(2 / PAGES_PER_SECOND)
    assert flood.call("history", {"limit": 1})["ok"]
    for r in (flood, calm):
        r.close()
