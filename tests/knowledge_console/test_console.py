"""知识库管理 in the console: categories, Q&A entries and articles through the real forms."""

from __future__ import annotations

from datetime import UTC, datetime

from kefu.audit.models import AuditLog
from kefu.knowledge.models import KnowledgeArticle, KnowledgeCategory, KnowledgeDoc, KnowledgeEntry

from ..admin.helpers import client_for, csrf_from
from .helpers import category, entry, owner_client, page, problems, rows, submit


def test_owner_builds_a_category_tree_shown_indented(app, make):
    """Categories nest under parents, the list shows them depth-first and indented, and depth is limited."""
    company = make.company()
    client = owner_client(app, company)
    after = category(client, "售后", name_en="After-sales", sort_order=1)
    refund = category(client, "退款", parent=after)
    category(client, "售前", sort_order=0)
    listing = page(client, "/admin/knowledge_categories/")
    assert listing.index("售前") < listing.index("售后") < listing.index("退款")
    assert 'data-depth="1"' in listing and "└ 退款" in listing
    deepest = refund
    for n in range(3):
        deepest = category(client, f"level{n}", parent=deepest)
    r = submit(client, "/admin/knowledge_categories/new/?lang=en",
               {"name": "too deep", "parent": str(deepest.id), "sort_order": "0"})
    assert r.status_code == 200 and "at most 5 levels" in r.get_data(as_text=True)
    assert not rows(KnowledgeCategory, KnowledgeCategory.name == "too deep")


def test_owner_creates_an_entry_with_similar_questions_and_publishes_it(app, make):
    """A Q&A entry saved through the form keeps its similar questions (one per line), category and audience,
    is indexed, and the audit log names the change."""
    company = make.company()
    channel = make.channel(company)
    client = owner_client(app, company)
    cat = category(client, "退款")
    e = entry(client, "怎么申请退款", "<p>在订单页点<b>申请退款</b></p>",
              similar="如何退款\n退钱\n\n如何退款",
              category=str(cat.id), customer_groups="VIP， 企业客户", channels=str(channel.id),
              valid_from="2026-01-01T00:00", status="published")
    assert e.similar == ["如何退款", "退钱"] and e.category_id == cat.id and e.status == "published"
    assert e.customer_groups == ["VIP", "企业客户"] and e.channel_ids == [channel.id]
    # Typed in the company's time zone (Asia/Shanghai), stored in UTC.
    assert e.valid_from.astimezone(UTC) == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    assert e.company_id == company.id
    assert rows(KnowledgeDoc, KnowledgeDoc.entry_id == e.id)[0].status == "published"
    edit = page(client, f"/admin/knowledge_entries/edit/?id={e.id}")
    assert "如何退款\n退钱" in edit and 'data-rich-editor="1"' in edit
    assert any(log.target_id == e.id and log.action == "create"
               for log in rows(AuditLog, AuditLog.target_type == "KnowledgeEntry"))
    assert "KnowledgeEntry" in page(client, "/admin/audit_log/")


def test_script_is_stripped_from_answers_and_articles(app, make):
    """Script and event handlers typed into an answer or an article body never reach the database."""
    company = make.company()
    client = owner_client(app, company)
    e = entry(client, "xss",
              '<p onclick="steal()">hi<script>alert(1)</script><img src=x onerror=alert(2)></p>')
    assert "script" not in e.answer and "onerror" not in e.answer and "onclick" not in e.answer
    assert "hi" in e.answer
    r = submit(client, "/admin/knowledge_articles/new/", {
        "title": "手册", "body": '<h3>步骤</h3><a href="javascript:alert(1)">x</a><script>x()</script>',
        "category": "", "status": "draft"})
    assert r.status_code == 302, problems(r)
    article = rows(KnowledgeArticle)[0]
    assert "<h3>步骤</h3>" in article.body
    assert "javascript" not in article.body and "script" not in article.body
    details = page(client, f"/admin/knowledge_entries/details/?id={e.id}")
    assert "<script>alert(1)" not in details


