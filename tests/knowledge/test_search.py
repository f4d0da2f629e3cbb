"""Knowledge search on SQLite and PostgreSQL: BM25 ranking, scoping, highlighting, index in step."""

from __future__ import annotations

import math
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kefu.audit.models import AuditLog
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.knowledge.actions import (
    check_delete,
    check_import_entries,
    check_save_article,
    check_save_entry,
    check_set_status,
)
from kefu.knowledge.models import KnowledgeDoc, KnowledgeEntry
from kefu.knowledge.search import Scope, search
from kefu.timeutil import utcnow


def entry(company, question, answer, **extra):
    """Create a published entry through the action."""
    data = {"question": question, "answer": answer, "status": "published", **extra}
    return check_save_entry(None, company.id, data)


def found(scope, query, **kwargs):
    """Entry ids of the first page, in rank order."""
    return [h.entry_id for h in search(scope, query, **kwargs).hits]


def test_two_character_query_finds_its_entries(make):
    """退款 finds the entries about 退款流程 and 申请退款, not the one about shipping."""
    company = make.company()
    a = entry(company, "退款流程是什么", "<p>在订单页操作</p>")
    b = entry(company, "怎么申请退款", "<p>点击申请退款</p>")
    c = entry(company, "快递多久到", "<p>一般三天</p>")
    ids = found(Scope(company.id), "退款")
    assert set(ids) == {a.id, b.id}
    assert c.id not in ids


def test_traditional_query_finds_simplified_text_and_english_stems_meet(make):
    """退貨運費 finds 退货运费; "refunds" finds "Refund"; "shipping" finds "ship"."""
    company = make.company()
    fee = entry(company, "退货运费谁承担", "<p>质量问题由我们承担</p>")
    refund = entry(company, "Can I get a refund?", "<p>Yes, click Refund.</p>")
    ship = entry(company, "When do you ship?", "<p>Within a day.</p>")
    assert found(Scope(company.id), "退貨運費")[0] == fee.id
    assert found(Scope(company.id), "refunds") == [refund.id]
    assert found(Scope(company.id), "shipping") == [ship.id]


def test_ranking_prefers_the_entry_that_matches_more_and_rarer_terms(make):
    """The entry matching both query terms ranks above ones matching only one; scores descend."""
    company = make.company()
    entry(company, "发票怎么开", "<p>在订单详情申请</p>")
    best = entry(company, "增值税专用发票怎么开", "<p>企业用户选择专用发票</p>")
    entry(company, "订单详情在哪里", "<p>我的订单</p>")
    page = search(Scope(company.id), "专用发票")
    assert page.hits[0].entry_id == best.id
    scores = [h.score for h in page.hits]
    assert scores == sorted(scores, reverse=True)


def test_scores_are_okapi_bm25_on_both_databases(make, backend):
    """Each score equals BM25 (k1 1.2, b 0.75, Lucene idf) worked out here from the stored terms."""
    company = make.company()
    entry(company, "怎么申请退款", "<p>打开我的订单，点击申请退款</p>", similar=["我要退款"])
    entry(company, "退款多久到账", "<p>1-3 个工作日</p>")
    entry(company, "How do I get a refund?", "<p>Open My orders and click Refund.</p>")
    entry(company, "发票怎么开", "<p>订单详情</p>")
    page = search(Scope(company.id), "申请退款 refund")
    docs = db.session.scalars(select(KnowledgeDoc)).all()
    bags = {d.entry_id: (d.title_tokens + " " + d.body_tokens).split() for d in docs}
    avgdl = sum(len(b) for b in bags.values()) / len(bags)
    expected = {}
    for entry_id, bag in bags.items():
        score = 0.0
        for term in page.terms:
            df = sum(term in b for b in bags.values())
            tf = bag.count(term)
            if tf:
                idf = math.log(1 + (len(bags) - df + 0.5) / (df + 0.5))
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(bag) / avgdl))
        if score:
            expected[entry_id] = round(score, 6)
    assert {h.entry_id: round(h.score, 6) for h in page.hits} == expected, backend
    assert [h.entry_id for h in page.hits] == sorted(expected, key=lambda i: (-expected[i], i))


