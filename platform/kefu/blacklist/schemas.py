"""Marshmallow schema of an agent's request to blacklist a visitor."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class BlacklistSchema(Schema):
    """Blacklist the visitor of a conversation: reason and duration are checked by the action."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    reason = fields.String(load_default="")
    duration = fields.String(load_default="")
