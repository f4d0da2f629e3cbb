"""Ratings over real Socket.IO connections: invite, scheme, submit, live result, sync, refusals."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import update

from kefu.decisions.actions import do_publish
from kefu.decisions.deadlines import sweep_due
from kefu.decisions.models import ConversationDeadline
from kefu.extensions import db
from kefu.timeutil import utcnow

from ..conftest import login
from ..realtime.helpers import Recorder
from .helpers import scheme, settings


def _open_chat(live, d):  # type: ignore[no-untyped-def]
    bench = Recorder(live, "/agent", session=login(live, d.agent.email, "agent-pass-123"))
    widget = Recorder(live, "/visitor", auth={"token": d.token, "lang": "en"})
    assert widget.call("message", {"text": "你好", "client_id": "m-1"})["ok"]
    conv_id = bench.wait_for("conversation.assigned")["conversation"]["id"]
    return bench, widget, conv_id


def test_agent_invites_visitor_rates_agent_sees_it_live(live, make):
    """The workbench's invitation brings the scheme to the widget; the rating reaches the agent live."""
    d = make.desk()
    scheme(d.company, tags={"5": [{"zh": "专业", "en": "Expert"}]}, thanks_text_en="Thanks a lot",
           labels={"5": {"zh": "超赞", "en": "Great"}})
    bench, widget, conv_id = _open_chat(live, d)
    ack = bench.call("rating.invite", {"conversation_id": conv_id})
    assert ack["ok"], ack
    invite = widget.wait_for("rating.invite")
    assert invite["conversation_id"] == conv_id and invite["by"] == "agent"
    five = invite["scheme"]["scores"][-1]
    assert five["score"] == 5 and five["tags"] == [{"value": "专业", "zh": "专业", "en": "Expert"}]
    sent = {"conversation_id": conv_id, "score": 5, "tags": ["专业"], "comment": "great",
            "solved": True, "client_id": "r-1"}
    ack = widget.call("rating.submit", sent)
    assert ack["ok"] and not ack["duplicate"] and ack["thanks"]["en"] == "Thanks a lot"
    live_rating = bench.wait_for("rating.created")["rating"]
    assert live_rating["score"] == 5 and live_rating["tags"] == ["专业"]
    assert live_rating["comment"] == "great" and live_rating["solved"] is True
    assert live_rating["agent_id"] == d.agent.id and live_rating["source"] == "agent"
    assert live_rating["label"] == {"zh": "超赞", "en": "Great"}  # the scheme's own label
    # A replay (the widget resending after a reconnect) answers with the stored rating.
    again = widget.call("rating.submit", {**sent, "score": 1})
    assert again["ok"] and again["duplicate"] and again["rating"]["id"] == live_rating["id"]
    sync = bench.call("sync", {"after_id": 0})
    assert [r["id"] for r in sync["ratings"]] == [live_rating["id"]]
    # The invite button now says why not.
    refused = bench.call("rating.invite", {"conversation_id": conv_id})
    assert refused["error"]["code"] == "already_rated"
    widget.close()
    bench.close()


def test_hidden_ratings_never_reach_the_agent(live, make):
    """With agents_see_ratings off, no rating.created and no ratings in the sync."""
    d = make.desk()
    settings(d.company, agents_see_ratings=False)
    bench, widget, conv_id = _open_chat(live, d)
    ack = widget.call("rating.submit", {"conversation_id": conv_id, "score": 1, "client_id": "r"})
    assert ack["ok"]
    time.sleep(0.5)
    assert [e for e, _ in bench.drain() if e.startswith("rating")] == []
    assert bench.call("sync", {"after_id": 0})["ratings"] == []
    widget.close()
    bench.close()


