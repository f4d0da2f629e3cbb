"""Transfers, invitations, silent monitoring and takeover over real Socket.IO connections."""

from __future__ import annotations

from ..conftest import login
from ..realtime.helpers import Recorder
from .helpers import conv, events, open_chat, segments

PASSWORD = "agent-pass-123"


def _bench(live, user):
    return Recorder(live, "/agent", session=login(live, user.email, PASSWORD))


def _start(live, make):
    """A chat agent A serves, with A, colleague B and the visitor connected."""
    d = open_chat(make)
    a, b = _bench(live, d.agent), _bench(live, d.colleague)
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    return d, a, b, widget


def test_transfer_to_colleague_moves_chat_segments_and_history(live, make, run_jobs):
    """A transfers to B with a reason: A loses the chat, B gets it with history, the visitor is told
    and sees B; A's segment ends "transferred", B's opens; the timeline records from, to, reason, actor."""
    d, a, b, widget = _start(live, make)
    targets = a.call("transfer.targets")
    assert targets["ok"]
    row = next(x for x in targets["agents"] if x["id"] == d.colleague.id)
    assert row["status"] == "online" and row["available"] is True and row["active"] == 0
    assert all(x["id"] != d.agent.id for x in targets["agents"])
    assert next(g for g in targets["groups"] if g["id"] == d.group.id)["available"] == 1
    ack = a.call("transfer", {"conversation_id": d.conv_id, "agent_id": d.colleague.id,
                              "reason": "需要售后处理", "client_id": "t-1"})
    assert ack["ok"] and ack["agent_id"] == d.colleague.id and not ack["duplicate"]
    gone = a.wait_for("conversation.transferred")
    assert gone["conversation"]["id"] == d.conv_id and gone["to_agent"]["id"] == d.colleague.id
    got = b.wait_for("conversation.assigned")
    assert [m["text"] for m in got["messages"]] == ["你好"]
    assert b.wait_for("conversation.transferred_in")["reason"] == "需要售后处理"
    widget.wait_for("conversation.transferred")
    assert widget.wait_for("conversation.assigned")["agent"]["name"] == d.colleague.shown_name
    # B now serves the visitor; A may no longer write.
    assert b.call("message", {"conversation_id": d.conv_id, "text": "我来处理", "client_id": "b-1"})["ok"]
    assert widget.wait_for("message.created")["message"]["text"] == "我来处理"
    refused = a.call("message", {"conversation_id": d.conv_id, "text": "还在吗", "client_id": "a-9"})
    assert refused["error"]["code"] in ("not_assigned", "not_found")
    assert conv(d.conv_id).agent_id == d.colleague.id
    assert segments(d.conv_id) == [(d.agent.id, "transferred"), (d.colleague.id, None)]
    (event,) = events(d.conv_id, "transferred")
    assert event.actor_id == d.agent.id
    assert event.data["from_agent_id"] == d.agent.id and event.data["to_agent_id"] == d.colleague.id
    assert event.data["reason"] == "需要售后处理"
    # The same request again (a client retrying after a lost ack) changes nothing.
    again = a.call("transfer", {"conversation_id": d.conv_id, "agent_id": d.colleague.id,
                                "reason": "需要售后处理", "client_id": "t-1"})
    assert again["ok"] and again["duplicate"]
    assert segments(d.conv_id) == [(d.agent.id, "transferred"), (d.colleague.id, None)]
    assert len(events(d.conv_id, "transferred")) == 1
    for client in (a, b, widget):
        client.close()


def test_transfer_to_group_goes_to_its_free_agent(live, make, run_jobs):
    """A transfer to another skill group assigns its online agent with room and moves the chat's group."""
    d, a, b, widget = _start(live, make)
    vip = make.group(d.company, name="VIP")
    c_user = make.user(d.company, groups=[vip], status="online")
    c = _bench(live, c_user)
    ack = a.call("transfer", {"conversation_id": d.conv_id, "group_id": vip.id, "client_id": "t-2"})
    assert ack["ok"] and ack["agent_id"] == c_user.id
    assert c.wait_for("conversation.assigned")["conversation"]["id"] == d.conv_id
    a.wait_for("conversation.transferred")
    stored = conv(d.conv_id)
    assert stored.skill_group_id == vip.id and stored.agent_id == c_user.id
    assert segments(d.conv_id) == [(d.agent.id, "transferred"), (c_user.id, None)]
    (event,) = events(d.conv_id, "transferred")
    assert event.data["from_group_id"] == d.group.id and event.data["to_group_id"] == vip.id
    refused = a.call("transfer", {"conversation_id": d.conv_id, "group_id": vip.id, "client_id": "t-3"})
    assert refused["ok"] is False and refused["error"]["code"] in ("not_assigned", "not_found")
    for client in (a, b, c, widget):
        client.close()


