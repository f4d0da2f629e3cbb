"""The widget's pre-chat form (询前表单): the fields the visitor's reception plan asks for.

The plan's `pre_chat_form` action lists name / phone / email; the widget asks only for the ones
the visitor's profile lacks, before their first message, and sends them here. Values are checked
as the agent's profile edits are (formats, and a phone or e-mail already on another visitor is
refused — without saying whose, since the visitor is a stranger). Skipping is the widget's
business and only offered when the plan marks the form skippable; nothing is stored for a skip.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from ..channels.models import Channel
from ..conversations.schemas import load
from ..dblock import serialized
from ..errors import KefuError
from ..extensions import db
from ..realtime.events import publish
from ..visitors import token as tokens
from ..visitors.models import Visitor
from ..visitors.profile import clean_contacts, lock_profiles, refuse_taken

FIELDS = ("name", "phone", "email")


class PrechatSchema(Schema):
    """What the form sends: the visitor's token and the values typed."""

    class Meta:
        unknown = EXCLUDE

    token = fields.String(required=True, validate=validate.Length(min=1, max=2048))
    name = fields.String(load_default="", validate=validate.Length(max=120))
    phone = fields.String(
        load_default="",
        validate=validate.Regexp(r"^$|^\s*\+?[0-9][0-9 ()\-]{3,30}\s*$",
                                 error="digits, spaces, - ( ) and a leading +"),
    )
    email = fields.String(load_default="", validate=validate.Length(max=254))


def missing_fields(visitor: Visitor, asked: list[str]) -> list[str]:
    """Return the asked fields the visitor's profile has no value for, in form order."""
    return [f for f in FIELDS if f in asked and not (getattr(visitor, f) or "").strip()]


def check_prechat(channel: Channel, data: Any) -> Visitor:
    """Validate a pre-chat form for this channel's visitor and save it; raise KefuError otherwise."""
    from ..decisions.apply import do_widget_reception

    raw = load(PrechatSchema(), data)
    claims = tokens.verify(raw["token"])
    visitor = db.session.get(Visitor, claims.visitor_id)
    if claims.channel_id != channel.id or visitor is None:
        raise KefuError("invalid_token", status=401)
    # The plan decides what is asked now (the form the page shows may be stale).
    asked = do_widget_reception(channel, visitor)["pre_chat_form"] or []
    wanted = missing_fields(visitor, asked)
    typed = {f: raw[f].strip() for f in FIELDS if f in asked and raw[f].strip()}
    empty = [f for f in wanted if f not in typed]
    if empty:
        raise KefuError("prechat_required", fields={f: ["required"] for f in empty})
    values: dict[str, str] = {}
    if "name" in typed:
        values["name"] = typed["name"]
    values.update(clean_contacts({k: v for k, v in typed.items() if k in ("phone", "email")}))
    with serialized():
        lock_profiles(visitor.company_id)
        visitor = db.session.get(Visitor, visitor.id, populate_existing=True)
        assert visitor is not None
        refuse_taken(visitor, values, code_prefix="prechat")
        return do_save_prechat(visitor, values)


def do_save_prechat(visitor: Visitor, values: dict[str, str]) -> Visitor:
    """Save the form's values on the visitor; the agents of their open chats hear it after commit."""
    from ..visitors.queries import agent_targets, profile_dict

    changed = False
    for key, value in values.items():
        if value and getattr(visitor, key) != value:
            setattr(visitor, key, value)
            changed = True
    targets = agent_targets(visitor) if changed else []
    if targets:  # publish delivers once the commit below succeeds
        db.session.flush()
        publish({"type": "visitor.updated", "visitor_id": visitor.id, "profile": profile_dict(visitor)},
                *targets)
    db.session.commit()
    return visitor
