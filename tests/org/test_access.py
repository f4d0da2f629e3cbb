"""Access decisions: roles, data scopes by department and skill group, and company isolation."""

from __future__ import annotations

import pytest

from kefu.conversations.access import access_conversation, access_conversation_reply
from kefu.conversations.actions import check_visitor_message
from kefu.conversations.models import Conversation
from kefu.errors import KefuError, NotFound
from kefu.extensions import db
from kefu.org.access import (
    access_user,
    can_manage_settings,
    department_subtree,
    is_company_admin,
    visible_group_ids,
)
from kefu.org.models import Department
from kefu.settings.actions import do_save
from kefu.visitors.token import verify


def _dep(company, name, parent=None):
    return do_save(None, Department(company_id=company.id, name=name,
                                    parent_id=parent.id if parent else None), created=True)


@pytest.fixture()
def world(make):
    """Two companies; in A a department tree, two groups, and one of each role."""
    a, b = make.company("alpha"), make.company("beta")
    root = _dep(a, "CS")
    pre = _dep(a, "Presales", root)
    post = _dep(a, "Aftersales", root)
    g_pre = make.group(a, "pre", department_id=pre.id)
    g_post = make.group(a, "post", department_id=post.id)
    g_b = make.group(b, "b-group")
    w = {
        "a": a, "b": b, "root": root, "pre": pre, "post": post,
        "g_pre": g_pre, "g_post": g_post, "g_b": g_b,
        "admin": make.user(a, role="admin"),
        "mgr_pre": make.user(a, role="manager", department_id=pre.id),
        "mgr_root": make.user(a, role="manager", department_id=root.id),
        "agent_pre": make.user(a, groups=[g_pre], status="online"),
        "agent_post": make.user(a, groups=[g_post], status="online"),
        "agent_b": make.user(b, groups=[g_b], status="online"),
        "operator": make.user(None),
        "ch_pre": make.channel(a, g_pre), "ch_post": make.channel(a, g_post),
        "ch_b": make.channel(b, g_b),
    }
    return w


def _chat(make, channel, text="hi"):
    _v, token = make.visitor_token(channel)
    msg, _ = check_visitor_message(verify(token), {"text": text})
    return db.session.get(Conversation, msg.conversation_id)


def test_department_subtree_includes_descendants_only(world):
    """A department's scope is itself and everything below it."""
    w = world
    assert department_subtree(w["a"].id, w["root"].id) == {w["root"].id, w["pre"].id, w["post"].id}
    assert department_subtree(w["a"].id, w["pre"].id) == {w["pre"].id}
    assert department_subtree(w["b"].id, w["root"].id) == set()  # another company's id


def test_visible_groups_by_role(world):
    """Admins see all groups, managers their department subtree, agents their own groups."""
    w = world
    assert visible_group_ids(w["admin"]) is None
    assert visible_group_ids(w["mgr_root"]) == {w["g_pre"].id, w["g_post"].id}
    assert visible_group_ids(w["mgr_pre"]) == {w["g_pre"].id}
    assert visible_group_ids(w["agent_pre"]) == {w["g_pre"].id}


def test_settings_management_by_role_and_company(world):
    """Only operators and the company's own owner/admin manage its settings."""
    w = world
    a, b = w["a"].id, w["b"].id
    assert can_manage_settings(w["operator"], a) and can_manage_settings(w["operator"], b)
    assert can_manage_settings(w["admin"], a)
    assert not can_manage_settings(w["admin"], b)
    assert not can_manage_settings(w["mgr_root"], a)
    assert not can_manage_settings(w["agent_pre"], a)
    assert not is_company_admin(w["operator"], a)
    w["admin"].is_active_account = False
    assert not can_manage_settings(w["admin"], a)


def test_conversation_visibility_matrix(world, make):
    """Who sees a live chat: its agent, admins, managers over its group; never another company."""
    w = world
    conv = _chat(make, w["ch_pre"])
    assert conv.agent_id == w["agent_pre"].id
    cid = conv.id
    assert access_conversation(w["agent_pre"], cid).id == cid
    assert access_conversation(w["admin"], cid).id == cid
    assert access_conversation(w["mgr_pre"], cid).id == cid
    assert access_conversation(w["mgr_root"], cid).id == cid
    for outsider in ("agent_post", "agent_b", "operator"):
        with pytest.raises(NotFound):
            access_conversation(w[outsider], cid)
    with pytest.raises(NotFound):
        access_conversation(w["admin"], 999999)


def test_manager_outside_department_cannot_see(world, make):
    """A presales manager does not see aftersales chats."""
    w = world
    conv = _chat(make, w["ch_post"])
    with pytest.raises(NotFound):
        access_conversation(w["mgr_pre"], conv.id)
    assert access_conversation(w["mgr_root"], conv.id).id == conv.id


def test_agents_see_their_groups_queue_but_not_colleagues_chats(world, make):
    """An agent sees queued chats of their group, not chats assigned to a colleague."""
    w = world
    from kefu.org.actions import do_set_status

    do_set_status(w["agent_pre"], "offline")
    colleague = make.user(w["a"], groups=[w["g_pre"]])
    conv = _chat(make, w["ch_pre"])
    assert conv.status == "queued"
    assert access_conversation(colleague, conv.id).id == conv.id
    do_set_status(w["agent_pre"], "online")
    db.session.refresh(conv)
    assert conv.status == "active" and conv.agent_id == w["agent_pre"].id
    with pytest.raises(NotFound):
        access_conversation(colleague, conv.id)


def test_only_the_assigned_agent_replies(world, make):
    """Admins may read a chat but only its agent may reply in it."""
    w = world
    conv = _chat(make, w["ch_pre"])
    assert access_conversation_reply(w["agent_pre"], conv.id).id == conv.id
    with pytest.raises(KefuError) as err:
        access_conversation_reply(w["admin"], conv.id)
    assert err.value.code == "not_assigned"


def test_user_access_never_crosses_companies(world):
    """Users of another company are invisible; only admins edit others."""
    w = world
    assert access_user(w["admin"], w["agent_pre"].id, write=True).id == w["agent_pre"].id
    with pytest.raises(NotFound):
        access_user(w["admin"], w["agent_b"].id)
    with pytest.raises(KefuError):
        access_user(w["agent_pre"], w["agent_post"].id, write=True)
    assert access_user(w["agent_pre"], w["agent_pre"].id, write=True).id == w["agent_pre"].id
    assert access_user(w["operator"], w["agent_b"].id).id == w["agent_b"].id


def test_settings_cannot_point_at_another_company(world):
    """A row of company A that references company B's group is refused and not written."""
    from kefu.channels.models import Channel
    from kefu.extensions import db as sa

    w = world
    before = sa.session.query(Channel).count()
    with pytest.raises(KefuError) as err:
        do_save(None, Channel(company_id=w["a"].id, name="x", kind="web",
                              skill_group_id=w["g_b"].id), created=True)
    assert err.value.code == "cross_company"
    sa.session.rollback()
    assert sa.session.query(Channel).count() == before
