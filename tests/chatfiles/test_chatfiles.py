"""Images and files in chats: uploads checked by content and the company's limits, sent through the
normal message path, served only to the company's agents and the chat's visitor."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from kefu.chatfiles.models import ChatFile
from kefu.conversations.actions import do_close
from kefu.conversations.models import Conversation, Message
from kefu.extensions import db
from kefu.settings.actions import check_save_company_settings

from ..leavemessages.helpers import agent_session
from ..realtime.helpers import Recorder
from .helpers import (
    DOCX,
    PDF,
    XLSX,
    agent_upload,
    close,
    office,
    plain_zip,
    png,
    served_chat,
    visitor_upload,
)

WORKBENCH = {"recall_seconds": 120, "file_max_mb": 10, "visitor_files": True,
             "file_types": "image/png,image/jpeg,application/pdf,text/plain," + DOCX + "," + XLSX}


def _settings(company_id: int, **changes: Any) -> None:
    check_save_company_settings(None, company_id, {**WORKBENCH, **changes}, section="workbench")


def test_agent_sends_an_image_the_visitor_sees_and_downloads_it(live, make):
    """An agent's PNG becomes an image message with its size and pixels; the visitor fetches it inline."""
    c = served_chat(live, make)
    up = agent_upload(c.http, live, c.conv_id, png(3, 2), "截图.png")
    assert up.status_code == 200, up.text
    f = up.json()["file"]
    assert (f["name"], f["mime"], f["width"], f["height"]) == ("截图.png", "image/png", 3, 2)
    ack = c.bench.call("message", {"conversation_id": c.conv_id, "file_id": f["id"], "client_id": "a-1"})
    assert ack["ok"], ack
    msg = ack["message"]
    assert msg["content_type"] == "image" and msg["text"] == "[图片] 截图.png"
    assert msg["payload"]["file"] == f
    got = c.widget.wait_for("message.created")["message"]
    assert got["id"] == msg["id"] and got["payload"]["file"]["url"] == f["url"]
    r = requests.get(live + f["url"], headers={"Authorization": f"Bearer {c.d.token}"}, timeout=10)
    assert r.status_code == 200 and r.content == png(3, 2)
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["Content-Disposition"].startswith("inline")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    down = requests.get(live + f["url"] + "?download=1", headers={"Authorization": f"Bearer {c.d.token}"},
                        timeout=10)
    assert down.headers["Content-Disposition"].startswith("attachment")
    db.session.expire_all()
    row = db.session.get(Message, msg["id"])
    assert row.content_type == "image" and row.payload["file"]["id"] == f["id"]
    close(c)


def test_visitor_sends_a_pdf_with_a_caption_and_the_agent_downloads_it(live, make):
    """A visitor's PDF is a file message (caption kept); the agent gets it as a download, typed PDF."""
    c = serve = served_chat(live, make)
    up = visitor_upload(live, c.d.token, PDF, "发票.pdf")
    assert up.status_code == 200, up.text
    f = up.json()["file"]
    assert f["mime"] == "application/pdf" and f["width"] is None
    ack = c.widget.call("message", {"file_id": f["id"], "text": " 请看发票 ", "client_id": "v-2"})
    assert ack["ok"], ack
    assert ack["message"]["content_type"] == "file"
    assert ack["message"]["text"] == "[文件] 发票.pdf\n请看发票"
    assert ack["message"]["payload"]["caption"] == "请看发票"
    got = c.bench.wait_for("message.created")["message"]
    assert got["payload"]["file"]["name"] == "发票.pdf"
    r = serve.http.get(live + f["url"], timeout=10)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment")
    close(c)


def test_a_resent_file_message_is_stored_once(live, make):
    """The same client id sent twice (a retry) gives back the stored message, not a second one."""
    c = served_chat(live, make)
    f = agent_upload(c.http, live, c.conv_id, PDF, "a.pdf").json()["file"]
    body = {"conversation_id": c.conv_id, "file_id": f["id"], "client_id": "a-9"}
    first = c.bench.call("message", body)
    again = c.bench.call("message", body)
    assert first["ok"] and again["ok"] and again["duplicate"] is True
    assert again["message"]["id"] == first["message"]["id"]
    assert db.session.scalar(select(func.count(Message.id)).where(Message.content_type == "file")) == 1
    close(c)