def test_an_answer_of_only_script_is_refused_with_a_message(app, make):
    """An answer that is empty once unsafe content is removed is refused on the form, nothing saved."""
    company = make.company()
    client = owner_client(app, company)
    r = submit(client, "/admin/knowledge_entries/new/?lang=en", {
        "kind": "qa", "question": "q", "answer": "<script>alert(1)</script>", "status": "draft"})
    assert r.status_code == 200
    assert "cannot be empty once unsafe content is removed" in r.get_data(as_text=True)
    assert not rows(KnowledgeEntry)


def test_companies_never_see_or_reach_each_others_knowledge(app, make):
    """Another company's owner does not list, open, edit, pick as category or move into our rows."""
    mine, theirs = make.company(), make.company()
    client = owner_client(app, mine)
    cat = category(client, "我的分类")
    e = entry(client, "我的问题", category=str(cat.id))
    other = owner_client(app, theirs)
    assert "我的问题" not in page(other, "/admin/knowledge_entries/")
    assert "我的分类" not in page(other, "/admin/knowledge_categories/")
    # Not found: Flask-Admin sends the user back to the list.
    assert other.get(f"/admin/knowledge_entries/edit/?id={e.id}").status_code == 302
    r = submit(other, "/admin/knowledge_entries/new/?lang=en", {
        "kind": "qa", "question": "theirs", "answer": "a", "category": str(cat.id), "status": "draft"})
    assert r.status_code == 200 and "Not a valid choice" in r.get_data(as_text=True)
    assert not rows(KnowledgeEntry, KnowledgeEntry.question == "theirs")
    listing = page(other, "/admin/knowledge_entries/")
    r = other.post("/admin/knowledge_entries/action/", data={"csrf_token": csrf_from(listing),
                                                             "action": "publish", "rowid": [str(e.id)]})
    assert rows(KnowledgeEntry, KnowledgeEntry.id == e.id)[0].status == "draft"


def test_agents_cannot_open_the_knowledge_console(app, make):
    """An agent is refused the knowledge pages (the console is for owners and admins)."""
    company = make.company()
    agent = make.user(company)
    client = client_for(app, agent.email, "agent-pass-123")
    for url in ("/admin/knowledge_entries/", "/admin/knowledge_categories/", "/admin/knowledge_articles/",
                "/admin/knowledge_entries/import/"):
        assert client.get(url).status_code == 403, url


def test_bulk_publish_unpublish_move_and_delete(app, make):
    """List actions publish, unpublish, move to a category and delete the selected entries, each audited."""
    company = make.company()
    client = owner_client(app, company)
    cat_id = category(client, "物流").id
    a, b, c = (entry(client, q).id for q in ("qa1", "qa2", "qa3"))

    def act(name: str, ids: list[int]) -> None:
        token = csrf_from(page(client, "/admin/knowledge_entries/"))
        r = client.post("/admin/knowledge_entries/action/", data={"csrf_token": token, "action": name,
                                                                  "rowid": [str(i) for i in ids]})
        assert r.status_code == 302, problems(r)

    act("publish", [a, b])
    assert {e.question: e.status for e in rows(KnowledgeEntry)} == {"qa1": "published", "qa2": "published",
                                                                    "qa3": "draft"}
    act("unpublish", [b])
    assert rows(KnowledgeEntry, KnowledgeEntry.id == b)[0].status == "draft"
    r = client.post("/admin/knowledge_entries/action/", data={
        "csrf_token": csrf_from(page(client, "/admin/knowledge_entries/")), "action": "move",
        "rowid": [str(a), str(c)]})
    assert r.status_code == 302 and "/move/" in r.headers["Location"]
    move_page = page(client, r.headers["Location"])
    from .helpers import page_token

    r = client.post("/admin/knowledge_entries/move/", data={
        "csrf_token": page_token(move_page), "ids": f"{a},{c}", "category": str(cat_id)})
    assert r.status_code == 302
    assert {e.question: e.category_id for e in rows(KnowledgeEntry)} == {"qa1": cat_id, "qa2": None,
                                                                         "qa3": cat_id}
    assert rows(KnowledgeDoc, KnowledgeDoc.entry_id == a)[0].category_id == cat_id
    act("delete", [b, c])
    assert [e.question for e in rows(KnowledgeEntry)] == ["qa1"]
    logs = rows(AuditLog, AuditLog.target_type == "KnowledgeEntry")
    assert {log.action for log in logs} == {"create", "update", "delete"}
    moved = [log for log in logs if log.action == "update" and "category_id" in (log.changes or {})]
    assert {log.target_id for log in moved} == {a, c}


