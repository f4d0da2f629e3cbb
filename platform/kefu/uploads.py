"""Uploaded files: what the bytes really are, where they are kept, how they are served back."""

from __future__ import annotations

import io
import os
import secrets
import zipfile
from pathlib import Path

from flask import Response, current_app, send_file

# Magic numbers of the types we recognise; anything else is refused whatever its name says.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")
ZIP = "application/zip"
# Office Open XML documents are zip files; their [Content_Types].xml names the main part.
_OFFICE = (
    (b"wordprocessingml.document.main+xml",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"spreadsheetml.sheet.main+xml",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"presentationml.presentation.main+xml",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def sniff(data: bytes) -> str | None:
    """The content type the bytes themselves show, or None when we do not recognise them.

    Pass the whole file: a zip is told apart (docx, xlsx, plain zip) by what it contains.
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(data)
    head = data[:512]
    if not head or b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A cut in the middle of a multi-byte character at the end of the sample is fine.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    lowered = text.lstrip().lower().encode()
    if any(lowered.startswith(m) for m in _MARKUP):
        return None  # markup is refused as text: it must never be rendered by a browser
    return "text/plain"


def _zip_kind(data: bytes) -> str | None:
    """An Office document by its declared main part, else a plain zip; None when it is no zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "[Content_Types].xml" in names:
                declared = z.read("[Content_Types].xml")[:200_000]
                for marker, kind in _OFFICE:
                    if marker in declared:
                        return kind
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    return ZIP


def human_size(n: int) -> str:
    """A size as people read it: MB above a megabyte, else KB."""
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def clean_name(filename: str) -> str:
    """The last path part of a client's file name, trimmed; "file" when nothing is left."""
    return os.path.basename(filename.replace("\\", "/")).strip()[:200] or "file"


def upload_dir() -> Path:
    """Where files are kept (KEFU_UPLOAD_DIR, else <instance>/uploads)."""
    configured = current_app.config.get("KEFU_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def keep(folder: str, data: bytes) -> tuple[str, str]:
    """Write bytes under a fresh random key, readable by this process only; return (key, path)."""
    key = secrets.token_urlsafe(24)
    rel = f"{folder}/{key}"  # no extension: nothing here is ever executed
    path = upload_dir() / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return key, rel


def stored_path(rel: str) -> Path:
    """Where a kept file's bytes are."""
    return upload_dir() / rel


def serve(path: Path, mimetype: str, name: str, inline: bool = False) -> Response:
    """Send a kept file with its sniffed type only; inline is for images, the rest downloads."""
    resp = send_file(path, mimetype=mimetype, as_attachment=not inline, download_name=name,
                     max_age=0)
    resp.headers["X-Content-Type-Options"] = "nosniff"  # the browser must not guess another type
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # A kept file never changes under its key: a chat's images need not be fetched on every redraw.
    resp.headers["Cache-Control"] = "private, max-age=86400, immutable" if inline else "private, no-store"
    return resp
