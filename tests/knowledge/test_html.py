"""Rich text of articles and answers is sanitised on the server."""

from __future__ import annotations

from kefu.knowledge.html import plain_text, sanitize


def test_script_event_handlers_and_javascript_links_are_stripped():
    """<script>, on* attributes, javascript: links and <style> disappear; safe markup stays."""
    dirty = ('<p onclick="steal()">退款<script>alert(1)</script><b>说明</b></p>'
             '<a href="javascript:alert(1)">x</a><a href="https://example.com/r">ok</a>'
             '<img src="https://example.com/a.png" onerror="alert(1)"><style>p{}</style>'
             '<iframe src="https://evil.test"></iframe>')
    clean = sanitize(dirty)
    for bad in ("<script", "alert(1)", "onclick", "onerror", "javascript:", "<style", "<iframe"):
        assert bad not in clean
    assert "<b>说明</b>" in clean
    assert 'href="https://example.com/r"' in clean
    assert 'src="https://example.com/a.png"' in clean


def test_plain_text_reads_like_the_page():
    """Block ends become line breaks and entities are decoded."""
    assert plain_text("<p>退款 &amp; 发票</p><p>second</p>") == "退款 & 发票\nsecond"
