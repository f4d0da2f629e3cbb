"""What the queue tells a visitor when the company wrote nothing itself (zh and en)."""

from __future__ import annotations

DEFAULTS: dict[str, tuple[str, str]] = {
    "queue_full": (
        "当前排队人数已满，请留言，我们会尽快联系您。",
        "The queue is full right now. Please leave us a message and we will get back to you.",
    ),
    "queue_timeout": (
        "您已经等待了较长时间，可以选择继续排队，或者给我们留言。",
        "You have been waiting for a while. You can keep waiting or leave us a message.",
    ),
    "queue_abandoned": (
        "由于长时间未响应，本次排队已自动结束。",
        "You did not answer for a while, so you have left the queue.",
    ),
}


def text_for(kind: str, custom: str | None, language: str | None) -> str:
    """The company's own text if it wrote one, else the default in the visitor's language."""
    if custom and custom.strip():
        return custom.strip()
    zh, en = DEFAULTS[kind]
    return en if (language or "").lower().startswith("en") else zh
