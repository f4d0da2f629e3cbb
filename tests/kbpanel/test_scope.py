"""The panel shows an agent only their company's published, valid knowledge for their groups."""

from __future__ import annotations

import pytest

from kefu.errors import KefuError
from kefu.kbpanel.actions import check_search
from kefu.kbpanel.queries import item, tree

from .helpers import library


def found(user, q, **extra):
    """(kind, id) of every result of a panel search."""
    hits = check_search(user, {"q": q, "per_page": 20, **extra})["results"]["hits"]
    return {("article", h["article_id"]) if h["article_id"] else ("entry", h["entry_id"]) for h in hits}


def test_search_is_scoped_by_company_group_role_status_and_validity(make):
    """An agent finds open items and their group's article; a manager and an admin also the other
    group's; nobody finds drafts, expired entries or another company's knowledge."""
    lib = library(make)
    base = {("entry", lib.qa.id), ("article", lib.open_article.id)}
    assert found(lib.agent, "退款") == base | {("article", lib.g1_article.id)}
    assert found(lib.other_agent, "退款") == base | {("article", lib.g2_article.id)}
    everything = base | {("article", lib.g1_article.id), ("article", lib.g2_article.id)}
    assert found(lib.manager, "退款") == everything
    assert found(lib.admin, "退款") == everything


def test_results_are_highlighted_and_escaped(make):
    """Matches come wrapped in <mark>; markup typed into a question comes back as text."""
    lib = library(make)
    from .helpers import entry

    entry(lib.company, "退款<script>alert(1)</script>", "<p>x</p>")
    hits = check_search(lib.agent, {"q": "退款", "per_page": 20})["results"]["hits"]
    assert any("<mark>退款</mark>" in h["title_html"] for h in hits)
    assert not any("<script>" in h["title_html"] for h in hits)
    assert any("&lt;script&gt;" in h["title_html"] for h in hits)


def test_opening_follows_the_same_scope(make):
    """Items outside the agent's scope answer not_found, the same as ids that do not exist."""
    lib = library(make)
    assert item(lib.agent, "entry", lib.qa.id)["item"]["title"] == "怎么申请退款"
    assert item(lib.agent, "article", lib.g1_article.id)["item"]["title"] == "退款复核流程"
    for kind, obj in [("article", lib.g2_article), ("entry", lib.draft), ("entry", lib.expired),
                      ("entry", lib.foreign)]:
        with pytest.raises(KefuError) as err:
            item(lib.agent, kind, obj.id)
        assert err.value.code == "not_found"
    assert item(lib.manager, "article", lib.g2_article.id)["item"]["id"] == lib.g2_article.id
    with pytest.raises(KefuError):
        item(lib.admin, "entry", lib.draft.id)  # drafts stay in the console, even for admins
    with pytest.raises(KefuError):
        item(lib.agent, "entry", 999_999)


def test_item_carries_plain_text_path_similar_and_visible_related(make):
    """An entry opens with its sanitised answer, its plain text, category path, similar questions
    and the related entries the agent may see (a draft among them is left out)."""
    lib = library(make)
    from .helpers import entry

    main = entry(lib.company, "退款多久到账", "<p>1-3 个工作日</p>",
                 related_ids=[lib.draft.id, lib.loose.id, lib.qa.id])
    it = item(lib.agent, "entry", main.id)["item"]
    assert it["text"] == "1-3 个工作日"
    assert [r["id"] for r in it["related"]] == [lib.loose.id, lib.qa.id]
    qa = item(lib.agent, "entry", lib.qa.id)["item"]
    assert qa["text"] == "打开我的订单，点击申请退款" and "<b>我的订单</b>" in qa["body_html"]
    assert [c["name"] for c in qa["category"]] == ["售后", "退款"]
    assert qa["similar"] == ["我要退款"]
    assert qa["related"] and ("entry", lib.qa.id) not in {(r["kind"], r["id"]) for r in qa["related"]}


