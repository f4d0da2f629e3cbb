"""Submitting a rating: validated against the scheme, once per chat, replay-safe, attributed right."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from kefu.conversations.actions import check_visitor_message
from kefu.conversations.models import Conversation, ConversationEvent
from kefu.conversations.transfer import after_requeue, requeue_to_group
from kefu.dblock import locked
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.ratings.invitations import check_invite
from kefu.ratings.models import Rating
from kefu.ratings.queries import visible_ratings
from kefu.timeutil import utcnow
from kefu.visitors.token import verify

from .helpers import closed, scheme, served, settings, submit


def _refused(code: str, func, *args, **kwargs) -> KefuError:  # type: ignore[no-untyped-def]
    with pytest.raises(KefuError) as exc:
        func(*args, **kwargs)
    assert exc.value.code == code, exc.value.to_dict("en")
    return exc.value


def _ratings(conv_id: int) -> list[Rating]:
    db.session.expire_all()
    return list(db.session.scalars(select(Rating).where(Rating.conversation_id == conv_id)))


def test_visitor_rates_a_served_chat(make):
    """A rating with a tag, a comment and "resolved" is stored and attributed to the agent."""
    d = make.desk()
    conv = served(d)
    rating, _scheme, created = submit(d, conv, score=5, tags=["态度好"], comment=" 很好 ",
                                      solved=True, client_id="r-1")
    assert created
    row = _ratings(conv.id)[0]
    assert (row.score, row.tags, row.comment, row.solved) == (5, ["态度好"], "很好", 1)
    assert row.agent_id == d.agent.id and row.agent_ids == [d.agent.id]
    assert row.skill_group_id == d.group.id and row.source == "visitor"
    assert rating.id == row.id


def test_second_rating_is_refused_unless_the_scheme_allows_repeats(make):
    """At most one rating per chat; a scheme with repeats (多次评价) takes more."""
    d = make.desk()
    conv = served(d)
    submit(d, conv, score=4)
    err = _refused("already_rated", submit, d, conv, score=1)
    assert err.to_dict("zh")["error"]["message"] == "该会话已评价过"
    assert len(_ratings(conv.id)) == 1
    scheme(d.company, allow_repeat=True)
    submit(d, conv, score=2)
    assert [r.score for r in _ratings(conv.id)] == [4, 2]


def test_replay_with_the_same_client_id_changes_nothing(make):
    """A resent submission answers with the stored rating, even when its content differs."""
    d = make.desk()
    conv = served(d)
    first, _, created = submit(d, conv, score=3, client_id="same")
    again, _, created_again = submit(d, conv, score=1, comment="x", client_id="same")
    assert created and not created_again
    assert again.id == first.id and again.score == 3
    assert len(_ratings(conv.id)) == 1


def test_foreign_conversation_is_refused(make):
    """Another visitor cannot rate this visitor's chat: it is "not found" to them."""
    d = make.desk()
    conv = served(d)
    _other, token = make.visitor_token(d.channel)
    other = SimpleNamespace(token=token)
    _refused("not_found", submit, other, conv, score=1)
    other_company = make.desk()
    _refused("not_found", submit, other_company, conv, score=1)
    assert _ratings(conv.id) == []


@pytest.mark.parametrize(("data", "code", "field"), [
    ({"score": 6}, "rating_score", "score"),
    ({"score": 0}, "rating_score", "score"),
    ({"score": "5"}, "invalid_input", "score"),
    ({"score": 5, "tags": ["态度差"]}, "rating_tag", "tags"),  # a 1-star tag on 5 stars
    ({"score": 5, "tags": ["乱写"]}, "rating_tag", "tags"),
    ({"score": 5, "comment": "长" * 501}, "rating_comment_too_long", "comment"),
    ({"score": 5, "solved": "yes"}, "invalid_input", "solved"),
    ({"score": 5, "tags": "态度好"}, "invalid_input", "tags"),
])
def test_rating_outside_the_scheme_is_refused_naming_the_field(make, data, code, field):
    """Scores outside the scale, tags not offered for the score, bad types: refused, nothing stored."""
    d = make.desk()
    conv = served(d)
    err = _refused(code, submit, d, conv, **data)
    assert field in err.fields
    assert _ratings(conv.id) == []


def test_scheme_requirements(make):
    """Required tags and comment are enforced; a hidden comment is not taken; 0–10 scores work."""
    d = make.desk()
    conv = served(d)
    scheme(d.company, scale="score10", tags={"0": [{"zh": "差", "en": "Bad"}]},
           tags_required=True, comment_mode="required")
    err = _refused("rating_tags_required", submit, d, conv, score=0, comment="x")
    assert "请至少选择一个标签" in err.to_dict("zh")["error"]["message"]
    _refused("rating_comment_required", submit, d, conv, score=0, tags=["差"])
    _refused("rating_score", submit, d, conv, score=11, comment="x")
    rating, _, _ = submit(d, conv, score=10, comment="ok")  # 10 has no tags: none required
    assert rating.scale == "score10" and rating.score == 10


