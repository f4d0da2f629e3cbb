"""Shared helpers of the chat-file tests: real file bytes, a served chat, uploads both ways."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from types import SimpleNamespace
from typing import Any

import requests

from ..leavemessages.helpers import agent_session
from ..realtime.helpers import Recorder

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def office(main: str) -> bytes:
    """A minimal Office Open XML package whose [Content_Types].xml declares `main` (word/xl)."""
    part = {"word": ("/word/document.xml", "wordprocessingml.document.main+xml"),
            "xl": ("/xl/workbook.xml", "spreadsheetml.sheet.main+xml")}[main]
    types = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Override PartName="' + part[0] + '" ContentType="application/'
             'vnd.openxmlformats-officedocument.' + part[1] + '"/></Types>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr(part[0].lstrip("/"), "<document/>")
    return buf.getvalue()


def plain_zip() -> bytes:
    """A zip with no Office content types (a renamed archive)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


def served_chat(live: str, make: Any) -> SimpleNamespace:
    """A chat the agent serves: the visitor said hello, the agent got it."""
    d = make.desk()
    bench = Recorder(live, "/agent", session=agent_session(live, d.agent.email))
    widget = Recorder(live, "/visitor", auth={"token": d.token})
    first = widget.call("message", {"text": "你好", "client_id": "v-1"})
    assert first["ok"], first
    conv_id = bench.wait_for("conversation.assigned")["conversation"]["id"]
    http = agent_session(live, d.agent.email)
    return SimpleNamespace(d=d, bench=bench, widget=widget, conv_id=conv_id, http=http, live=live)


def close(chat: SimpleNamespace) -> None:
    """Disconnect both sides."""
    chat.widget.close()
    chat.bench.close()


def agent_upload(http: requests.Session, live: str, conv_id: Any, data: bytes, name: str,
                 lang: str = "zh") -> requests.Response:
    """Upload as the workbench does (session cookie and CSRF header)."""
    return http.post(f"{live}/api/workbench/chatfiles", headers={"Accept-Language": lang},
                     files={"file": (name, data, "application/octet-stream")},
                     data={"conversation_id": str(conv_id)}, timeout=10)


def visitor_upload(live: str, token: str, data: bytes, name: str, lang: str = "zh",
                   conversation_id: Any = None) -> requests.Response:
    """Upload as the widget does (the visitor's token)."""
    form = {"conversation_id": str(conversation_id)} if conversation_id is not None else {}
    return requests.post(f"{live}/api/widget/chatfiles?lang={lang}",
                         headers={"Authorization": f"Bearer {token}", "Accept-Language": lang},
                         files={"file": (name, data, "image/png")}, data=form, timeout=10)
