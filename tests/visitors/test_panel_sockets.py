"""Visitor panel over real Socket.IO: edits reach the agent's other tabs; the widget's page reports."""

from __future__ import annotations

from ..conftest import login
from ..realtime.helpers import Recorder


def test_profile_edit_reaches_other_tabs_and_strangers_get_nothing(live, make):
    """An edit from one workbench tab shows in the agent's other tab; another company's agent cannot
    read the panel (not_found) and receives no event."""
    d = make.desk()
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    session = login(live, d.agent.email, "agent-pass-123")
    tab1 = Recorder(live, "/agent", session=session)
    tab2 = Recorder(live, "/agent", session=session)
    other = make.desk()
    stranger = Recorder(live, "/agent", session=login(live, other.agent.email, "agent-pass-123"))
    conv_id = widget.call("message", {"text": "你好", "client_id": "c1"})["message"]["conversation_id"]
    tab1.wait_for("conversation.assigned")
    panel = tab1.call("visitor.panel", {"conversation_id": conv_id})
    assert panel["ok"] and panel["profile"]["id"] == d.visitor.id and panel["visit"]["channel"]
    ack = tab1.call("visitor.update", {"conversation_id": conv_id, "name": "王五", "vip_level": 2})
    assert ack["ok"] and ack["profile"]["name"] == "王五"
    event = tab2.wait_for("visitor.updated")
    assert event["visitor_id"] == d.visitor.id and event["profile"]["vip_level"] == 2
    assert stranger.call("visitor.panel", {"conversation_id": conv_id})["error"]["code"] == "not_found"
    refused = stranger.call("visitor.update", {"conversation_id": conv_id, "name": "x"})
    assert refused["error"]["code"] == "not_found"
    bad = tab1.call("visitor.update", {"conversation_id": conv_id, "email": "nope"})
    assert bad["ok"] is False and bad["error"]["code"] == "visitor_email_invalid"
    assert not [e for e, _ in stranger.drain() if e.startswith("visitor.")]
    for r in (widget, tab1, tab2, stranger):
        r.close()


def test_widget_page_reports_reach_the_agent_and_are_rate_limited(live, make):
    """Pages the widget reports show in the agent's panel live; a flood of reports is refused."""
    d = make.desk()
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    widget.call("message", {"text": "hi", "client_id": "c1"})
    bench.wait_for("conversation.assigned")
    ack = widget.call("page_view", {"views": [{"url": "https://shop.test/cart", "title": "购物车"}]})
    assert ack == {"ok": True, "added": 1}
    trail = bench.wait_for("visitor.trail")["trail"]
    assert trail[0]["url"] == "https://shop.test/cart" and trail[0]["title"] == "购物车"
    assert widget.call("page_view", {"views": "x"})["error"]["code"] == "invalid_input"
    codes = [widget.call("page_view", {"views": [{"url": f"https://shop.test/p{i}"}]}).get("error", {})
             .get("code") for i in range(15)]
    assert "rate_limited" in codes
    widget.close()
    bench.close()
