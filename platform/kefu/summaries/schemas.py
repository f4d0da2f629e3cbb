"""Marshmallow schemas of the workbench's summary and star requests."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class SummarySchema(Schema):
    """A summary as the workbench sends it; types, status and remark are checked by the action."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    type_ids = fields.List(fields.Integer(strict=True), load_default=list)
    status = fields.String(required=True)
    remark = fields.String(load_default="")
    invalid = fields.Boolean(load_default=False)


class ConversationRefSchema(Schema):
    """A request about one conversation (read the summary panel)."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class StarSchema(ConversationRefSchema):
    """Star or unstar a conversation."""

    starred = fields.Boolean(required=True)


class StarsSchema(Schema):
    """Which of these chats are starred (at most a screenful)."""

    class Meta:
        unknown = EXCLUDE

    conversation_ids = fields.List(fields.Integer(strict=True), load_default=list,
                                   validate=validate.Length(max=500))