def test_a_script_stored_in_a_body_is_removed_on_the_way_out(make):
    """A body written straight into the database with <script> and on* attributes is served clean."""
    from kefu.extensions import db

    lib = library(make)
    lib.open_article.body = ('<p onclick="x()">退款须知</p><script>alert(1)</script>'
                             '<img src=x onerror=alert(2)>')
    db.session.commit()
    body = item(lib.agent, "article", lib.open_article.id)["item"]["body_html"]
    assert "退款须知" in body and "<script" not in body and "onerror" not in body and "onclick" not in body


def test_tree_counts_what_the_agent_may_see_and_browsing_lists_a_branch(make):
    """Category counts include subcategories and only visible items; browsing 售后 lists its
    subcategory's items too; uncategorised items have their own listing."""
    lib = library(make)
    t = tree(lib.agent)
    after_sales = t["tree"][0]
    assert after_sales["name"] == "售后" and after_sales["children"][0]["name"] == "退款"
    assert after_sales["children"][0]["count"] == 2  # qa + g1 article; not g2, not the draft
    assert after_sales["count"] == 3
    assert t["uncategorised"] == 1  # 发票; the expired one is not counted
    assert tree(lib.manager)["tree"][0]["count"] == 4
    listed = check_search(lib.agent, {"browse": True, "category_id": after_sales["id"]})["results"]
    assert listed["total"] == 3
    assert [h["title"] for h in listed["hits"]] == sorted(h["title"] for h in listed["hits"])
    loose = check_search(lib.agent, {"browse": True, "category_id": None})["results"]
    assert [h["entry_id"] for h in loose["hits"]] == [lib.loose.id]
    assert check_search(lib.agent, {"browse": True, "category_id": 999})["results"]["total"] == 0
    other = check_search(make.user(lib.elsewhere),
                         {"browse": True, "category_id": after_sales["id"]})["results"]
    assert other["total"] == 0  # another company's category id lists nothing


def test_search_within_a_category(make):
    """A search limited to 退款 finds nothing filed elsewhere (the open article sits in 售后)."""
    lib = library(make)
    refunds = tree(lib.agent)["tree"][0]["children"][0]["id"]
    assert found(lib.agent, "退款", category_id=refunds) == {
        ("entry", lib.qa.id), ("article", lib.g1_article.id)}


def test_bad_input_answers_quickly_and_clearly(make):
    """An empty query finds nothing and logs nothing; 10,000 characters are searched by their head
    and say so; longer, a page 0, a string id or an unknown kind are refused as invalid input."""
    lib = library(make)
    empty = check_search(lib.agent, {"q": "   "})
    assert empty["results"]["total"] == 0 and empty["results"]["hits"] == []
    huge = check_search(lib.agent, {"q": "退款" * 5000})
    assert huge["truncated"] is True and huge["results"]["total"] >= 1
    for bad in [{"q": "x" * 10_001}, {"q": "退款", "page": 0}, {"q": 5}, {"q": "a", "per_page": 500}]:
        with pytest.raises(KefuError) as err:
            check_search(lib.agent, bad)
        assert err.value.code == "invalid_input"
    from kefu.conversations.schemas import load
    from kefu.kbpanel.sockets import ItemSchema

    for bad in [{"kind": "x", "id": 1}, {"kind": "entry", "id": "1"}, {"kind": "entry"}, []]:
        with pytest.raises(KefuError):
            load(ItemSchema(), bad)


def test_pages_follow_each_other(make):
    """Pages of one result each walk through all three 退款 results without repeating one."""
    lib = library(make)
    pages = [check_search(lib.agent, {"q": "退款", "page": n, "per_page": 1})["results"]
             for n in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [3] * 4
    seen = [p["hits"][0]["doc_id"] for p in pages[:3]]
    assert len(set(seen)) == 3 and pages[3]["hits"] == []