def test_hidden_comment_and_unasked_solved(make):
    """A scheme that hides the comment refuses one; "resolved?" not asked is stored as unanswered."""
    d = make.desk()
    conv = served(d)
    scheme(d.company, comment_mode="hidden", ask_solved=False)
    _refused("rating_comment_hidden", submit, d, conv, score=4, comment="hi")
    rating, _, _ = submit(d, conv, score=4, solved=False)
    assert rating.solved == -1


def test_chat_nobody_served_cannot_be_rated(make):
    """A chat still waiting in the queue has no agent to rate."""
    d = make.desk(status="offline")
    msg, _ = check_visitor_message(verify(d.token), {"text": "有人吗"})
    conv = db.session.get(Conversation, msg.conversation_id)
    _refused("rating_no_agent", submit, d, conv, score=5)


def test_rating_allowed_shortly_after_close_not_long_after(make):
    """The on-close invitation can be answered after the chat ended, but not half an hour later."""
    d = make.desk()
    conv = closed(d)
    submit(d, conv, score=5, client_id="late-ok")
    conv2 = closed(d)
    db.session.execute(update(Conversation).where(Conversation.id == conv2.id)
                       .values(closed_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    err = _refused("rating_expired", submit, d, conv2, score=5)
    assert "30" in err.to_dict("en")["error"]["message"]


def test_attribution_after_a_transfer_keeps_the_chain(make):
    """A chat moved to another group is credited to the agent who ended up holding it, both kept."""
    company = make.company()
    g1, g2 = make.group(company), make.group(company)
    first = make.user(company, groups=[g1], status="online")
    second = make.user(company, groups=[g2], status="online")
    channel = make.channel(company, g1)
    _visitor, token = make.visitor_token(channel)
    d = SimpleNamespace(token=token, agent=first, company=company)
    conv = served(d)
    with locked(Conversation, [conv.id]):
        db.session.refresh(conv)
        assert requeue_to_group(conv, g2.id, actor_id=first.id, by="agent")
        db.session.commit()
    assert after_requeue(conv.id) == second.id
    rating, _, _ = submit(d, conv, score=2, tags=["回复慢"])
    assert rating.agent_id == second.id
    assert rating.agent_ids == [first.id, second.id]
    assert rating.skill_group_id == g2.id
    # The first agent does not see it as theirs; the second does.
    assert visible_ratings(first.id, company.id, [conv.id]) == []
    assert [r.id for r in visible_ratings(second.id, company.id, [conv.id])] == [rating.id]


def test_visibility_setting_hides_ratings_from_agents(make):
    """With agents_see_ratings off, the agent's sync never carries the rating."""
    d = make.desk()
    conv = served(d)
    submit(d, conv, score=1)
    assert len(visible_ratings(d.agent.id, d.company.id, [conv.id])) == 1
    settings(d.company, agents_see_ratings=False)
    assert visible_ratings(d.agent.id, d.company.id, [conv.id]) == []


def _invited(conv_id: int) -> list[ConversationEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(ConversationEvent).where(
        ConversationEvent.conversation_id == conv_id, ConversationEvent.kind == "rating_invited")))


def test_agent_invitation_refusals(make):
    """An agent may invite only in their own chat, not twice within seconds, not once it is rated."""
    d = make.desk()
    conv = served(d)
    colleague = make.user(d.company, groups=[d.group], status="online")
    _refused("not_found", check_invite, colleague, {"conversation_id": conv.id})
    _refused("invalid_input", check_invite, d.agent, {"conversation_id": "x"})
    check_invite(d.agent, {"conversation_id": conv.id})
    assert len(_invited(conv.id)) == 1
    _refused("rating_invite_too_soon", check_invite, d.agent, {"conversation_id": conv.id})
    rating, _, _ = submit(d, conv, score=5)
    assert rating.source == "agent"
    _refused("already_rated", check_invite, d.agent, {"conversation_id": conv.id})


def test_invitation_after_close_only_for_a_while(make):
    """An agent can still invite just after ending a chat, not ten minutes later."""
    d = make.desk()
    settings(d.company, rating_on_close=False)
    conv = closed(d)
    assert _invited(conv.id) == []  # on-close invitations are off
    check_invite(d.agent, {"conversation_id": conv.id})
    db.session.execute(update(Conversation).where(Conversation.id == conv.id)
                       .values(closed_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    _refused("rating_invite_expired", check_invite, d.agent, {"conversation_id": conv.id})


def test_close_by_the_agent_invites_when_the_setting_says_so(make):
    """rating_on_close (default on): the agent ending the chat records an on-close invitation."""
    d = make.desk()
    conv = closed(d)
    assert [e.data["by"] for e in _invited(conv.id)] == ["close"]
    rating, _, _ = submit(d, conv, score=4)
    assert rating.source == "close"
