"""The 留言池: tabs, race-safe claims, statuses, assignment, and replies delivered as offline messages."""

from __future__ import annotations

import threading
from typing import Any

import requests
from sqlalchemy import func, select

from kefu.conversations.models import Conversation, Message
from kefu.decisions.actions import do_publish
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.leavemessages.actions import check_submit, do_claim
from kefu.leavemessages.models import LeaveMessage
from kefu.org.models import User
from kefu.visitors.token import verify

from ..conftest import login
from ..realtime.helpers import Recorder
from .helpers import agent_session, offered


def _rule(company_id: int, params: dict[str, Any]) -> None:
    do_publish(company_id, "leave_message", {"rules": [
        {"id": "a", "name": "a", "when": None, "then": [{"action": "assign", "params": params}]}]})


def _session_api(live: str, d: Any) -> Any:
    """What the widget loads on a new page: the session API with the stored token."""
    return requests.post(f"{live}/api/widget/{d.channel.key}/session", json={"token": d.token},
                         timeout=10).json()


def _leave(d: Any, client_id: str = "p-1", token: str | None = None) -> LeaveMessage:
    return check_submit(verify(token or d.token), {"client_id": client_id, "name": "王五",
                                                   "phone": "13800000000", "content": "请回电"})


def _ids(s: requests.Session, live: str, status: str, scope: str) -> list[int]:
    r = s.get(f"{live}/api/workbench/leave-messages", params={"status": status, "scope": scope}, timeout=10)
    assert r.status_code == 200, r.text
    return [lm["id"] for lm in r.json()["leave_messages"]]


def _post(s: requests.Session, live: str, lm_id: int, op: str, **body: Any) -> requests.Response:
    return s.post(f"{live}/api/workbench/leave-messages/{lm_id}/{op}", json=body, timeout=10)


def test_tabs_and_scopes(live, make):
    """Pool, my groups and mine list what each agent may see, per status tab."""
    d = make.desk(status="offline")
    other_group = make.group(d.company, "别组")
    pooled = _leave(d, "a")
    _rule(d.company.id, {"to": "group", "group": d.group.id})
    grouped = _leave(d, "b")
    _rule(d.company.id, {"to": "group", "group": other_group.id})
    foreign_group = _leave(d, "c")
    s = agent_session(live, d.agent.email)
    assert _ids(s, live, "new", "pool") == [pooled.id]
    assert _ids(s, live, "new", "groups") == [grouped.id]
    assert _ids(s, live, "new", "mine") == []
    assert foreign_group.id not in _ids(s, live, "new", "all")
    assert _post(s, live, foreign_group.id, "claim").status_code == 404  # not visible to this agent
    assert _post(s, live, grouped.id, "claim").json()["leave_message"]["status"] == "processing"
    assert _ids(s, live, "processing", "mine") == [grouped.id]
    assert _ids(s, live, "new", "groups") == []
    bad = s.get(f"{live}/api/workbench/leave-messages?status=closed", timeout=10)
    assert bad.status_code == 400


def test_second_claim_is_told_who_won(live, make):
    """When a colleague already claimed it, the second agent gets leave_claimed naming them (409)."""
    d = make.desk(status="offline")
    second = make.user(d.company, groups=[d.group])
    lm = _leave(d)
    first_s = agent_session(live, d.agent.email)
    second_s = agent_session(live, second.email)
    assert _post(first_s, live, lm.id, "claim").status_code == 200
    assert _post(first_s, live, lm.id, "claim").status_code == 200  # again: nothing changes
    lost = _post(second_s, live, lm.id, "claim")
    assert lost.status_code == 409 and lost.json()["error"]["code"] == "leave_claimed"
    assert d.agent.name in lost.json()["error"]["message_zh"]


def test_claim_race_one_wins(app, make):
    """Eight agents claiming the same message at the same moment: exactly one wins, seven are told."""
    d = make.desk(status="offline")
    agents = [d.agent.id] + [make.user(d.company, groups=[d.group]).id for _ in range(7)]
    lm_id = _leave(d).id
    db.session.commit()
    barrier = threading.Barrier(len(agents))
    results: dict[int, str] = {}

    def claim(agent_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, agent_id)
            lm = db.session.get(LeaveMessage, lm_id)
            barrier.wait()
            try:
                do_claim(user, lm)
                results[agent_id] = "won"
            except KefuError as exc:
                results[agent_id] = exc.code
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == ["leave_claimed"] * 7 + ["won"]
    db.session.expire_all()
    winner = next(a for a, r in results.items() if r == "won")
    assert db.session.get(LeaveMessage, lm_id).agent_id == winner


