"""Marshmallow schemas of the chat pane's socket events."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


def _id() -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class RecallSchema(Schema):
    """Recall (撤回) one's own message."""

    class Meta:
        unknown = EXCLUDE

    message_id = _id()


class ReadSchema(Schema):
    """Mark a conversation read up to a message id."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = _id()
    up_to_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class AgentTypingSchema(Schema):
    """An agent starts or stops typing in a conversation."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = _id()
    typing = fields.Boolean(load_default=True)


class VisitorTypingSchema(Schema):
    """A visitor starts or stops typing."""

    class Meta:
        unknown = EXCLUDE

    typing = fields.Boolean(load_default=True)


class StateSchema(Schema):
    """Ask for the read marks (and the recall window) of conversations."""

    class Meta:
        unknown = EXCLUDE

    conversation_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1)), load_default=list,
        validate=validate.Length(max=200),
    )
