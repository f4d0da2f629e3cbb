"""Leave-message attachments: checked by content and size, named in refusals, agents-only downloads."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from kefu.extensions import db
from kefu.leavemessages.models import LeaveAttachment, LeaveMessage

from .helpers import agent_session, make_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


def _upload(live: str, token: str, data: bytes, name: str = "a.png", field: str = "photo",
            lang: str = "zh") -> requests.Response:
    return requests.post(f"{live}/api/widget/leave-attachments?lang={lang}",
                         headers={"Authorization": f"Bearer {token}", "Accept-Language": lang},
                         files={"file": (name, data, "image/png")}, data={"field": field}, timeout=10)


def _submit(live: str, token: str, keys: list[str], client_id: str = "att-1") -> Any:
    from ..realtime.helpers import Recorder

    widget = Recorder(live, "/visitor", auth={"token": token})
    ack = widget.call("leave_message.submit", {
        "client_id": client_id, "content": "见附件",
        "values": {"name": "王五", "mobile": "13800000000", "topic": "售后", "photo": keys}})
    widget.close()
    return ack


def test_upload_submit_and_download(live, make):
    """A PNG and a PDF are taken, linked to the message, and downloaded by an agent as attachments."""
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    png = _upload(live, d.token, PNG, "截图.png")
    pdf = _upload(live, d.token, PDF, "invoice.pdf")
    assert png.status_code == 200 and pdf.status_code == 200, png.text
    assert png.json()["attachment"]["content_type"] == "image/png"
    keys = [png.json()["attachment"]["key"], pdf.json()["attachment"]["key"]]
    ack = _submit(live, d.token, keys)
    assert ack["ok"] is True, ack
    db.session.expire_all()
    rows = db.session.scalars(select(LeaveAttachment).order_by(LeaveAttachment.id)).all()
    assert [r.leave_message_id for r in rows] == [ack["id"], ack["id"]]
    assert db.session.get(LeaveMessage, ack["id"]).fields["photo"] == keys
    agent = agent_session(live, d.agent.email)
    listed = agent.get(f"{live}/api/workbench/leave-messages?status=new&scope=pool", timeout=10).json()
    (lm,) = listed["leave_messages"]
    assert [a["filename"] for a in lm["attachments"]] == ["截图.png", "invoice.pdf"]
    got = agent.get(live + lm["attachments"][0]["url"], timeout=10)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]


def test_only_the_companys_agents_download(live, make):
    """A visitor, an anonymous caller and another company's agent cannot fetch the file."""
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    key = _upload(live, d.token, PNG).json()["attachment"]["key"]
    assert _submit(live, d.token, [key])["ok"] is True
    url = f"{live}/api/workbench/leave-attachments/{key}"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {d.token}"}, timeout=10).status_code == 401
    stranger = make.desk(status="offline")
    assert agent_session(live, stranger.agent.email).get(url, timeout=10).status_code == 404
    assert agent_session(live, d.agent.email).get(url, timeout=10).status_code == 200


def test_unsubmitted_upload_is_not_served(live, make):
    """An upload no message references yet is not downloadable, even by the company's agents."""
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    key = _upload(live, d.token, PNG).json()["attachment"]["key"]
    url = f"{live}/api/workbench/leave-attachments/{key}"
    assert agent_session(live, d.agent.email).get(url, timeout=10).status_code == 404


def test_over_the_size_limit_names_the_field(live, make, app, monkeypatch):
    """A file over the configured limit is refused (413) naming the field and the limit; nothing kept."""
    monkeypatch.setitem(app.config, "KEFU_LEAVE_ATTACHMENT_MAX_BYTES", 1024)
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    r = _upload(live, d.token, PNG + b"\x00" * 2000)
    body = r.json()["error"]
    assert r.status_code == 413 and body["code"] == "leave_attachment_too_large"
    assert body["message_zh"] == "「照片」的文件超过 1 KB 的大小限制"
    assert "“Photo”" in body["message_en"] and body["fields"] == {"photo": ["leave_attachment_too_large"]}
    assert _upload(live, d.token, PNG).status_code == 200
    assert db.session.scalar(select(func.count(LeaveAttachment.id))) == 1


