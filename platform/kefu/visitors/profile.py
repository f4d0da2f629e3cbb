"""Visitor-profile writes of the workbench's visitor panel, and the browsing trail (visits, pages)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from marshmallow import ValidationError, validate
from sqlalchemy import delete, func, select

from ..audit.actions import changes_of, record
from ..conversations.access import access_conversation
from ..conversations.schemas import load
from ..dblock import is_sqlite, serialized
from ..errors import KefuError
from ..extensions import db
from ..org.models import User
from ..realtime.events import publish
from ..timeutil import utcnow
from . import token as tokens
from .fields import clean_value, company_fields
from .models import Visitor
from .pageviews import TITLE_MAX, TRAIL_MAX, URL_MAX, PageView
from .schemas import PageViewSchema, ProfileSchema

# An opening of the widget after this long away counts as a new visit (as web analytics count).
VISIT_GAP = timedelta(minutes=30)
# Trail entries the widget reports may be late (sent when the chat opens) but not from the future.
TRAIL_PAST = timedelta(days=7)
SAME_VIEW = timedelta(seconds=60)
# Advisory-lock key space of the duplicate phone/email check (PostgreSQL), apart from others'.
_PROFILE_LOCK_SPACE = 0x7600_0000


def add_page_views(visitor: Visitor, views: list[tuple[str, str, datetime]]) -> int:
    """Add pages to the visitor's trail in the current transaction, keep the last 50; return how many.

    The same page within a minute of a stored view of it (a reload, a replayed report, or the widget
    reporting the page it opened on) is that view again: it only fills in a missing title.
    """
    added = 0
    for url, title, at in sorted(views, key=lambda v: v[2]):
        url, title = url[:URL_MAX], title[:TITLE_MAX]
        near = db.session.scalars(select(PageView).where(
            PageView.visitor_id == visitor.id, PageView.url == url,
            PageView.viewed_at >= at - SAME_VIEW, PageView.viewed_at <= at + SAME_VIEW).limit(1)).first()
        if near is not None:
            if title and not near.title:
                near.title = title
                added += 1  # the trail shown changed
            continue
        db.session.add(PageView(company_id=visitor.company_id, visitor_id=visitor.id,
                                visit=visitor.visit_count or 0, url=url, title=title, viewed_at=at))
        db.session.flush()  # the next view of the same batch sees this one
        added += 1
    if added:
        db.session.flush()
        keep = select(PageView.id).where(PageView.visitor_id == visitor.id).order_by(
            PageView.viewed_at.desc(), PageView.id.desc()).limit(TRAIL_MAX)
        db.session.execute(delete(PageView).where(
            PageView.visitor_id == visitor.id, PageView.id.not_in(keep.scalar_subquery())
        ).execution_options(synchronize_session=False))
    return added


def check_page_views(claims: tokens.VisitorClaims, data: Any) -> int:
    """Validate pages the widget reports for its visitor; store them; return how many were new."""
    fields = load(PageViewSchema(), data)
    visitor = db.session.get(Visitor, claims.visitor_id)
    if visitor is None or visitor.company_id != claims.company_id:
        raise KefuError("invalid_token", status=401)
    now = utcnow()
    views = []
    for view in fields["views"]:
        url = view["url"].strip()
        if not url.lower().startswith(("http://", "https://")):
            continue  # javascript:, data: and the like are not pages of the site
        at = now
        if view["at"] is not None:
            try:
                at = datetime.fromtimestamp(view["at"] / 1000, tz=UTC)
            except (OverflowError, OSError, ValueError):
                at = now
            at = min(max(at, now - TRAIL_PAST), now)
        views.append((url, view["title"].strip(), at))
    return do_record_page_views(visitor, views)


def do_record_page_views(visitor: Visitor, views: list[tuple[str, str, datetime]]) -> int:
    """Store reported pages; tell the agents of the visitor's open chats after commit."""
    from .queries import agent_targets, trail

    added = add_page_views(visitor, views) if views else 0
    targets = agent_targets(visitor) if added else []
    if added and targets:  # publish delivers once the commit below succeeds
        publish({"type": "visitor.trail", "visitor_id": visitor.id, "trail": trail(visitor.id)}, *targets)
    db.session.commit()
    return added


def _phone(value: str) -> str:
    """Keep a leading + and the digits: "+86 138-0000 0000" and "+8613800000000" are one number."""
    value = value.strip()
    return ("+" if value.startswith("+") else "") + re.sub(r"\D", "", value)


def lock_profiles(company_id: int) -> None:
    """Serialize duplicate checks of one company's profiles until the caller commits."""
    if is_sqlite():
        return  # the caller holds dblock.serialized
    db.session.execute(select(func.pg_advisory_xact_lock(_PROFILE_LOCK_SPACE + company_id, 0)))


