"""Marshmallow schema of the leave-message form a visitor submits."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

# Digits with an optional leading +, spaces, dashes and brackets: 6-20 characters.
PHONE_PATTERN = r"^\+?[0-9][0-9 \-()]{4,18}[0-9]$"
FIELD_NAMES = ("name", "phone", "email", "content")


class LeaveMessageSchema(Schema):
    """A leave message: the offered form's fields, a required content and a client id."""

    class Meta:
        unknown = EXCLUDE

    client_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    conversation_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=1))
    name = fields.String(load_default="", validate=validate.Length(max=60))
    phone = fields.String(load_default="", validate=validate.Regexp(PHONE_PATTERN))
    email = fields.Email(load_default="", validate=validate.Length(max=254))
    content = fields.String(required=True, validate=validate.Length(min=1, max=2000))
