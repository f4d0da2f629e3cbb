"""Browser fixtures: one headless Chromium per module, isolated contexts per person."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("CI"):
    import playwright.sync_api as sync_api  # CI must run the browser tests, never skip them
else:
    sync_api = pytest.importorskip("playwright.sync_api")

from .helpers import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS  # noqa: E402 - needs playwright


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole module."""
    if not Path(CHROMIUM).exists():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def new_context(chromium: Any) -> Iterator[Callable[..., Any]]:
    """Open isolated browser contexts (a visitor's, an agent's …); all closed after the test."""
    opened: list[Any] = []

    def factory(**options: Any) -> Any:
        options.setdefault("locale", "zh-CN")
        options.setdefault("viewport", {"width": 1100, "height": 720})
        context = chromium.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    yield factory
    for context in opened:
        context.close()


@pytest.fixture()
def host_site() -> Iterator[Callable[[str], str]]:
    """Serve HTML pages of a third-party site on another loopback port; returns put(html) -> URL.

    A real server rather than a routed fake domain: Chromium's private-network rules block a
    public page from loading scripts off 127.0.0.1, which a routed example.com page would be.
    """
    pages: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"not found")

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def put(html: str, path: str = "/product/42") -> str:
        pages[path] = html.encode()
        return f"http://localhost:{server.server_address[1]}{path}"

    yield put
    server.shutdown()
    server.server_close()
    thread.join(5)