def test_an_oversized_file_is_refused_naming_the_limit(live, make):
    """Above the company's MB limit an upload is refused (413) in zh and en, and nothing is kept."""
    c = served_chat(live, make)
    _settings(c.d.company.id, file_max_mb=1)
    big = PDF + b"0" * (1024 * 1024)
    r = agent_upload(c.http, live, c.conv_id, big, "big.pdf")
    body = r.json()["error"]
    assert r.status_code == 413 and body["code"] == "chatfile_too_large"
    assert body["message_zh"] == "文件超过 1 MB 的大小限制"
    assert body["message_en"] == "The file is larger than the 1 MB limit"
    assert visitor_upload(live, c.d.token, big, "big.pdf").status_code == 413
    assert db.session.scalar(select(func.count(ChatFile.id))) == 0
    close(c)


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"<!DOCTYPE html><script>alert(1)</script>", "photo.png", "chatfile_type"),  # HTML dressed up
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "x.svg", "chatfile_type"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "setup.exe", "chatfile_type"),
    (b"\x7fELF\x02\x01\x01\x00", "run.pdf", "chatfile_type"),
    (b"", "empty.txt", "chatfile_empty"),
])
def test_forbidden_files_are_refused_by_their_bytes(live, make, data, name, code):
    """Markup, SVG, executables and empty files are refused whatever their names; the refusal lists
    the allowed types."""
    c = served_chat(live, make)
    _settings(c.d.company.id)
    r = visitor_upload(live, c.d.token, data, name, lang="en")
    body = r.json()["error"]
    assert body["code"] == code, body
    if code == "chatfile_type":
        assert r.status_code == 415
        assert body["message_zh"] == "不支持该文件类型（允许：PNG, JPG, PDF, TXT, DOCX, XLSX）"
        assert body["message"] == "This type of file cannot be sent (allowed: PNG, JPG, PDF, TXT, DOCX, XLSX)"
    assert db.session.scalar(select(func.count(ChatFile.id))) == 0
    close(c)


def test_office_files_are_told_apart_by_their_content(live, make):
    """A .docx and an .xlsx are taken as what their packages declare; a renamed zip is not a docx."""
    c = served_chat(live, make)
    _settings(c.d.company.id)
    doc = agent_upload(c.http, live, c.conv_id, office("word"), "合同.docx")
    sheet = agent_upload(c.http, live, c.conv_id, office("xl"), "data.bin")
    assert doc.status_code == 200 and doc.json()["file"]["mime"] == DOCX
    assert sheet.status_code == 200 and sheet.json()["file"]["mime"] == XLSX
    fake = agent_upload(c.http, live, c.conv_id, plain_zip(), "合同.docx")
    assert fake.status_code == 415 and fake.json()["error"]["code"] == "chatfile_type"
    close(c)


def test_visitors_cannot_upload_when_the_company_turned_it_off(live, make):
    """With 访客发送文件 off the widget hears so, and a visitor's upload is refused; agents still can."""
    c = served_chat(live, make)
    _settings(c.d.company.id, visitor_files=False)
    limits = requests.get(f"{live}/api/widget/chatfiles/limits",
                          headers={"Authorization": f"Bearer {c.d.token}"}, timeout=10).json()
    assert limits["visitor_files"] is False and limits["max_mb"] == 10
    r = visitor_upload(live, c.d.token, png(), "a.png")
    assert r.status_code == 403 and r.json()["error"]["code"] == "chatfile_visitors_off"
    assert r.json()["error"]["message_zh"] == "暂不支持发送图片和文件"
    assert agent_upload(c.http, live, c.conv_id, png(), "a.png").status_code == 200
    close(c)


def test_closed_chats_and_other_peoples_chats_are_refused(live, make):
    """No upload into an ended chat, a colleague's chat or another company's; a visitor without an
    open chat is told to start one."""
    c = served_chat(live, make)
    colleague = make.user(c.d.company, groups=[c.d.group])
    other = make.desk()
    r = agent_upload(agent_session(live, colleague.email), live, c.conv_id, png(), "a.png")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = agent_upload(agent_session(live, other.agent.email), live, c.conv_id, png(), "a.png")
    assert r.status_code == 404
    r = visitor_upload(live, other.token, png(), "a.png")
    assert r.status_code == 409 and r.json()["error"]["code"] == "chatfile_no_chat"
    r = visitor_upload(live, other.token, png(), "a.png", conversation_id=c.conv_id)
    assert r.status_code == 404
    do_close(db.session.get(Conversation, c.conv_id), "agent_removed")
    r = agent_upload(c.http, live, c.conv_id, png(), "a.png")
    assert r.status_code == 409 and r.json()["error"]["code"] == "conversation_closed"
    assert visitor_upload(live, c.d.token, png(), "a.png").json()["error"]["code"] == "chatfile_no_chat"
    assert db.session.scalar(select(func.count(ChatFile.id))) == 0
    close(c)


