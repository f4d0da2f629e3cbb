"""Browser-test helpers: Chromium settings, agent login, screenshots, a network switch."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

CHROMIUM = os.environ.get("KEFU_TEST_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home and floods a closed network.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AGENT_PASSWORD = "agent-pass-123"
TIMEOUT_MS = 15_000
# Every run keeps its screenshots here (git-ignored) for CI to collect as artifacts.
SHOTS = Path(os.environ.get("KEFU_SCREENSHOTS") or Path(__file__).parent / "screenshots")


def shot(page: Any, name: str) -> Path:
    """Save a screenshot of the page under SHOTS (KEFU_SCREENSHOTS or tests/browser/screenshots)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def i18n(page: Any, key: str, **vals: Any) -> str:
    """Return a UI string of the page (its KEFU_I18N table) with {placeholders} filled."""
    text = str(page.evaluate("k => window.KEFU_I18N[k]", key))
    return re.sub(r"\{(\w+)\}", lambda m: str(vals[m.group(1)]), text)


def login_agent(context: Any, base: str, email: str, status: str = "online") -> Any:
    """Log an agent in through the real form, open the workbench and pick a status there."""
    page = context.new_page()
    page.goto(f"{base}/login?next=/workbench")
    page.fill("#email", email)
    page.fill("#password", AGENT_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/workbench$"))
    expect(page.locator("#conn")).to_have_text(i18n(page, "online"))
    page.select_option("#status", status)
    # The select is marked once the server acknowledged the new status.
    expect(page.locator("#status")).to_have_attribute("data-saved", status)
    return page


def open_widget(context: Any, base: str, key: str) -> Any:
    """Open the visitor's H5 chat page and wait until its socket is connected."""
    page = context.new_page()
    page.goto(f"{base}/chat/{key}")
    expect(page.locator("#chat")).to_have_attribute("data-conn", "online")
    return page


class NetworkSwitch:
    """Take a browser context off the network and back, WebSockets included.

    `context.set_offline` fails HTTP but leaves WebSockets open (playwright#4910), so every
    Socket.IO WebSocket is routed through Playwright: going offline closes them on both sides
    and refuses new ones until the context is back online.
    """

    def __init__(self, context: Any) -> None:
        self.context = context
        self.offline = False
        self.routes: list[tuple[Any, Any]] = []
        context.route_web_socket(re.compile(r"/socket\.io/"), self._handle)

    def _handle(self, ws: Any) -> None:
        if self.offline:
            ws.close(code=1001, reason="offline")
            return
        self.routes.append((ws, ws.connect_to_server()))

    def go_offline(self) -> None:
        """Fail HTTP and drop every open socket."""
        self.offline = True
        self.context.set_offline(True)
        for ws, server in self.routes:
            server.close(code=1001, reason="offline")
            ws.close(code=1001, reason="offline")
        self.routes.clear()

    def go_online(self) -> None:
        """Let HTTP and new sockets through again."""
        self.offline = False
        self.context.set_offline(False)
