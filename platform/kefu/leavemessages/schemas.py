"""Marshmallow schema of the leave-message form a visitor submits."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from .models import STATUSES

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


class EnvelopeSchema(Schema):
    """What every submission carries besides its fields: the client id and the offering chat."""

    class Meta:
        unknown = EXCLUDE

    client_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    conversation_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=1))


class IdSchema(Schema):
    """A leave message named by id."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class StatusSchema(IdSchema):
    """A status change."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class AssignSchema(IdSchema):
    """Give a message to an agent and/or a group; neither means back to the pool."""

    agent_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    group_id = fields.Integer(load_default=None, allow_none=True, strict=True)


class ReplySchema(IdSchema):
    """An agent's reply and the status the message goes to."""

    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    status = fields.String(load_default="done", validate=validate.OneOf(("processing", "done")))