def test_a_file_is_sent_only_by_its_uploader_in_its_chat(live, make):
    """An agent cannot send a visitor's upload, a visitor cannot send the agent's, nor one of an
    ended chat; the upload without the session's CSRF header is refused."""
    c = served_chat(live, make)
    mine = agent_upload(c.http, live, c.conv_id, png(), "a.png").json()["file"]
    theirs = visitor_upload(live, c.d.token, PDF, "b.pdf").json()["file"]
    ack = c.bench.call("message", {"conversation_id": c.conv_id, "file_id": theirs["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "chatfile_missing"
    ack = c.widget.call("message", {"file_id": mine["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "chatfile_missing"
    do_close(db.session.get(Conversation, c.conv_id), "agent_removed")
    ack = c.widget.call("message", {"file_id": theirs["id"], "client_id": "v-late"})
    assert not ack["ok"] and ack["error"]["code"] == "conversation_closed"
    no_csrf = requests.Session()
    no_csrf.cookies.update(c.http.cookies)
    assert agent_upload(no_csrf, live, c.conv_id, png(), "a.png").status_code == 400
    close(c)


def test_only_the_companys_agents_and_the_chats_visitor_download(live, make):
    """Anonymous callers, another visitor and another company's agent get nothing; a colleague does."""
    c = served_chat(live, make)
    f = agent_upload(c.http, live, c.conv_id, png(), "a.png").json()["file"]
    assert c.bench.call("message", {"conversation_id": c.conv_id, "file_id": f["id"]})["ok"]
    url = live + f["url"]
    assert requests.get(url, timeout=10).status_code == 401
    _visitor, stranger_token = make.visitor_token(c.d.channel)
    assert requests.get(url, headers={"Authorization": f"Bearer {stranger_token}"},
                        timeout=10).status_code == 404
    assert requests.get(url, headers={"Authorization": "Bearer forged"}, timeout=10).status_code == 401
    other = make.desk()
    assert agent_session(live, other.agent.email).get(url, timeout=10).status_code == 404
    colleague = make.user(c.d.company, groups=[c.d.group])
    assert agent_session(live, colleague.email).get(url, timeout=10).status_code == 200
    assert requests.get(f"{live}/api/chatfiles/nosuchkey", headers={"Authorization": f"Bearer {c.d.token}"},
                        timeout=10).status_code == 404
    close(c)


def test_a_file_message_reaches_a_reconnecting_visitor(live, make):
    """A visitor who was away gets the image message (with its file) from sync, like any message."""
    c = served_chat(live, make)
    c.widget.close()
    f = agent_upload(c.http, live, c.conv_id, png(), "a.png").json()["file"]
    assert c.bench.call("message", {"conversation_id": c.conv_id, "file_id": f["id"]})["ok"]
    back = Recorder(live, "/visitor", auth={"token": c.d.token})
    synced = back.call("sync", {"after_id": 0})
    last = synced["messages"][-1]
    assert last["content_type"] == "image" and last["payload"]["file"]["id"] == f["id"]
    back.close()
    c.bench.close()


def test_a_file_is_served_only_while_a_message_shows_it(live, make):
    """An upload nobody sent yet is not served, nor the file of a recalled message."""
    c = served_chat(live, make)
    f = visitor_upload(live, c.d.token, png(), "a.png").json()["file"]
    as_visitor = {"Authorization": f"Bearer {c.d.token}"}
    assert requests.get(live + f["url"], headers=as_visitor, timeout=10).status_code == 404
    assert c.http.get(live + f["url"], timeout=10).status_code == 404
    ack = c.widget.call("message", {"file_id": f["id"], "client_id": "v-img"})
    assert requests.get(live + f["url"], headers=as_visitor, timeout=10).status_code == 200
    recalled = c.widget.call("message.recall", {"message_id": ack["message"]["id"]})
    assert recalled["ok"], recalled
    assert recalled["message"]["text"] == "" and "file" not in recalled["message"]["payload"]
    assert requests.get(live + f["url"], headers=as_visitor, timeout=10).status_code == 404
    assert c.http.get(live + f["url"], timeout=10).status_code == 404
    close(c)


def test_files_nobody_will_see_are_deleted_a_day_after_upload(live, make):
    """A day on, the hourly sweep deletes an upload never sent and the file of a recalled message
    (row and bytes) but keeps a sent file and a fresh upload that may still be sent."""
    from datetime import timedelta

    from sqlalchemy import update

    from kefu.chatfiles.jobs import sweep_unshown
    from kefu.timeutil import utcnow
    from kefu.uploads import stored_path

    c = served_chat(live, make)
    up = {name: visitor_upload(live, c.d.token, png(), f"{name}.png").json()["file"]["id"]
          for name in ("sent", "unsent", "recalled", "fresh")}
    assert c.widget.call("message", {"file_id": up["sent"], "client_id": "v-s"})["ok"]
    ack = c.widget.call("message", {"file_id": up["recalled"], "client_id": "v-r"})
    assert c.widget.call("message.recall", {"message_id": ack["message"]["id"]})["ok"]
    old = [up["sent"], up["unsent"], up["recalled"]]
    db.session.execute(update(ChatFile).where(ChatFile.id.in_(old))
                       .values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    paths = {name: stored_path(db.session.get(ChatFile, i).path) for name, i in up.items()}
    assert all(p.exists() for p in paths.values())
    assert sweep_unshown() == 2
    db.session.expire_all()
    kept = set(db.session.scalars(select(ChatFile.id).where(ChatFile.id.in_(up.values()))))
    assert kept == {up["sent"], up["fresh"]}
    assert [n for n, p in paths.items() if p.exists()] == ["sent", "fresh"]
    assert sweep_unshown() == 0  # nothing more to do
    close(c)