def test_statuses_and_live_updates(live, make):
    """The assignee moves it 处理中 → 已处理 → back; each change reaches their workbench; others may not."""
    d = make.desk(status="offline")
    second = make.user(d.company, groups=[d.group])
    _rule(d.company.id, {"to": "agent", "agent": d.agent.id})
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    ack = widget.call("leave_message.submit", {"client_id": "live-1", "content": "请回电"})
    created = bench.wait_for("leave_message.created")  # auto-assigned: appears for its assignee live
    assert created["leave_message"]["id"] == ack["id"] and created["leave_message"]["agent_id"] == d.agent.id
    s = agent_session(live, d.agent.email)
    for status in ("processing", "done", "new"):
        r = _post(s, live, ack["id"], "status", status=status)
        assert r.json()["leave_message"]["status"] == status
        got = bench.wait_for("leave_message.updated")
        assert got["leave_message"]["status"] == status
    assert _post(s, live, ack["id"], "status", status="archived").status_code == 400
    other = _post(agent_session(live, second.email), live, ack["id"], "status", status="done")
    assert other.status_code == 404  # a colleague's message is not theirs to see
    bench.close()
    widget.close()


def test_admin_assigns_and_agents_cannot(live, make):
    """The owner gives a pooled message to an agent (who hears it), moves it to a group; agents may not."""
    d = make.desk(status="offline")
    other_group = make.group(d.company, "售后")
    lm = _leave(d)
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    owner = agent_session(live, f"owner@{d.company.slug}.test", "owner-pass-123")
    r = _post(owner, live, lm.id, "assign", agent_id=d.agent.id)
    assert r.status_code == 200 and r.json()["leave_message"]["agent_id"] == d.agent.id
    assert bench.wait_for("leave_message.updated")["leave_message"]["agent_id"] == d.agent.id
    moved = _post(owner, live, lm.id, "assign", group_id=other_group.id).json()["leave_message"]
    assert (moved["agent_id"], moved["skill_group_id"]) == (None, other_group.id)
    assert bench.wait_for("leave_message.updated")["leave_message"]["agent_id"] is None  # left them
    foreign = make.desk(status="offline")
    assert _post(owner, live, lm.id, "assign", agent_id=foreign.agent.id).status_code == 400
    agent_s = agent_session(live, d.agent.email)
    mine = _leave(d, "mine")
    _post(agent_s, live, mine.id, "claim")
    assert _post(agent_s, live, mine.id, "assign", group_id=other_group.id).status_code == 403
    bench.close()


def test_reply_reaches_the_visitor_live_and_on_the_next_visit(live, make):
    """The reply, marked offline, reaches the open widget live and a new page load; a resend does nothing."""
    d = make.desk(status="offline")
    conv = offered(d)
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    ack = widget.call("leave_message.submit", {"client_id": "r-1", "name": "王五", "content": "发票开错了",
                                               "conversation_id": conv.id})
    s = agent_session(live, d.agent.email)
    r = _post(s, live, ack["id"], "reply", text="已为您重开发票", client_id="reply-1", status="processing")
    assert r.status_code == 200, r.text
    assert r.json()["leave_message"]["status"] == "processing"  # claimed by replying, kept open
    got = widget.wait_for("message.created")["message"]
    assert got["text"] == "已为您重开发票" and got["sender"] == "agent"
    assert got["payload"]["offline"] is True and got["payload"]["leave_message_id"] == ack["id"]
    assert got["payload"]["quote"] == "发票开错了"
    again = _post(s, live, ack["id"], "reply", text="已为您重开发票", client_id="reply-1", status="done")
    assert again.json()["message_id"] == r.json()["message_id"]
    assert db.session.scalar(select(func.count(Message.id)).where(Message.sender_kind == "agent")) == 1
    widget.close()
    later = _session_api(live, d)
    replies = [m for m in later["messages"] if (m.get("payload") or {}).get("leave_message_id") == ack["id"]]
    assert [m["text"] for m in replies] == ["已为您重开发票"]
    done = _post(s, live, ack["id"], "reply", text="已寄出", client_id="reply-2", status="done")
    assert done.json()["leave_message"]["status"] == "done"
    assert [x["text"] for x in done.json()["leave_message"]["replies"]] == ["已为您重开发票", "已寄出"]