def test_scoped_by_company_status_and_kind(make):
    """Another company's entries, drafts and chit-chat stay out of a Q&A search."""
    mine, theirs = make.company(), make.company()
    published = entry(mine, "退款说明", "<p>a</p>")
    entry(theirs, "退款说明", "<p>b</p>")
    draft = check_save_entry(None, mine.id, {"question": "退款草稿", "answer": "<p>c</p>"})
    chat = entry(mine, "退款哈哈", "<p>d</p>", kind="chitchat")
    assert found(Scope(mine.id), "退款") == [published.id]
    assert set(found(Scope(mine.id, statuses=("draft", "published")), "退款")) == {published.id, draft.id}
    assert found(Scope(mine.id, kinds=("chitchat",)), "退款") == [chat.id]


def test_validity_period(make):
    """An entry outside its validity period is not found at that time, and is found inside it."""
    company = make.company()
    now = utcnow()
    later = entry(company, "双十一退款规则", "<p>x</p>", valid_from=(now + timedelta(days=1)).isoformat())
    expired = entry(company, "国庆退款规则", "<p>y</p>", valid_until=(now - timedelta(days=1)).isoformat())
    current = entry(company, "日常退款规则", "<p>z</p>", valid_from=(now - timedelta(days=1)).isoformat(),
                    valid_until=(now + timedelta(days=1)).isoformat())
    assert found(Scope(company.id, valid_at=now), "退款规则") == [current.id]
    assert later.id in found(Scope(company.id, valid_at=now + timedelta(days=2)), "退款规则")
    assert expired.id in found(Scope(company.id, valid_at=None), "退款规则")


def test_audience_by_channel_and_customer_group(make):
    """Entries for one channel or customer group reach only visitors of it; open entries reach all."""
    company = make.company()
    web, app_channel = make.channel(company), make.channel(company)
    everyone = entry(company, "退款说明", "<p>a</p>")
    web_only = entry(company, "网页退款说明", "<p>b</p>", channel_ids=[web.id])
    vip_only = entry(company, "VIP 退款说明", "<p>c</p>", customer_groups=["VIP"])
    pct = entry(company, "特殊 退款说明", "<p>d</p>", customer_groups=["50%_off"])
    on_app = set(found(Scope(company.id, channel_id=app_channel.id, customer_groups=()), "退款说明"))
    assert on_app == {everyone.id}
    on_web_vip = set(found(Scope(company.id, channel_id=web.id, customer_groups=("VIP",)), "退款说明"))
    assert on_web_vip == {everyone.id, web_only.id, vip_only.id}
    # LIKE wildcards in a group name are matched literally.
    assert pct.id not in found(Scope(company.id, customer_groups=("50%",)), "退款说明")
    assert pct.id in found(Scope(company.id, customer_groups=("50%_off",)), "退款说明")


def test_internal_articles_by_skill_group(make):
    """An article limited to a skill group is found by its agents only; an open one by all."""
    company = make.company()
    group, other = make.group(company), make.group(company)
    open_one = check_save_article(None, company.id, {"title": "退款审核规范", "body": "<p>所有人</p>",
                                                     "status": "published"})
    limited = check_save_article(None, company.id, {"title": "退款复核流程", "body": "<p>主管</p>",
                                                    "status": "published", "skill_group_ids": [group.id]})
    scope = Scope(company.id, kinds=("article",), skill_group_ids=(other.id,))
    assert [h.article_id for h in search(scope, "退款").hits] == [open_one.id]
    scope = Scope(company.id, kinds=("article",), skill_group_ids=(group.id,))
    assert {h.article_id for h in search(scope, "退款").hits} == {open_one.id, limited.id}


