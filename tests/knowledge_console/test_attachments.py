"""Article attachments: sniffed and size-capped on upload, private, for the company's users only."""

from __future__ import annotations

import io

from kefu.audit.models import AuditLog
from kefu.knowledge.attachments import KnowledgeAttachment
from kefu.knowledge.models import KnowledgeArticle

from ..admin.helpers import anonymous, client_for
from .helpers import owner_client, page, page_token, problems, rows, submit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _article(client) -> int:
    r = submit(client, "/admin/knowledge_articles/new/", {"title": "退货流程", "body": "<p>步骤</p>",
                                                         "category": "", "status": "published"})
    assert r.status_code == 302, problems(r)
    return rows(KnowledgeArticle)[0].id


def _attach(client, article_id: int, data: bytes, name: str, lang: str = "en"):
    edit = page(client, f"/admin/knowledge_articles/edit/?id={article_id}")
    r = client.post(f"/admin/knowledge_articles/files/?id={article_id}&lang={lang}", data={
        "csrf_token": page_token(edit), "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert r.status_code == 302
    return page(client, r.headers["Location"])


def test_an_attached_file_is_served_to_the_company_only(app, make):
    """A picture attached to an article is listed, audited, and downloads for the company's agent only."""
    company, other = make.company(), make.company()
    agent = make.user(company)
    stranger = make.user(other)
    client = owner_client(app, company)
    article_id = _article(client)
    edit = _attach(client, article_id, PNG, "../../流程图.png")
    assert "流程图.png" in edit
    (row,) = rows(KnowledgeAttachment)
    assert row.content_type == "image/png" and row.filename == "流程图.png" and row.company_id == company.id
    logs = rows(AuditLog, AuditLog.target_type == "KnowledgeAttachment")
    assert any(log.action == "create" for log in logs)
    url = f"/api/knowledge/attachments/{row.key}"
    got = client_for(app, agent.email, "agent-pass-123").get(url)
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["X-Content-Type-Options"] == "nosniff" and got.mimetype == "image/png"
    assert client_for(app, stranger.email, "agent-pass-123").get(url).status_code == 404
    assert anonymous(app).get(url).status_code == 401
    assert "流程图.png" in page(client, f"/admin/knowledge_articles/details/?id={article_id}")


def test_markup_unknown_types_and_oversized_files_are_refused(app, make):
    """An HTML page, an executable and a file over the cap are refused with a message; nothing is kept."""
    company = make.company()
    client = owner_client(app, company)
    article_id = _article(client)
    assert "This file type is not accepted" in _attach(client, article_id, b"<html><script>x()</script>",
                                                       "a.txt")
    assert "This file type is not accepted" in _attach(client, article_id, b"MZ\x90\x00\x03" + b"\x00" * 50,
                                                       "a.exe")
    app.config["KEFU_KNOWLEDGE_ATTACHMENT_MAX_BYTES"] = 32
    try:
        assert "cannot exceed" in _attach(client, article_id, PNG, "big.png")
    finally:
        app.config.pop("KEFU_KNOWLEDGE_ATTACHMENT_MAX_BYTES")
    assert not rows(KnowledgeAttachment)


def test_agents_and_other_companies_cannot_attach_or_remove(app, make):
    """An agent is refused the upload; another company's owner cannot attach to or remove our files."""
    company, other = make.company(), make.company()
    agent = make.user(company)
    client = owner_client(app, company)
    article_id = _article(client)
    _attach(client, article_id, PNG, "a.png")
    (row,) = rows(KnowledgeAttachment)
    agent_client = client_for(app, agent.email, "agent-pass-123")
    r = agent_client.post(f"/admin/knowledge_articles/files/?id={article_id}",
                          data={"file": (io.BytesIO(PNG), "b.png")}, content_type="multipart/form-data")
    assert r.status_code == 403
    theirs = owner_client(app, other)
    token = page_token(page(theirs, "/admin/knowledge_entries/import/"))
    r = theirs.post(f"/admin/knowledge_articles/files/?id={article_id}", data={"csrf_token": token,
                                                                              "remove": str(row.id)})
    assert r.status_code == 403
    assert len(rows(KnowledgeAttachment)) == 1


def test_the_owner_removes_an_attachment(app, make):
    """Removing an attachment deletes its row and its file, and the download is gone."""
    company = make.company()
    client = owner_client(app, company)
    article_id = _article(client)
    _attach(client, article_id, PNG, "a.png")
    (row,) = rows(KnowledgeAttachment)
    key = row.key
    edit = page(client, f"/admin/knowledge_articles/edit/?id={article_id}")
    r = client.post(f"/admin/knowledge_articles/files/?id={article_id}", data={
        "csrf_token": page_token(edit), "remove": str(row.id)})
    assert r.status_code == 302
    assert not rows(KnowledgeAttachment)
    assert client.get(f"/api/knowledge/attachments/{key}").status_code == 404


def test_deleting_an_article_deletes_its_files(app, make):
    """An article deleted from the list takes its attachments' rows and files with it, audited."""
    from kefu.uploads import stored_path

    from ..admin.helpers import csrf_from

    company = make.company()
    client = owner_client(app, company)
    article_id = _article(client)
    _attach(client, article_id, PNG, "a.png")
    (row,) = rows(KnowledgeAttachment)
    with app.test_request_context():
        path = stored_path(row.path)
    assert path.is_file()
    listing = page(client, "/admin/knowledge_articles/")
    r = client.post("/admin/knowledge_articles/action/",
                    data={"csrf_token": csrf_from(listing), "action": "delete", "rowid": [str(article_id)]})
    assert r.status_code == 302
    assert not rows(KnowledgeArticle) and not rows(KnowledgeAttachment) and not path.exists()
    assert any(log.action == "delete" for log in rows(AuditLog, AuditLog.target_type == "KnowledgeArticle"))