def test_reply_without_a_chat_opens_a_closed_one(live, make):
    """A message left without any chat gets its reply in a new closed conversation the widget shows."""
    d = make.desk(status="offline")
    lm = _leave(d)
    s = agent_session(live, d.agent.email)
    assert _post(s, live, lm.id, "reply", text="您好，已处理", client_id="x-1").status_code == 200
    conv = db.session.scalars(select(Conversation).where(Conversation.visitor_id == d.visitor.id)).one()
    assert conv.status == "closed" and conv.end_reason == "leave_message"
    later = _session_api(live, d)
    assert later["messages"][-1]["text"] == "您好，已处理" and later["messages"][-1]["payload"]["offline"]


def test_reply_refusals(live, make):
    """An empty reply, a colleague's message and a missing client id are refused; nothing is sent."""
    d = make.desk(status="offline")
    second = make.user(d.company, groups=[d.group])
    lm = _leave(d)
    s = agent_session(live, d.agent.email)
    assert _post(s, live, lm.id, "reply", text="", client_id="e").status_code == 400
    assert _post(s, live, lm.id, "reply", text="hi").status_code == 400
    _post(s, live, lm.id, "claim")
    assert _post(agent_session(live, second.email), live, lm.id, "reply", text="hi",
                 client_id="z").status_code == 404
    assert requests.post(f"{live}/api/workbench/leave-messages/{lm.id}/reply", json={"text": "x"},
                         timeout=10).status_code in (400, 401)
    assert db.session.scalar(select(func.count(Message.id)).where(Message.sender_kind == "agent")) == 0


def test_reply_into_a_served_chat_reaches_its_agent(live, make):
    """A reply landing in the visitor's open chat is seen live by the agent serving that chat."""
    from kefu.conversations.actions import check_visitor_message
    from kefu.org.actions import do_set_status

    d = make.desk(status="offline")
    replier = make.user(d.company, groups=[d.group])
    lm = _leave(d)
    do_set_status(d.agent, "online")
    msg, _ = check_visitor_message(verify(d.token), {"text": "我又来了"})
    conv = db.session.get(Conversation, msg.conversation_id)
    assert conv.status == "active" and conv.agent_id == d.agent.id
    before = conv.last_message_at
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    r = _post(agent_session(live, replier.email), live, lm.id, "reply", text="已回电", client_id="o-1")
    assert r.status_code == 200, r.text
    got = bench.wait_for("message.created")["message"]
    assert got["conversation_id"] == conv.id and got["payload"]["leave_message_id"] == lm.id
    db.session.expire_all()
    assert db.session.get(Conversation, conv.id).last_message_at > before
    bench.close()


def test_concurrent_replies_neither_fail_nor_overwrite(app, make):
    """A double-clicked reply is stored once and two agents replying at once both keep their replies."""
    from kefu.leavemessages.actions import do_reply

    d = make.desk(status="offline")
    other = make.user(d.company, groups=[d.group])
    lm_id = _leave(d).id
    db.session.commit()
    calls = [(d.agent.id, "dup")] * 4 + [(d.agent.id, "a-2"), (other.id, "b-1"), (other.id, "b-2")]
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []

    def reply(agent_id: int, client_id: str) -> None:
        with app.app_context():
            user = db.session.get(User, agent_id)
            lm = db.session.get(LeaveMessage, lm_id)
            barrier.wait()
            try:
                results.append((client_id, do_reply(user, lm, "您好", client_id, "processing")[1].id))
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                results.append((client_id, repr(exc)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=reply, args=c) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(isinstance(mid, int) for _, mid in results), results
    assert len({mid for cid, mid in results if cid == "dup"}) == 1
    db.session.expire_all()
    replies = db.session.get(LeaveMessage, lm_id).replies
    assert sorted(r["client_id"] for r in replies) == ["a-2", "b-1", "b-2", "dup"]
    assert db.session.scalar(select(func.count(Message.id)).where(Message.sender_kind == "agent")) == 4
