"""Summaries over a live /agent socket: the panel's data, saving, and the required-summary close guard."""

from __future__ import annotations

from ..conftest import login
from ..realtime.helpers import Recorder
from .helpers import require_summary, tree


def test_required_summary_refuses_close_until_saved_over_a_live_socket(live, make):
    """With 服务总结 required, the agent's close is refused with a clear message until the summary
    is saved; then the chat ends and the visitor is told."""
    d = make.desk()
    ids = tree(d.company)
    require_summary(d.company)
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": d.token, "lang": "en"})
    try:
        assert widget.call("message", {"text": "你好", "client_id": "m-1"})["ok"]
        conv_id = bench.wait_for("conversation.assigned")["conversation"]["id"]
        panel = bench.call("summary.get", {"conversation_id": conv_id})
        assert panel["ok"] and panel["required"] and panel["summary"] is None
        assert [u["name"] for u in panel["categories"]] == ["售前", "售后"]
        refused = bench.call("close", {"conversation_id": conv_id})
        assert not refused["ok"] and refused["error"]["code"] == "summary_required"
        assert "服务总结" in refused["error"]["message"]
        saved = bench.call("summary.save", {"conversation_id": conv_id, "type_ids": [ids["咨询"]],
                                            "status": "solved", "remark": "<b>x</b>"})
        assert saved["ok"] and saved["created"] and saved["summary"]["remark"] == "<b>x</b>"
        assert bench.call("summary.star", {"conversation_id": conv_id, "starred": True})["starred"]
        assert bench.call("summary.stars", {"conversation_ids": [conv_id, 999999]})["starred"] == [conv_id]
        order = bench.call("order.save", {"conversation_id": conv_id, "number": "SO-9",
                                          "amount": "88.00", "currency": "CNY", "status": "paid"})
        assert order["ok"] and order["order"]["amount"] == "88.00"
        again = bench.call("summary.get", {"conversation_id": conv_id})
        assert again["starred"] and not again["required"] and again["orders"][0]["number"] == "SO-9"
        closed = bench.call("close", {"conversation_id": conv_id})
        assert closed["ok"] and closed["conversation"]["status"] == "closed"
        assert widget.wait_for("conversation.closed")["conversation"]["end_reason"] == "agent_removed"
        bad = bench.call("summary.save", {"conversation_id": conv_id, "type_ids": [1, 2, 3, 4],
                                          "status": "solved"})
        assert not bad["ok"] and bad["error"]["code"] in ("summary_types", "invalid_input")
    finally:
        bench.close()
        widget.close()


def test_a_managers_edit_reaches_the_agent_live(live, make):
    """A manager of the chat's group edits its summary; the agent's workbench hears summary.saved."""
    d = make.desk()
    manager = make.user(d.company, role="manager", groups=[d.group])
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    boss = Recorder(live, "/agent", session=login(live, manager.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    try:
        assert widget.call("message", {"text": "你好", "client_id": "m-1"})["ok"]
        conv_id = bench.wait_for("conversation.assigned")["conversation"]["id"]
        assert bench.call("summary.save", {"conversation_id": conv_id, "status": "unsolved"})["created"]
        edited = boss.call("summary.save", {"conversation_id": conv_id, "status": "following",
                                            "remark": "主管跟进"})
        assert edited["ok"] and not edited["created"]
        heard = bench.wait_for("summary.saved", where=lambda e: e["summary"]["status"] == "following")
        assert heard["summary"]["remark"] == "主管跟进" and heard["summary"]["updated_by_id"] == manager.id
    finally:
        bench.close()
        boss.close()
        widget.close()
