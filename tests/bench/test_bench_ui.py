"""`kefu bench ui` runs end to end on a tiny system and prints its figures (not a timed test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KEFU_TEST_CHROMIUM", "/usr/bin/chromium")

if not os.environ.get("CI"):  # CI must run it, never skip (as tests/browser does)
    pytest.importorskip("playwright.sync_api")


def test_bench_ui_prints_snippet_weight_and_times() -> None:
    """The command prints the snippet's bytes, widget/workbench times and the judged goals."""
    if not Path(CHROMIUM).exists():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no Chromium at {CHROMIUM}")
    done = subprocess.run(
        [sys.executable, "-m", "kefu.cli", "bench", "ui", "--runs", "1", "--chats", "3",
         "--history", "40"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)

    snippet = report["snippet"]
    paths = [r["url"] for r in snippet["responses"]]
    assert len(paths) == 1 and paths[0].startswith("/widget/") and paths[0].endswith(".js")
    assert 0 < snippet["gzip_bytes"] < snippet["bytes"] < 60 * 1024
    # Opening the chat loads the page and its scripts (socket.io among them), not before.
    assert report["chat_frame"]["bytes"] > snippet["bytes"]
    assert any(r["url"].endswith("socket.io.min.js") for r in report["chat_frame"]["responses"])

    for key in ("widget_tti_ms", "embed_open_ms", "workbench_tti_ms", "open_history_ms",
                "scroll_to_first_ms"):
        figure = report[key]
        assert 0 < figure["min"] <= figure["median"] <= figure["max"] < 60_000, key
        assert len(figure["runs"]) == 1
    assert report["workbench_list_items"] == 3
    # Scrolling up reaches the first message of the 40-message chat.
    assert report["history_first_message_reached"] is True and report["max_dom_bubbles"] >= 40
    assert set(report["goals"]) == {"snippet_le_60kb_gzip", "widget_tti_le_1000ms",
                                    "workbench_tti_le_2000ms"}
    assert report["goals"]["snippet_le_60kb_gzip"] is True
    assert report["ok"] == all(report["goals"].values())
    assert report["config"]["open_chats"] == 3 and report["config"]["history_messages"] == 40