def _taken(company_id: int, visitor_id: int, column: Any, value: str) -> int | None:
    return db.session.scalar(select(Visitor.id).where(
        Visitor.company_id == company_id, Visitor.id != visitor_id, column == value).limit(1))


def check_update_profile(agent: User, data: Any) -> Visitor:
    """Validate an agent's edit of the visitor of a chat they can see; save it.

    A phone or e-mail already on another visitor of the company is refused (visitor_phone_taken /
    visitor_email_taken, naming that visitor) rather than saved twice: merge is a separate step.
    """
    fields = load(ProfileSchema(), data)
    conv = access_conversation(agent, fields.pop("conversation_id"))  # foreign or hidden: not found
    values: dict[str, Any] = {}
    if "name" in fields:
        values["name"] = fields["name"].strip()
    if "remark" in fields:
        values["remark"] = fields["remark"].strip()
    if "vip_level" in fields:
        values["vip_level"] = fields["vip_level"]
    values.update(clean_contacts(fields))
    if "tags" in fields:
        tags: list[str] = []
        for tag in fields["tags"]:
            tag = tag.strip()
            if tag and tag not in tags:
                tags.append(tag)
        values["tags"] = tags
    if "custom" in fields:
        by_key = {f.key: f for f in company_fields(conv.company_id)}
        custom: dict[str, Any] = {}
        for key, raw in fields["custom"].items():
            field = by_key.get(key)
            if field is None:
                raise KefuError("visitor_field_unknown", fields={"custom": {key: ["unknown"]}}, key=key)
            try:
                custom[key] = clean_value(field, raw)
            except ValueError as exc:
                raise KefuError("visitor_field_invalid", fields={"custom": {key: [field.kind]}},
                                label=field.label) from exc
        values["custom"] = custom
    with serialized():
        lock_profiles(conv.company_id)
        visitor = db.session.get(Visitor, conv.visitor_id, populate_existing=True)
        assert visitor is not None
        refuse_taken(visitor, values)
        return do_update_profile(agent, visitor, values)


def clean_contacts(fields: dict[str, Any]) -> dict[str, str]:
    """Normalize a loaded phone and e-mail; refuse malformed ones (also the widget's pre-chat form)."""
    values: dict[str, str] = {}
    if "phone" in fields:
        values["phone"] = _phone(fields["phone"])
        if values["phone"] and not 5 <= len(values["phone"].lstrip("+")) <= 20:
            raise KefuError("visitor_phone_invalid", fields={"phone": ["5-20 digits"]})
    if "email" in fields:
        values["email"] = fields["email"].strip().lower()
        if values["email"]:
            try:
                validate.Email()(values["email"])
            except ValidationError as exc:
                raise KefuError("visitor_email_invalid", fields={"email": ["not an e-mail"]}) from exc
    return values


def refuse_taken(visitor: Visitor, values: dict[str, Any], code_prefix: str = "visitor") -> None:
    """Refuse a phone or e-mail already on another visitor of the company.

    Call inside `serialized()` after `lock_profiles`. The agent's codes name the other visitor;
    the widget passes its own prefix (prechat), whose messages do not.
    """
    if values.get("phone"):
        other = _taken(visitor.company_id, visitor.id, Visitor.phone, values["phone"])
        if other is not None:
            raise KefuError(f"{code_prefix}_phone_taken", status=409, fields={"phone": ["taken"]},
                            other=other)
    if values.get("email"):
        other = _taken(visitor.company_id, visitor.id, func.lower(Visitor.email), values["email"])
        if other is not None:
            raise KefuError(f"{code_prefix}_email_taken", status=409, fields={"email": ["taken"]},
                            other=other)


def do_update_profile(actor: User, visitor: Visitor, values: dict[str, Any]) -> Visitor:
    """Save profile values (audited); the agents of the visitor's open chats are told after commit."""
    from .queries import agent_targets, profile_dict

    for key, value in values.items():
        if key == "custom":
            merged = dict(visitor.custom or {})
            for name, item in value.items():
                if item is None:
                    merged.pop(name, None)
                else:
                    merged[name] = item
            visitor.custom = merged  # a new dict: JSON columns do not notice in-place changes
        else:
            setattr(visitor, key, value)
    changes = changes_of(visitor)
    if changes:
        record(actor.id, "visitor_profile", visitor, visitor.company_id, changes)
    targets = agent_targets(visitor)
    if changes and targets:  # publish delivers once the commit below succeeds
        publish({"type": "visitor.updated", "visitor_id": visitor.id, "profile": profile_dict(visitor)},
                *targets, skip_origin=True)
    db.session.commit()
    return visitor
