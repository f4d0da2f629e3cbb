"""Console wording shared by several views, wrapped for translation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ORGANIZATION = _l("Organization")
SETTINGS = _l("Settings")
# 客服工作台设置: what shapes the agents' workbench.
WORKBENCH = _l("Workbench settings")
PLATFORM = _l("Platform")
# 知识库: the knowledge console (categories, articles, Q&A entries) and the robots.
KNOWLEDGE = _l("Knowledge base")

ROLE_CHOICES = [
    ("owner", _l("Owner")),
    ("admin", _l("Admin")),
    ("manager", _l("Manager")),
    ("agent", _l("Agent")),
]
STATUS_CHOICES = [("online", _l("Online")), ("busy", _l("Busy")), ("offline", _l("Offline"))]
KIND_CHOICES = [
    ("web", _l("Web widget")),
    ("whatsapp", _l("WhatsApp")),
    ("messenger", _l("Messenger")),
    ("line", _l("LINE")),
    ("api", _l("API")),
]

# Column labels used across views; each view adds its own.
COMMON = {
    "name": _l("Name"),
    "display_name": _l("Display name"),
    "company": _l("Company"),
    "department": _l("Department"),
    "parent": _l("Parent department"),
    "skill_group": _l("Skill group"),
    "sort_order": _l("Sort order"),
    "created_at": _l("Created at"),
    "email": _l("Email"),
    "role": _l("Role"),
    "status": _l("Status"),
    "enabled": _l("Enabled"),
    "kind": _l("Kind"),
    "timezone": _l("Time zone"),
}


def labels(**extra: object) -> dict[str, object]:
    """Return the common column labels plus a view's own."""
    return {**COMMON, **extra}