def test_closing_invites_and_the_visitor_rates_the_ended_chat(live, make):
    """The agent ending the chat sends the invitation after "closed"; the visitor can still rate."""
    d = make.desk()
    bench, widget, conv_id = _open_chat(live, d)
    assert bench.call("close", {"conversation_id": conv_id})["ok"]
    names = []
    deadline = time.monotonic() + 5
    while "rating.invite" not in names and time.monotonic() < deadline:
        names += [e for e, _ in widget.drain()]
        time.sleep(0.05)
    assert names.index("conversation.closed") < names.index("rating.invite")
    ack = widget.call("rating.submit", {"conversation_id": conv_id, "score": 3, "client_id": "c"})
    assert ack["ok"] and ack["rating"]["source"] == "close"
    assert bench.wait_for("rating.created")["rating"]["conversation_id"] == conv_id
    widget.close()
    bench.close()


def test_session_rule_invitation_then_scheme(live, make):
    """A session rule's invitation arrives; the widget asks for the scheme and may rate."""
    d = make.desk()
    do_publish(d.company.id, "session", {"rules": [
        {"id": "rate", "name": "rate", "when": {"all": [
            {"field": "last_speaker", "op": "eq", "value": "visitor"}]},
         "then": [{"action": "invite_rating", "params": {"after": 30}}]}]})
    bench, widget, conv_id = _open_chat(live, d)
    db.session.execute(update(ConversationDeadline).where(
        ConversationDeadline.conversation_id == conv_id).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert sweep_due() == 1
    assert widget.wait_for("rating.invite")["conversation_id"] == conv_id
    ask = widget.call("rating.scheme", {"conversation_id": conv_id})
    assert ask["ok"] and ask["can_rate"] and ask["scheme"]["scale"] == "stars5"
    ack = widget.call("rating.submit", {"conversation_id": conv_id, "score": 4})
    assert ack["ok"] and ack["rating"]["source"] == "rule"
    ask = widget.call("rating.scheme", {"conversation_id": conv_id})
    assert not ask["can_rate"] and ask["reason"]["code"] == "already_rated"
    assert ask["reason"]["message"] == "This conversation has already been rated"  # lang=en
    widget.close()
    bench.close()


def test_socket_refusals_are_clear(live, make):
    """Bad ratings over the socket come back as errors naming the field, in the socket's language."""
    d = make.desk()
    bench, widget, conv_id = _open_chat(live, d)
    bad = widget.call("rating.submit", {"conversation_id": conv_id, "score": 9})
    assert bad["error"]["code"] == "rating_score" and "score" in bad["error"]["fields"]
    assert bad["error"]["message"] == "The score must be between 1 and 5"
    assert bad["error"]["message_zh"] == "评分必须在 1–5 之间"
    stranger = make.desk()
    other = Recorder(live, "/visitor", auth={"token": stranger.token})
    assert other.call("rating.submit", {"conversation_id": conv_id, "score": 5})["error"]["code"] \
        == "not_found"
    assert other.call("rating.scheme", {"conversation_id": conv_id})["error"]["code"] == "not_found"
    assert bench.call("rating.invite", {"conversation_id": 999999})["error"]["code"] == "not_found"
    other.close()
    widget.close()
    bench.close()


def test_two_tabs_rating_at_once_store_one(live, make):
    """Two tabs of the visitor submit different ratings at the same moment: one is stored, the
    other is told the chat is already rated."""
    import threading

    from sqlalchemy import func, select

    from kefu.ratings.models import Rating

    d = make.desk()
    bench, widget, conv_id = _open_chat(live, d)
    other_tab = Recorder(live, "/visitor", auth={"token": d.token})
    answers: list[dict] = []
    start = threading.Barrier(2)

    def rate(tab: Recorder, score: int) -> None:
        start.wait()
        answers.append(tab.call("rating.submit", {"conversation_id": conv_id, "score": score,
                                                  "client_id": f"tab-{score}"}))

    threads = [threading.Thread(target=rate, args=(tab, n)) for tab, n in ((widget, 5), (other_tab, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert sorted(bool(a["ok"]) for a in answers) == [False, True]
    assert [a["error"]["code"] for a in answers if not a["ok"]] == ["already_rated"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Rating.id)).where(Rating.conversation_id == conv_id)) == 1
    other_tab.close()
    widget.close()
    bench.close()
