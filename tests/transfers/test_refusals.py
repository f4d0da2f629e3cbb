"""Every refused transfer says why and changes nothing."""

from __future__ import annotations

import pytest

from kefu.conversations.actions import do_close, do_visitor_message
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.org.actions import do_set_status
from kefu.transfers.actions import check_transfer
from kefu.visitors.token import verify

from .helpers import conv, events, open_chat, segments


def _refused(user, data, code):
    with pytest.raises(KefuError) as err:
        check_transfer(user, data)
    assert err.value.code == code
    return err.value


def _unchanged(d):
    c = conv(d.conv_id)
    assert c.agent_id == d.agent.id and c.status == "active"
    assert segments(d.conv_id) == [(d.agent.id, None)]
    assert events(d.conv_id, "transferred") == []


def test_transfer_to_offline_or_busy_agent_is_refused(make):
    """An offline or busy colleague is refused with the reason, in zh and en."""
    d = open_chat(make)
    do_set_status(d.colleague, "offline")
    err = _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id},
                   "transfer_agent_offline")
    assert "不在线" in err.to_dict("zh")["error"]["message"]
    assert "offline" in err.to_dict("en")["error"]["message"]
    do_set_status(d.colleague, "busy")
    _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id}, "transfer_agent_busy")
    _unchanged(d)


def test_transfer_to_saturated_agent_is_refused(make):
    """A colleague at max_concurrent cannot be given one more chat."""
    d = open_chat(make)
    d.colleague.max_concurrent = 0
    db.session.commit()
    _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id}, "transfer_agent_saturated")
    _unchanged(d)


def test_transfer_to_agent_at_capacity_with_a_live_chat_is_refused(make):
    """A colleague with capacity 1 who already serves a chat is refused as saturated."""
    d = open_chat(make)
    d.colleague.max_concurrent = 1
    db.session.commit()
    _, token = make.visitor_token(d.channel)
    msg, _ = do_visitor_message(verify(token), "另一位客户", "v-2")
    assert conv(msg.conversation_id).agent_id == d.colleague.id  # 0/1 beats 1/5
    _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id}, "transfer_agent_saturated")
    _unchanged(d)
    assert conv(msg.conversation_id).agent_id == d.colleague.id


def test_transfer_to_full_group_is_refused(make):
    """A group with nobody online with room (only the sender, or everyone saturated) is refused."""
    d = open_chat(make)
    empty = make.group(d.company)
    _refused(d.agent, {"conversation_id": d.conv_id, "group_id": empty.id}, "transfer_group_full")
    do_set_status(d.colleague, "offline")  # the own group now has only the sender
    _refused(d.agent, {"conversation_id": d.conv_id, "group_id": d.group.id}, "transfer_group_full")
    _unchanged(d)


def test_transfer_to_self_closed_or_foreign_chat_is_refused(make):
    """The same agent, a chat of someone else, and a closed chat are each refused."""
    d = open_chat(make)
    _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.agent.id}, "transfer_same_agent")
    _refused(d.colleague, {"conversation_id": d.conv_id, "agent_id": d.colleague.id}, "not_assigned")
    _unchanged(d)
    do_close(conv(d.conv_id), "agent_removed", actor_id=d.agent.id)
    _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id}, "conversation_closed")


def test_transfer_across_companies_is_refused(make):
    """An agent or group of another company is "not found"; another company's chat too."""
    d = open_chat(make)
    other = make.company()
    stranger_group = make.group(other)
    stranger = make.user(other, groups=[stranger_group], status="online")
    _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": stranger.id}, "transfer_target_unknown")
    _refused(d.agent, {"conversation_id": d.conv_id, "group_id": stranger_group.id},
             "transfer_target_unknown")
    _refused(stranger, {"conversation_id": d.conv_id, "agent_id": stranger.id}, "not_found")
    _unchanged(d)


def test_non_transferable_chat_is_refused(make):
    """A chat the routing rules tied to its designated agent (transferable: false) stays put."""
    d = open_chat(make)
    c = conv(d.conv_id)
    c.routing = {"strategy": "designated", "agent": d.agent.id, "transferable": False}
    db.session.commit()
    _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id}, "not_transferable")
    _refused(d.agent, {"conversation_id": d.conv_id, "group_id": d.group.id}, "not_transferable")
    _unchanged(d)


def test_bad_transfer_input_is_refused(make):
    """No target, two targets, a reason over 200 characters, or a non-integer id say which field."""
    d = open_chat(make)
    _refused(d.agent, {"conversation_id": d.conv_id}, "transfer_target_required")
    _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id, "group_id": d.group.id},
             "transfer_target_required")
    err = _refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id, "reason": "x" * 201},
                   "transfer_reason_too_long")
    assert "reason" in err.fields
    err = _refused(d.agent, {"conversation_id": "1", "agent_id": d.colleague.id}, "invalid_input")
    assert "conversation_id" in err.fields
    _unchanged(d)


def test_manager_may_transfer_a_chat_they_see(make):
    """A manager of the chat's group may transfer an agent's chat (recorded as by a manager);
    a manager of another department may not."""
    from kefu.org.models import Department

    d = open_chat(make)
    boss = make.user(d.company, role="manager", groups=[d.group])
    dept = Department(company_id=d.company.id, name="别的部门")
    db.session.add(dept)
    db.session.commit()
    outsider = make.user(d.company, role="manager", department_id=dept.id)
    _refused(outsider, {"conversation_id": d.conv_id, "agent_id": d.colleague.id}, "not_assigned")
    _unchanged(d)
    done = check_transfer(boss, {"conversation_id": d.conv_id, "agent_id": d.colleague.id, "reason": "调配"})
    assert done.agent_id == d.colleague.id
    (event,) = events(d.conv_id, "transferred")
    assert event.actor_id == boss.id and event.data["by"] == "manager"
    assert segments(d.conv_id) == [(d.agent.id, "transferred"), (d.colleague.id, None)]


def test_invitation_refusals(make):
    """Inviting the chat's own agent, an offline colleague, another company's agent, or into a
    closed chat is refused with the reason; nobody joins."""
    from kefu.transfers.actions import check_invite

    d = open_chat(make)

    def refused(user, data, code):
        with pytest.raises(KefuError) as err:
            check_invite(user, data)
        assert err.value.code == code

    refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.agent.id}, "invite_self")
    do_set_status(d.colleague, "offline")
    refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id}, "invite_agent_offline")
    stranger = make.user(make.company(), status="online")
    refused(d.agent, {"conversation_id": d.conv_id, "agent_id": stranger.id}, "transfer_target_unknown")
    refused(stranger, {"conversation_id": d.conv_id, "agent_id": stranger.id}, "not_found")
    assert conv(d.conv_id).participant_ids == []
    do_close(conv(d.conv_id), "agent_removed", actor_id=d.agent.id)
    refused(d.agent, {"conversation_id": d.conv_id, "agent_id": d.colleague.id}, "conversation_closed")
