"""The robot's built-in texts (a robot's own texts, when set, replace them) and language choice."""

from __future__ import annotations

import re

from .models import Robot

_CJK = re.compile("[\u3400-\u9fff]")
_LATIN = re.compile("[A-Za-z]")

DEFAULTS = {
    "greeting": ("您好，我是智能客服，请问有什么可以帮您？",
                 "Hello, I'm the virtual assistant. How can I help you?"),
    "unknown": ("抱歉，这个问题我还不会回答。您可以换个说法，或点击“转人工”联系人工客服。",
                "Sorry, I don't know the answer yet. Try asking another way, or choose "
                "\"Talk to an agent\"."),
    "suggest": ("您是不是想问：", "Did you mean:"),
    "transfer": ("正在为您转接人工客服，请稍候。", "Connecting you to an agent, please wait."),
    "robot_only": ("抱歉，当前仅提供智能客服服务，无法转接人工。您可以留言，我们会尽快联系您。",
                   "Sorry, only the virtual assistant is available here, so I can't connect you "
                   "to an agent. You can leave us a message and we'll get back to you."),
}


def language_of(text: str, fallback: str = "zh") -> str:
    """"zh" for a question with Chinese characters, "en" for one in Latin letters only."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return "en" if fallback.lower().startswith("en") else "zh"


def robot_text(robot: Robot | None, name: str, lang: str) -> str:
    """A robot's text in the visitor's language (its own if set, else the built-in one)."""
    own = {
        "greeting": ("greeting", "greeting_en"),
        "unknown": ("unknown_text", "unknown_text_en"),
        "suggest": ("suggest_intro", "suggest_intro_en"),
    }.get(name)
    if robot is not None and own is not None:
        zh, en = (getattr(robot, f) or "" for f in own)
        chosen = (en or zh) if lang == "en" else (zh or en)
        if chosen.strip():
            return chosen.strip()
    pair = DEFAULTS[name]
    return pair[1] if lang == "en" else pair[0]