def test_highlight_escapes_html_then_marks(make):
    """User text in titles and snippets is escaped; only our <mark> tags are markup."""
    company = make.company()
    entry(company, "<img src=x onerror=alert(1)> 退款",
          "<p>&lt;script&gt;alert(1)&lt;/script&gt; 退款须知</p>")
    hit = search(Scope(company.id), "退款").hits[0]
    assert "<img" not in hit.title_html and "&lt;img" in hit.title_html
    assert "<mark>退款</mark>" in hit.title_html
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<mark>退款</mark>须知" in hit.snippet_html


def test_paging(make):
    """Pages do not overlap and together list every match; total counts them all."""
    company = make.company()
    ids = {entry(company, f"退款问题 {n}", f"<p>答案 {n}</p>").id for n in range(7)}
    first = search(Scope(company.id), "退款", page=1, per_page=3)
    second = search(Scope(company.id), "退款", page=2, per_page=3)
    third = search(Scope(company.id), "退款", page=3, per_page=3)
    assert first.total == 7
    listed = [h.entry_id for p in (first, second, third) for h in p.hits]
    assert len(listed) == 7 and set(listed) == ids


def test_empty_and_huge_queries_answer_sensibly(make):
    """An empty query finds nothing without error; a 10,000-character one answers fast and finds."""
    company = make.company()
    wanted = entry(company, "怎么申请退款", "<p>点击申请退款</p>")
    empty = search(Scope(company.id), "")
    assert empty.total == 0 and empty.hits == []
    assert search(Scope(company.id), "？？？ the a").hits == []
    huge = ("我想申请退款，但是订单显示已发货，怎么办？" * 600)[:10000]
    started = time.perf_counter()
    page = search(Scope(company.id), huge)
    assert time.perf_counter() - started < 2.0
    assert page.hits[0].entry_id == wanted.id


def test_index_follows_update_unpublish_and_delete(make):
    """Editing, unpublishing and deleting an entry change what search finds at once."""
    company = make.company()
    e = entry(company, "发票怎么开", "<p>在订单详情申请开票</p>")
    assert found(Scope(company.id), "发票") == [e.id]
    check_save_entry(None, company.id, {"question": "积分怎么用", "answer": "<p>结算时抵扣</p>",
                                        "status": "published"}, entry_id=e.id)
    assert found(Scope(company.id), "发票") == []
    assert found(Scope(company.id), "积分") == [e.id]
    check_set_status(None, company.id, "entry", e.id, "draft")
    assert found(Scope(company.id), "积分") == []
    check_set_status(None, company.id, "entry", e.id, "published")
    assert found(Scope(company.id), "积分") == [e.id]
    check_delete(None, company.id, "entry", e.id)
    assert found(Scope(company.id), "积分") == []
    assert db.session.scalar(select(func.count(KnowledgeDoc.id))) == 0


def test_writes_are_audited(make):
    """Create, update and delete each leave an audit row naming the entry."""
    company = make.company()
    e = entry(company, "发票怎么开", "<p>a</p>")
    check_set_status(None, company.id, "entry", e.id, "draft")
    check_delete(None, company.id, "entry", e.id)
    actions = db.session.scalars(select(AuditLog.action).where(
        AuditLog.target_type == "KnowledgeEntry", AuditLog.target_id == e.id).order_by(AuditLog.id)).all()
    assert actions == ["create", "update", "delete"]


def test_answer_is_sanitised_and_a_script_only_answer_refused(make):
    """A stored answer has no script; an answer that is only script is refused in zh and en."""
    company = make.company()
    e = entry(company, "发票", '<p onclick="x()">开票<script>alert(1)</script></p>')
    assert "script" not in e.answer and "onclick" not in e.answer
    with pytest.raises(KefuError) as err:
        check_save_entry(None, company.id, {"question": "发票", "answer": "<script>alert(1)</script>"})
    body = err.value.to_dict()["error"]
    assert body["code"] == "knowledge_answer" and body["message_zh"] and body["message_en"]