@pytest.mark.parametrize(("data", "name"), [
    (b"<!DOCTYPE html><script>alert(1)</script>", "photo.png"),  # HTML dressed as an image
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "x.svg"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "setup.exe"),
    (b"\x7fELF\x02\x01\x01\x00", "run.png"),
    (b"", "empty.txt"),
])
def test_forbidden_types_are_refused_by_content(live, make, data, name):
    """The type comes from the bytes, not the name: markup and executables are refused, naming the field."""
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    r = _upload(live, d.token, data, name)
    body = r.json()["error"]
    assert r.status_code == 400 and body["code"] == "leave_attachment_type"
    assert "照片" in body["message_zh"] and "image/png" in body["message_zh"]
    assert db.session.scalar(select(func.count(LeaveAttachment.id))) == 0


def test_configured_types_apply(live, make, app, monkeypatch):
    """With only images allowed, a PDF is refused and a PNG still taken."""
    monkeypatch.setitem(app.config, "KEFU_LEAVE_ATTACHMENT_TYPES", "image/png, image/jpeg")
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    refused = _upload(live, d.token, PDF, "a.pdf").json()["error"]
    assert refused["code"] == "leave_attachment_type" and "image/png, image/jpeg" in refused["message_en"]
    assert _upload(live, d.token, PNG).status_code == 200


def test_upload_needs_a_token_and_an_attachment_field(live, make):
    """No token → 401; a field that is not an attachment field of the form → invalid input."""
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    r = requests.post(f"{live}/api/widget/leave-attachments", files={"file": ("a.png", PNG)},
                      data={"field": "photo"}, timeout=10)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    r = _upload(live, d.token, PNG, field="name")
    assert r.status_code == 400 and "field" in r.json()["error"]["fields"]


def test_someone_elses_upload_cannot_be_referenced(live, make):
    """A key uploaded by another visitor is refused as the field's invalid attachment."""
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    _other, other_token = make.visitor_token(d.channel)
    key = _upload(live, other_token, PNG).json()["attachment"]["key"]
    ack = _submit(live, d.token, [key])
    assert ack["ok"] is False and ack["error"]["code"] == "leave_attachment_missing"
    assert ack["error"]["fields"] == {"photo": ["leave_attachment_missing"]}


def test_unsubmitted_uploads_are_purged_after_their_grace(live, make, app, monkeypatch, run_jobs):
    """An unsubmitted upload (row and file) is purged after KEFU_UPLOAD_TTL; a linked one stays."""
    import time

    from kefu.leavemessages.attachments import file_path

    monkeypatch.setitem(app.config, "KEFU_UPLOAD_TTL", 1)
    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    kept = _upload(live, d.token, PNG).json()["attachment"]["key"]
    dropped = _upload(live, d.token, PNG).json()["attachment"]["key"]
    assert _submit(live, d.token, [kept])["ok"] is True
    db.session.expire_all()
    path = file_path(db.session.scalars(select(LeaveAttachment).where(LeaveAttachment.key == dropped)).one())
    assert path.is_file()
    time.sleep(1.5)
    run_jobs()
    db.session.expire_all()
    assert [a.key for a in db.session.scalars(select(LeaveAttachment))] == [kept]
    assert not path.exists()


def test_two_submissions_racing_for_one_upload_one_gets_it(app, make):
    """Of several forms sent at once with the same file, one keeps it; the others are told to re-upload."""
    import io
    import threading

    from kefu.errors import KefuError
    from kefu.leavemessages.actions import check_submit, check_upload
    from kefu.visitors.token import verify

    d = make.desk(status="offline")
    make_form(d.company.id, is_default=True)
    key = check_upload(verify(d.token), "photo", "a.png", io.BytesIO(PNG)).key
    db.session.commit()
    barrier = threading.Barrier(4)
    results: list[str] = []

    def submit(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                check_submit(verify(d.token), {"client_id": f"race-{n}", "content": "见附件", "values": {
                    "name": "王五", "mobile": "13800000000", "topic": "售后", "photo": [key]}})
                results.append("ok")
            except KefuError as exc:
                results.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["leave_attachment_missing"] * 3 + ["ok"]
    db.session.expire_all()
    (lm,) = db.session.scalars(select(LeaveMessage)).all()
    assert db.session.scalars(select(LeaveAttachment)).one().leave_message_id == lm.id