def test_move_without_a_token_changes_nothing(app, make):
    """A move posted without the form's token is refused and no row moves."""
    company = make.company()
    client = owner_client(app, company)
    cat = category(client, "物流")
    e = entry(client, "q")
    r = client.post("/admin/knowledge_entries/move/", data={"ids": str(e.id), "category": str(cat.id)})
    assert r.status_code == 200
    assert rows(KnowledgeEntry)[0].category_id is None


def test_try_a_question_ranks_published_entries(app, make):
    """The preview ranks the published entries for a paraphrase and says so when nothing matches."""
    company = make.company()
    client = owner_client(app, company)
    entry(client, "怎么申请退款", "<p>在订单页申请</p>", similar="如何退款", status="published")
    entry(client, "发票怎么开", "<p>在订单详情开</p>", status="published")
    entry(client, "草稿里的退款问题", status="draft")
    found = page(client, "/admin/knowledge_entries/try/?q=我想退款")
    assert "kb-try-hits" in found and "草稿里的退款问题" not in found
    assert found.index("申请退款") < found.index("kb-try-hits") + 10_000
    assert "kb-try-none" in page(client, "/admin/knowledge_entries/try/?q=zzzz")


def test_editing_an_entry_keeps_its_values_and_links_related_questions(app, make):
    """The edit form shows the stored entry; saving it with related questions links them, and a
    related question deleted later disappears from the entry."""
    company = make.company()
    client = owner_client(app, company)
    first = entry(client, "退款多久到账").id
    second = entry(client, "退款到哪里").id
    main = entry(client, "怎么退款", similar="如何退款", valid_until="2031-05-01T12:30").id
    edit = page(client, f"/admin/knowledge_entries/edit/?id={main}")
    assert 'value="2031-05-01T12:30"' in edit and "如何退款" in edit
    r = submit(client, f"/admin/knowledge_entries/edit/?id={main}", {
        "kind": "qa", "question": "怎么退款", "similar": "如何退款", "answer": "<p>答案</p>", "category": "",
        "related": [str(second), str(first)], "valid_until": "2031-05-01T12:30", "status": "draft"})
    assert r.status_code == 302, problems(r)
    assert rows(KnowledgeEntry, KnowledgeEntry.id == main)[0].related_ids == [second, first]
    listing = page(client, "/admin/knowledge_entries/")
    client.post("/admin/knowledge_entries/action/",
                data={"csrf_token": csrf_from(listing), "action": "delete", "rowid": [str(first)]})
    assert rows(KnowledgeEntry, KnowledgeEntry.id == main)[0].related_ids == [second]
    assert "2031-05-01 12:30" in page(client, f"/admin/knowledge_entries/details/?id={main}")


def test_articles_move_to_a_category_in_bulk_and_categories_cannot(app, make):
    """Selected articles move to a category through the move page; the category list offers no move."""
    from .helpers import page_token

    company = make.company()
    client = owner_client(app, company)
    cat_id = category(client, "手册").id
    r = submit(client, "/admin/knowledge_articles/new/",
               {"title": "退货", "body": "<p>x</p>", "status": "draft"})
    assert r.status_code == 302, problems(r)
    article_id = rows(KnowledgeArticle)[0].id
    r = client.post("/admin/knowledge_articles/action/", data={
        "csrf_token": csrf_from(page(client, "/admin/knowledge_articles/")), "action": "move",
        "rowid": [str(article_id)]})
    move_page = page(client, r.headers["Location"])
    r = client.post("/admin/knowledge_articles/move/", data={
        "csrf_token": page_token(move_page), "ids": str(article_id), "category": str(cat_id)})
    assert r.status_code == 302
    assert rows(KnowledgeArticle)[0].category_id == cat_id
    assert "modelActions.execute('move')" not in page(client, "/admin/knowledge_categories/")
    assert client.get("/admin/knowledge_categories/move/?ids=1").status_code == 404