def test_foreign_references_are_refused(make):
    """Another company's channel, category or related entry cannot be attached to an entry."""
    mine, theirs = make.company(), make.company()
    their_channel = make.channel(theirs)
    their_entry = entry(theirs, "发票", "<p>x</p>")
    for extra in ({"channel_ids": [their_channel.id]}, {"related_ids": [their_entry.id]}):
        with pytest.raises(KefuError):
            check_save_entry(None, mine.id, {"question": "退款", "answer": "<p>y</p>", **extra})
    assert db.session.scalar(select(func.count(KnowledgeEntry.id)).where(
        KnowledgeEntry.company_id == mine.id)) == 0


def test_import_with_bad_rows_imports_nothing_and_names_them(make):
    """Rows 2 and 4 are bad: the refusal lists both, and no entry or document is written."""
    company = make.company()
    rows = [{"question": "退款", "answer": "<p>a</p>"}, {"question": "", "answer": "<p>b</p>"},
            {"question": "发票", "answer": "<p>c</p>"}, {"question": "积分", "answer": "<script></script>"}]
    with pytest.raises(KefuError) as err:
        check_import_entries(None, company.id, rows)
    assert sorted(err.value.fields["rows"]) == ["2", "4"]
    assert db.session.scalar(select(func.count(KnowledgeEntry.id))) == 0
    assert db.session.scalar(select(func.count(KnowledgeDoc.id))) == 0
    good = check_import_entries(None, company.id, [dict(r, status="published") for r in rows[:1] + rows[2:3]])
    assert len(good) == 2 and found(Scope(company.id), "发票") == [good[1].id]


def test_agent_scope_follows_skill_groups_and_role(make):
    """An agent sees open articles and their groups'; an admin sees every published article."""
    from kefu.knowledge.queries import agent_scope

    company = make.company()
    group, other = make.group(company), make.group(company)
    agent = make.user(company, groups=[group])
    admin = make.user(company, role="admin")
    mine = check_save_article(None, company.id, {"title": "退款复核", "status": "published",
                                                 "skill_group_ids": [group.id]})
    theirs = check_save_article(None, company.id, {"title": "退款抽检", "status": "published",
                                                   "skill_group_ids": [other.id]})
    assert {h.article_id for h in search(agent_scope(agent), "退款").hits} == {mine.id}
    assert {h.article_id for h in search(agent_scope(admin), "退款").hits} == {mine.id, theirs.id}


def test_category_tree_and_related_entries(make):
    """Categories nest under their parents; related entries come back in order, minus deleted ones."""
    from kefu.knowledge.actions import check_save_category
    from kefu.knowledge.queries import category_tree, related_entries

    company = make.company()
    root = check_save_category(None, company.id, {"name": "售后"})
    check_save_category(None, company.id, {"name": "退款", "parent_id": root.id})
    assert [(n["name"], [c["name"] for c in n["children"]]) for n in category_tree(company.id)] == [
        ("售后", ["退款"])]
    with pytest.raises(KefuError):
        check_save_category(None, company.id, {"name": "循环", "parent_id": root.id}, category_id=root.id)
    a, b = entry(company, "退款", "<p>a</p>"), entry(company, "发票", "<p>b</p>")
    main = entry(company, "售后", "<p>c</p>", related_ids=[b.id, a.id])
    assert [e.id for e in related_entries(main)] == [b.id, a.id]
    check_delete(None, company.id, "entry", b.id)
    db.session.refresh(main)
    assert [e.id for e in related_entries(main)] == [a.id]


def test_search_leaves_the_planner_settings_of_the_transaction_as_it_found_them(make, backend):
    """On PostgreSQL a search matches through the GIN index (sequential scans off while it runs)
    and puts the setting back, so the rest of a robot's message transaction plans as usual."""
    from sqlalchemy import text

    company = make.company()
    entry(company, "退款流程是什么", "<p>在订单页操作</p>")
    assert found(Scope(company.id), "退款")
    if backend == "postgresql":
        assert db.session.execute(text("SHOW enable_seqscan")).scalar() == "on"
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a caller's own choice stays
        assert found(Scope(company.id), "退款")
        assert db.session.execute(text("SHOW enable_seqscan")).scalar() == "off"
        db.session.rollback()
