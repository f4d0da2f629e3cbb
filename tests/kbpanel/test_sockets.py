"""The kb.* events over real Socket.IO: answers, favourites reaching the agent's other tab, strangers."""

from __future__ import annotations

import time

from kefu.knowledge.actions import do_seed
from kefu.knowledge.evaluate import load_yaml
from kefu.seed import DEFAULT_FILE

from ..conftest import login
from ..realtime.helpers import Recorder
from .helpers import article, entry


def test_panel_events_answer_and_a_favourite_reaches_the_other_tab(live, make):
    """Search, tree, item, favourite and favourites answer over /agent; the agent's second tab hears
    the 收藏; another company's agent gets not_found for the item; bad input is a clear refusal."""
    d = make.desk()
    qa = entry(d.company, "怎么申请退款", "<p>打开我的订单</p>")
    article(d.company, "退款规则", "<p>七天无理由</p>")
    session = login(live, d.agent.email, "agent-pass-123")
    tab1, tab2 = Recorder(live, "/agent", session=session), Recorder(live, "/agent", session=session)
    other = make.desk()
    stranger = Recorder(live, "/agent", session=login(live, other.agent.email, "agent-pass-123"))

    found = tab1.call("kb.search", {"q": "退款"})
    assert found["ok"] and found["results"]["total"] == 2
    assert "<mark>退款</mark>" in found["results"]["hits"][0]["title_html"]
    assert tab1.call("kb.tree")["ok"]
    opened = tab1.call("kb.item", {"kind": "entry", "id": qa.id})
    assert opened["item"]["text"] == "打开我的订单" and opened["item"]["favourite"] is False
    ack = tab1.call("kb.favourite", {"kind": "entry", "id": qa.id, "on": True})
    assert ack == {"ok": True, "kind": "entry", "id": qa.id, "favourite": True}
    assert tab2.wait_for("kb.favourite") == {"type": "kb.favourite", "kind": "entry", "id": qa.id,
                                             "favourite": True}
    assert [f["id"] for f in tab2.call("kb.favourites")["favourites"]] == [qa.id]
    assert not [e for e, _ in tab1.drain() if e == "kb.favourite"]  # its ack said so already

    assert stranger.call("kb.item", {"kind": "entry", "id": qa.id})["error"]["code"] == "not_found"
    assert stranger.call("kb.search", {"q": "退款"})["results"]["total"] == 0
    assert tab1.call("kb.item", {"kind": "entry"})["error"]["code"] == "invalid_input"
    refused = tab1.call("kb.search", {"q": "x" * 10_001})
    assert refused["ok"] is False and refused["error"]["message"]
    assert tab1.call("kb.search", "nonsense")["error"]["code"] == "invalid_input"
    for r in (tab1, tab2, stranger):
        r.close()


def test_latency_on_the_seeded_demo_knowledge(live, make, capsys):
    """Over the socket, panel searches of the shipped demo knowledge answer; the median is printed."""
    d = make.desk()
    do_seed(d.company.id, load_yaml(DEFAULT_FILE.parent / "knowledge.yaml"))
    tab = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    took = []
    for q in ["退款", "发票怎么开", "how do I get a refund", "运费", "修改地址", "会员积分"] * 4:
        started = time.perf_counter()
        res = tab.call("kb.search", {"q": q})
        took.append((time.perf_counter() - started) * 1000)
        assert res["ok"]
    assert tab.call("kb.search", {"q": "退款"})["results"]["total"] >= 1
    took.sort()
    with capsys.disabled():
        print(f"\nkb.search round trip over /agent: p50 {took[len(took) // 2]:.1f} ms, "
              f"max {took[-1]:.1f} ms ({len(took)} searches)")
    tab.close()


def test_searching_in_a_loop_is_slowed_down(live, make):
    """An agent socket searching far faster than anyone types is refused with rate_limited after
    the burst; a moment later its searches are answered again."""
    from kefu.kbpanel.sockets import SEARCHES_BURST, SEARCHES_PER_SECOND

    d = make.desk()
    entry(d.company, "怎么申请退款", "<p>打开我的订单</p>")
    panel = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    codes = [(panel.call("kb.search", {"q": "退款"}).get("error") or {}).get("code")
             for _ in range(int(SEARCHES_BURST) + 20)]
    assert codes.count(None) >= SEARCHES_BURST and "rate_limited" in codes
    time.sleep(2 / SEARCHES_PER_SECOND)
    assert panel.call("kb.search", {"q": "退款"})["ok"]
    panel.close()
