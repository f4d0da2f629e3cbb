"""Writes of quick replies: agents edit their own library; the console edits the company's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..conversations.schemas import load
from ..errors import KefuError
from ..extensions import db
from ..org.models import User
from ..settings.actions import do_delete, do_save
from .access import access_quick_reply
from .models import (
    GROUP_NAME_MAX,
    PERSONAL_GROUPS_MAX,
    PERSONAL_MAX,
    TEXT_MAX,
    TITLE_MAX,
    QuickReply,
    QuickReplyGroup,
)
from .queries import count_personal
from .schemas import GroupSchema, ReplySchema


def _title(value: str) -> str:
    value = value.strip()
    if not value or len(value) > TITLE_MAX:
        raise KefuError("quick_reply_title", fields={"title": [f"1-{TITLE_MAX}"]}, limit=TITLE_MAX)
    return value


def _text(value: str) -> str:
    # Leading/trailing blank lines are noise; inner line breaks are the agent's layout.
    value = value.strip()
    if not value or len(value) > TEXT_MAX:
        raise KefuError("quick_reply_text", fields={"text": [f"1-{TEXT_MAX}"]}, limit=TEXT_MAX)
    return value


def _group_name(value: str) -> str:
    value = value.strip()
    if not value or len(value) > GROUP_NAME_MAX:
        raise KefuError("quick_reply_group_name", fields={"name": [f"1-{GROUP_NAME_MAX}"]},
                        limit=GROUP_NAME_MAX)
    return value


def check_reply_group(reply: QuickReply) -> None:
    """Refuse a group of another library: company replies in company groups, personal in the owner's."""
    if reply.group_id is None:
        return
    group = db.session.get(QuickReplyGroup, reply.group_id)
    if group is None or group.company_id != reply.company_id or group.owner_id != reply.owner_id:
        raise KefuError("quick_reply_group", fields={"group_id": ["another library"]})


def check_group_name_free(group: QuickReplyGroup) -> None:
    """Refuse a second group of the same name in one library."""
    owner = (QuickReplyGroup.owner_id.is_(None) if group.owner_id is None
             else QuickReplyGroup.owner_id == group.owner_id)
    taken = db.session.scalar(select(func.count(QuickReplyGroup.id)).where(
        QuickReplyGroup.company_id == group.company_id, owner, QuickReplyGroup.name == group.name,
        QuickReplyGroup.id != (group.id or 0),
    ))
    if taken:
        raise KefuError("duplicate", status=409, fields={"name": ["taken"]})


def check_create_reply(user: User, data: Any) -> QuickReply:
    """Validate and add a reply to the agent's own library."""
    fields = load(ReplySchema(), data)
    if count_personal(user)[0] >= PERSONAL_MAX:
        raise KefuError("quick_reply_limit", status=409, limit=PERSONAL_MAX)
    reply = QuickReply(company_id=user.company_id, owner_id=user.id, title=_title(fields["title"]),
                       text=_text(fields["text"]), group_id=fields["group_id"],
                       sort_order=fields["sort_order"])
    check_reply_group(reply)
    return do_save(user.id, reply, created=True)  # type: ignore[no-any-return]


def check_update_reply(user: User, reply_id: Any, data: Any) -> QuickReply:
    """Validate and change one of the agent's own replies."""
    reply = access_quick_reply(user, QuickReply, reply_id, write=True)
    fields = load(ReplySchema(), data)
    with db.session.no_autoflush:  # the audit row reads the pending changes
        reply.title = _title(fields["title"])
        reply.text = _text(fields["text"])
        reply.group_id = fields["group_id"]
        reply.sort_order = fields["sort_order"]
        try:
            check_reply_group(reply)
        except KefuError:
            db.session.rollback()
            raise
        return do_save(user.id, reply, created=False)  # type: ignore[no-any-return]


def check_delete_reply(user: User, reply_id: Any) -> None:
    """Delete one of the agent's own replies."""
    do_delete(user.id, access_quick_reply(user, QuickReply, reply_id, write=True))


def check_create_group(user: User, data: Any) -> QuickReplyGroup:
    """Validate and add a group to the agent's own library."""
    fields = load(GroupSchema(), data)
    if count_personal(user)[1] >= PERSONAL_GROUPS_MAX:
        raise KefuError("quick_reply_limit", status=409, limit=PERSONAL_GROUPS_MAX)
    group = QuickReplyGroup(company_id=user.company_id, owner_id=user.id,
                            name=_group_name(fields["name"]), sort_order=fields["sort_order"])
    check_group_name_free(group)
    return do_save(user.id, group, created=True)  # type: ignore[no-any-return]


def check_update_group(user: User, group_id: Any, data: Any) -> QuickReplyGroup:
    """Rename or reorder one of the agent's own groups."""
    group = access_quick_reply(user, QuickReplyGroup, group_id, write=True)
    fields = load(GroupSchema(), data)
    with db.session.no_autoflush:
        group.name = _group_name(fields["name"])
        group.sort_order = fields["sort_order"]
        try:
            check_group_name_free(group)
        except KefuError:
            db.session.rollback()
            raise
        return do_save(user.id, group, created=False)  # type: ignore[no-any-return]


def check_delete_group(user: User, group_id: Any) -> None:
    """Delete one of the agent's own groups; its replies stay, ungrouped."""
    do_delete_group(user.id, access_quick_reply(user, QuickReplyGroup, group_id, write=True))


def do_delete_group(actor_id: int | None, group: QuickReplyGroup) -> None:
    """Ungroup the group's replies and delete it (the console and the workbench both come here)."""
    for reply in db.session.scalars(select(QuickReply).where(QuickReply.group_id == group.id)):
        reply.group_id = None
    do_delete(actor_id, group)


def do_seed(company_id: int, rows: list[dict[str, Any]]) -> None:
    """Add the demo company's shared replies, each category becoming a company group."""
    groups: dict[str, QuickReplyGroup] = {}
    for row in rows:
        name = str(row.get("category") or "").strip()
        if name and name not in groups:
            groups[name] = do_save(None, QuickReplyGroup(company_id=company_id, name=name,
                                                         sort_order=len(groups)), created=True)
        do_save(None, QuickReply(company_id=company_id, title=row["title"], text=row["text"],
                                 group_id=groups[name].id if name else None), created=True)
