"""In headless Chromium: images and files both ways between the workbench and the widget."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.settings.actions import check_save_company_settings

from ..chatfiles.helpers import PDF, png
from .helpers import login_agent, open_widget, shot

pytestmark = pytest.mark.browser


def _served(live: str, make: Any, new_context: Any) -> tuple[Any, Any, Any]:
    """A visitor's chat open on an online agent's workbench: (company, workbench page, widget page)."""
    company = make.company()
    group = make.group(company)
    agent = make.user(company, groups=[group])
    channel = make.channel(company, group)
    bench = login_agent(new_context(), live, agent.email)
    widget = open_widget(new_context(viewport={"width": 400, "height": 680}), live, channel.key)
    widget.fill("#text", "你好，我发个截图")
    widget.click("#send")
    expect(bench.locator("#messages li.msg-visitor").filter(has_text="我发个截图")).to_be_visible()
    expect(bench.locator("#cf-attach")).to_be_enabled()
    expect(widget.locator("#cf-attach")).to_be_visible()
    return company, bench, widget


def test_agent_sends_an_image_the_visitor_opens_the_preview(live, make, new_context, tmp_path):
    """The agent attaches a PNG; both sides show a thumbnail, the visitor opens it full size, Esc closes."""
    _company, bench, widget = _served(live, make, new_context)
    image = tmp_path / "截图.png"
    image.write_bytes(png(120, 80))
    bench.set_input_files("#cf-pick", str(image))
    thumb = widget.locator("#messages li.msg-agent .cf-thumb img")
    expect(thumb).to_be_visible()
    expect(thumb).to_have_attribute("alt", "截图.png")
    # The visitor's image came through the token-authorized fetch and really decoded.
    widget.wait_for_function(
        "() => { const i = document.querySelector('#messages li.msg-agent .cf-thumb img');"
        " return i && i.complete && i.naturalWidth === 120; }")
    expect(bench.locator("#messages li.msg-agent .cf-thumb img")).to_be_visible()
    expect(bench.locator("#conversations .conv-preview")).to_have_text("[图片] 截图.png")
    shot(bench, "chatfiles-workbench-image-sent")
    shot(widget, "chatfiles-widget-image-thumbnail")
    widget.locator("#messages li.msg-agent .cf-thumb").click()
    box = widget.locator(".cf-lightbox")
    expect(box).to_be_visible()
    widget.wait_for_function("() => document.querySelector('.cf-lightbox img').naturalWidth === 120")
    shot(widget, "chatfiles-widget-image-preview")
    widget.keyboard.press("Escape")
    expect(box).to_be_hidden()
    shot(widget, "chatfiles-widget-preview-closed")
    # A screenshot pasted into the reply box and a file dropped onto it are sent the same way.
    bench.evaluate("""b64 => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const paste = new DataTransfer();
        paste.items.add(new File([bytes], "pasted.png", {type: "image/png"}));
        const ev = new ClipboardEvent("paste", {clipboardData: paste, bubbles: true});
        document.getElementById("text").dispatchEvent(ev);
    }""", base64.b64encode(png(40, 30)).decode())
    expect(widget.locator("#messages li.msg-agent .cf-thumb img")).to_have_count(2)
    bench.evaluate("""() => {
        const drop = new DataTransfer();
        drop.items.add(new File(["总计 42 元"], "notes.txt", {type: "text/plain"}));
        const ev = new DragEvent("drop", {dataTransfer: drop, bubbles: true, cancelable: true});
        document.getElementById("composer").dispatchEvent(ev);
    }""")
    expect(widget.locator("#messages li.msg-agent .cf-file .cf-name")).to_have_text("notes.txt")
    shot(bench, "chatfiles-workbench-paste-and-drop")


def test_visitor_sends_a_pdf_the_agent_downloads_it(live, make, new_context, tmp_path):
    """The visitor attaches a PDF; the agent sees a card with its name and size and downloads the file."""
    _company, bench, widget = _served(live, make, new_context)
    doc = tmp_path / "发票.pdf"
    doc.write_bytes(PDF)
    widget.set_input_files("#cf-pick", str(doc))
    card = bench.locator("#messages li.msg-visitor .cf-file")
    expect(card.locator(".cf-name")).to_have_text("发票.pdf")
    expect(card.locator(".cf-size")).to_have_text(f"{len(PDF)} B")
    expect(widget.locator("#messages li.msg-visitor .cf-file .cf-name")).to_have_text("发票.pdf")
    shot(widget, "chatfiles-widget-pdf-sent")
    shot(bench, "chatfiles-workbench-pdf-card")
    with bench.expect_download() as info:
        card.locator(".cf-download").click()
    download = info.value
    assert download.suggested_filename == "发票.pdf"
    assert Path(download.path()).read_bytes() == PDF
    # The visitor can fetch their own file back too (through the token, as an object URL).
    with widget.expect_download() as mine:
        widget.locator("#messages li.msg-visitor .cf-download").click()
    assert Path(mine.value.path()).read_bytes() == PDF
    shot(bench, "chatfiles-workbench-pdf-downloaded")


def test_an_oversized_file_is_refused_with_the_limit_shown(live, make, new_context, tmp_path):
    """Above the company's limit the widget and the workbench say so, in the page's language, and
    no message is sent."""
    company, bench, widget = _served(live, make, new_context)
    check_save_company_settings(None, company.id, {"recall_seconds": 120, "file_max_mb": 1,
                                                   "file_types": "application/pdf,image/png",
                                                   "visitor_files": True}, section="workbench")
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF + b"0" * (1024 * 1024))
    widget.set_input_files("#cf-pick", str(big))
    expect(widget.locator("#chat-error")).to_have_text("文件超过 1 MB 的大小限制")
    shot(widget, "chatfiles-widget-too-large")
    bench.set_input_files("#cf-pick", str(big))
    expect(bench.locator("#wb-error")).to_have_text("文件超过 1 MB 的大小限制")
    shot(bench, "chatfiles-workbench-too-large")
    expect(widget.locator("#messages .cf-file")).to_have_count(0)
    expect(bench.locator("#messages .cf-file")).to_have_count(0)
