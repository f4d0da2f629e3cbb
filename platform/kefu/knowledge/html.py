"""Rich text of articles and answers: sanitised on the server (ammonia via nh3), and its plain text."""

from __future__ import annotations

import html
import re

import nh3

# What the console's editor produces and the workbench / widget can show; anything else (script,
# style, iframe, form, on* attributes, javascript: and data: URLs) is removed by ammonia.
TAGS = frozenset({
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "img",
    "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
})
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_BLOCK = re.compile(r"</?(?:p|div|br|li|tr|h[1-4]|blockquote|pre|hr)\b[^>]*>", re.I)
_SPACE = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")


def sanitize(value: str) -> str:
    """Return the HTML with only safe tags, attributes and URL schemes left."""
    return nh3.clean(value, tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer nofollow",
                     strip_comments=True)


def plain_text(value: str) -> str:
    """The text a reader sees in sanitised HTML (block ends become line breaks)."""
    text = _BLOCK.sub("\n", value)
    text = html.unescape(nh3.clean(text, tags=set()))
    text = _SPACE.sub(" ", text)
    return _LINES.sub("\n", text).strip()
