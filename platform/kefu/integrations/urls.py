"""URL templates of integration pages: validate them, fill them in (pure, no Flask)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

VARIABLES = ("visitor_id", "visitor_name", "partner_id", "conversation_id", "agent_id",
             "agent_email", "company", "token")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Whatever is left once placeholders are cut out must be a plain URL: no spaces, quotes, angle
# brackets or control characters that a browser would strip or reinterpret.
_BAD_CHARS = re.compile(r"[\s\"'<>\\`\x00-\x1f\x7f]")


class TemplateError(ValueError):
    """Why a URL template was refused: a KefuError code plus its parameters."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def check_template(template: str) -> str:
    """Return the stripped template if it is an absolute http(s) URL with known variables."""
    text = (template or "").strip()
    if not text:
        raise TemplateError("integration_url_scheme")
    # The scheme first: a javascript:/data: template is refused as such, whatever else is wrong.
    if urlsplit(text).scheme.lower() not in ("http", "https") or "//" not in text:
        raise TemplateError("integration_url_scheme")
    for name in _PLACEHOLDER.findall(text):
        if name not in VARIABLES:
            raise TemplateError("integration_url_variable", name=name[:40])
    # Judge the URL as it would look with every variable filled in.
    sample = _PLACEHOLDER.sub("x", text)
    if "{" in sample or "}" in sample or _BAD_CHARS.search(sample):
        raise TemplateError("integration_url_malformed")
    parts = urlsplit(sample)
    if not parts.netloc or "{" in re.split(r"[/?#]", text.split("//", 1)[1], maxsplit=1)[0]:
        # A variable in the host would let a visitor's name choose the server the agent loads.
        raise TemplateError("integration_url_malformed")
    try:
        parts.port  # noqa: B018 - raises on a non-numeric port
    except ValueError as exc:
        raise TemplateError("integration_url_malformed") from exc
    if not parts.hostname:
        raise TemplateError("integration_url_malformed")
    return text


def render(template: str, values: dict[str, str]) -> str:
    """Fill the placeholders with URL-encoded values (a missing one becomes empty)."""

    def one(match: re.Match[str]) -> str:
        return quote(str(values.get(match.group(1), "")), safe="")

    return _PLACEHOLDER.sub(one, template)
