"""Marshmallow schemas for what visitors, agents and admins send about ratings."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from .models import COMMENT_MAX, COMMENT_MODES, SCALES


class StrictBool(fields.Field):
    """true, false or null, nothing else ("yes", 1 and "false" are refused)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise ValidationError("must be true, false or null")


class SubmitSchema(Schema):
    """A visitor's rating of one of their conversations."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    score = fields.Integer(required=True, strict=True)
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=60)), load_default=list,
                       validate=validate.Length(max=20))
    # The length limit is checked after stripping, with its own message.
    comment = fields.String(load_default="", validate=validate.Length(max=COMMENT_MAX * 4))
    solved = StrictBool(load_default=None, allow_none=True)
    client_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=64))


class InviteSchema(Schema):
    """An agent invites the visitor of a conversation to rate it."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class SchemeAskSchema(Schema):
    """A widget asks which scheme applies to a conversation (to rate without an invitation)."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class SchemeSchema(Schema):
    """The plain fields of a rating scheme as the console saves them."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(load_default="", validate=validate.Length(max=120))
    scale = fields.String(required=True, validate=validate.OneOf(SCALES))
    comment_mode = fields.String(required=True, validate=validate.OneOf(COMMENT_MODES))
    invite_text_zh = fields.String(load_default="", validate=validate.Length(max=500))
    invite_text_en = fields.String(load_default="", validate=validate.Length(max=500))
    thanks_text_zh = fields.String(load_default="", validate=validate.Length(max=500))
    thanks_text_en = fields.String(load_default="", validate=validate.Length(max=500))
