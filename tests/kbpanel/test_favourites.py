"""Favourites (收藏) are per agent, idempotent, limited to what the agent may see."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kefu.errors import KefuError
from kefu.extensions import db
from kefu.kbpanel.actions import check_set_favourite
from kefu.kbpanel.models import KnowledgeFavourite
from kefu.kbpanel.queries import favourites, item
from kefu.knowledge.actions import check_delete, check_set_status

from .helpers import library


def listed(user):
    """(kind, id) of the agent's favourites, newest first."""
    return [(f["kind"], f["id"]) for f in favourites(user)["favourites"]]


def test_favourites_belong_to_one_agent_and_toggle_idempotently(make):
    """One agent's 收藏 is not another's; marking twice keeps one row; unmarking removes it."""
    lib = library(make)
    colleague = make.user(lib.company, groups=[lib.g1])
    assert check_set_favourite(lib.agent, {"kind": "entry", "id": lib.qa.id, "on": True})["favourite"]
    check_set_favourite(lib.agent, {"kind": "entry", "id": lib.qa.id, "on": True})
    check_set_favourite(lib.agent, {"kind": "article", "id": lib.g1_article.id, "on": True})
    assert listed(lib.agent) == [("article", lib.g1_article.id), ("entry", lib.qa.id)]
    assert listed(colleague) == []
    assert item(lib.agent, "entry", lib.qa.id)["item"]["favourite"] is True
    assert item(colleague, "entry", lib.qa.id)["item"]["favourite"] is False
    assert db.session.scalar(select(func.count()).select_from(KnowledgeFavourite)) == 2
    off = check_set_favourite(lib.agent, {"kind": "entry", "id": lib.qa.id, "on": False})
    assert off["favourite"] is False
    check_set_favourite(lib.agent, {"kind": "entry", "id": lib.qa.id, "on": False})
    assert listed(lib.agent) == [("article", lib.g1_article.id)]


def test_only_visible_items_can_be_marked_and_hidden_ones_leave_the_list(make):
    """Another group's article, a draft or another company's entry cannot be marked; an item
    unpublished after marking leaves the list and comes back when republished; deleting it
    deletes the favourite."""
    lib = library(make)
    for kind, obj in [("article", lib.g2_article), ("entry", lib.draft), ("entry", lib.foreign)]:
        with pytest.raises(KefuError) as err:
            check_set_favourite(lib.agent, {"kind": kind, "id": obj.id, "on": True})
        assert err.value.code == "not_found"
    check_set_favourite(lib.agent, {"kind": "entry", "id": lib.qa.id, "on": True})
    check_set_status(None, lib.company.id, "entry", lib.qa.id, "draft")
    assert listed(lib.agent) == []
    check_set_status(None, lib.company.id, "entry", lib.qa.id, "published")
    assert listed(lib.agent) == [("entry", lib.qa.id)]
    check_delete(None, lib.company.id, "entry", lib.qa.id)
    assert db.session.scalar(select(func.count()).select_from(KnowledgeFavourite)) == 0


def test_bad_favourite_input_is_refused(make):
    """A missing flag, a string id or an unknown kind is invalid input."""
    lib = library(make)
    for bad in [{"kind": "entry", "id": lib.qa.id}, {"kind": "entry", "id": str(lib.qa.id), "on": True},
                {"kind": "faq", "id": lib.qa.id, "on": True}, None]:
        with pytest.raises(KefuError) as err:
            check_set_favourite(lib.agent, bad)
        assert err.value.code == "invalid_input"