def test_invited_colleague_sees_and_writes_while_owner_keeps_chat(live, make, run_jobs):
    """B invited by A gets the history and live messages and may write; A stays the owner;
    after B leaves, B's messages are refused and A is told who helps."""
    d, a, b, widget = _start(live, make)
    ack = a.call("transfer.invite", {"conversation_id": d.conv_id, "agent_id": d.colleague.id})
    assert ack["ok"] and not ack["duplicate"]
    invited = b.wait_for("conversation.invited")
    assert [m["text"] for m in invited["messages"]] == ["你好"] and invited["by"]["id"] == d.agent.id
    assert a.wait_for("conversation.helpers")["helpers"] == [
        {"id": d.colleague.id, "name": d.colleague.shown_name}]
    widget.call("message", {"text": "订单号 123", "client_id": "v-2"})
    assert b.wait_for("message.created")["message"]["text"] == "订单号 123"
    assert b.call("message", {"conversation_id": d.conv_id, "text": "我查一下", "client_id": "b-1"})["ok"]
    assert a.wait_for("message.created", where=lambda e: e["message"]["sender_id"] == d.colleague.id)
    assert widget.wait_for("message.created", where=lambda e: e["message"]["text"] == "我查一下")
    # A reconnecting helper's workbench gets the chat back.
    synced = b.call("sync", {"after_id": 0})
    assert d.conv_id in [c["id"] for c in synced["conversations"]]
    assert conv(d.conv_id).agent_id == d.agent.id
    assert segments(d.conv_id) == [(d.agent.id, None)]
    assert a.call("transfer.invite", {"conversation_id": d.conv_id, "agent_id": d.colleague.id})["duplicate"]
    assert b.call("transfer.leave", {"conversation_id": d.conv_id})["ok"]
    b.wait_for("conversation.left")
    assert a.wait_for("conversation.helpers", where=lambda e: e["helpers"] == [])
    refused = b.call("message", {"conversation_id": d.conv_id, "text": "再补充", "client_id": "b-2"})
    assert refused["ok"] is False
    assert [e.kind for e in events(d.conv_id, "helper_invited") + events(d.conv_id, "helper_left")] == [
        "helper_invited", "helper_left"]
    assert b.call("transfer.leave", {"conversation_id": d.conv_id})["error"]["code"] == "not_participant"
    for client in (a, b, widget):
        client.close()


def test_manager_watches_silently_then_takes_over(live, make, run_jobs):
    """A manager lists live chats, watches one (history, then messages live; the visitor is told
    nothing), cannot write while watching, then takes it over: the agent is told 已经被管理员抢接,
    the visitor sees the manager, the agent's segment ends "taken_over"; a replay changes nothing."""
    d, a, b, widget = _start(live, make)
    boss_user = make.user(d.company, role="manager", groups=[d.group], max_concurrent=0)
    boss = _bench(live, boss_user)
    listed = boss.call("monitor.live")
    assert [c["id"] for c in listed["conversations"]] == [d.conv_id]
    assert listed["conversations"][0]["agent_id"] == d.agent.id
    watched = boss.call("monitor.watch", {"conversation_id": d.conv_id})
    assert watched["ok"] and [m["text"] for m in watched["messages"]] == ["你好"]
    widget.call("message", {"text": "能快点吗", "client_id": "v-2"})
    assert boss.wait_for("message.created")["message"]["text"] == "能快点吗"
    assert a.call("message", {"conversation_id": d.conv_id, "text": "马上", "client_id": "a-1"})["ok"]
    assert boss.wait_for("message.created", where=lambda e: e["message"]["text"] == "马上")
    silent = boss.call("message", {"conversation_id": d.conv_id, "text": "我是主管", "client_id": "m-0"})
    assert silent["ok"] is False
    ack = boss.call("monitor.takeover", {"conversation_id": d.conv_id, "client_id": "k-1"})
    assert ack["ok"] and ack["agent_id"] == boss_user.id and not ack["duplicate"]
    told = a.wait_for("conversation.taken_over")
    assert told["message_zh"] == "您与该客户的会话已经被管理员抢接" and told["by"]["id"] == boss_user.id
    assert widget.wait_for("conversation.assigned")["agent"]["name"] == boss_user.shown_name
    assert boss.call("message", {"conversation_id": d.conv_id, "text": "我来", "client_id": "m-1"})["ok"]
    assert widget.wait_for("message.created", where=lambda e: e["message"]["text"] == "我来")
    assert segments(d.conv_id) == [(d.agent.id, "taken_over"), (boss_user.id, None)]
    again = boss.call("monitor.takeover", {"conversation_id": d.conv_id, "client_id": "k-1"})
    assert again["ok"] and again["duplicate"]
    assert len(events(d.conv_id, "taken_over")) == 1
    # The visitor never heard of the watching: only the chat's own events reached the widget.
    kinds = {name for name, _ in widget.drain()}
    assert not any(k.startswith("monitor") for k in kinds)
    for client in (a, b, boss, widget):
        client.close()


def test_monitoring_is_for_managers_of_the_chat_only(live, make, run_jobs):
    """An agent cannot list, watch or take over; a manager of another company or another
    department's group is told "not found"."""
    d, a, b, widget = _start(live, make)
    assert b.call("monitor.live")["error"]["code"] == "managers_only"
    assert b.call("monitor.watch", {"conversation_id": d.conv_id})["error"]["code"] == "managers_only"
    assert b.call("monitor.takeover", {"conversation_id": d.conv_id})["error"]["code"] == "managers_only"
    other = make.company()
    stranger = _bench(live, make.user(other, role="admin"))
    assert stranger.call("monitor.live")["conversations"] == []
    assert stranger.call("monitor.watch", {"conversation_id": d.conv_id})["error"]["code"] == "not_found"
    assert stranger.call("monitor.takeover", {"conversation_id": d.conv_id})["error"]["code"] == "not_found"
    assert stranger.call("transfer", {"conversation_id": d.conv_id, "agent_id": d.agent.id}
                         )["error"]["code"] == "not_found"
    from kefu.extensions import db
    from kefu.org.models import Department

    dept = Department(company_id=d.company.id, name="其他部门")
    db.session.add(dept)
    db.session.commit()
    scoped = _bench(live, make.user(d.company, role="manager", department_id=dept.id))
    assert scoped.call("monitor.live")["conversations"] == []
    assert scoped.call("monitor.watch", {"conversation_id": d.conv_id})["error"]["code"] == "not_found"
    assert segments(d.conv_id) == [(d.agent.id, None)]
    for client in (a, b, stranger, scoped, widget):
        client.close()
