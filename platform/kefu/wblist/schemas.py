"""Marshmallow schemas of the workbench list's socket requests."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

# A screen never shows more chats than this at once (the list's meta is asked in one request).
MAX_IDS = 500
HISTORY_PAGE = 20
SEARCH_MAX = 50


class MetaSchema(Schema):
    """Ask the unread counts, tags, group and star of the chats the list shows."""

    class Meta:
        unknown = EXCLUDE

    conversation_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1)),
        required=True, validate=validate.Length(max=MAX_IDS),
    )


class HistorySchema(Schema):
    """One page of past conversations, optionally searched by visitor name."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=SEARCH_MAX))
    page = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=10000))


class ConversationRefSchema(Schema):
    """A request about one conversation (open a past chat, pick a queued one)."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
