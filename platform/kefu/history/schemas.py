"""Marshmallow schemas of the history and sync socket events."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ..conversations.schemas import SyncSchema

PAGE_MAX = 100
PAGE_DEFAULT = 50
MAX_ID = 2**31 - 1  # message ids are 32-bit integers; past that PostgreSQL fails instead of refusing


def _page() -> fields.Integer:
    return fields.Integer(load_default=PAGE_DEFAULT, strict=True,
                          validate=validate.Range(min=1, max=PAGE_MAX))


def _before() -> fields.Integer:
    return fields.Integer(load_default=None, allow_none=True, strict=True,
                          validate=validate.Range(min=1, max=MAX_ID))


class AgentHistorySchema(Schema):
    """An agent asks for the page of a visitor's messages before `before_id`."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    before_id = _before()
    limit = _page()


class VisitorHistorySchema(Schema):
    """A visitor asks for the page of their own messages before `before_id`."""

    class Meta:
        unknown = EXCLUDE

    before_id = _before()
    limit = _page()


class AgentSyncSchema(SyncSchema):
    """The workbench's sync: per conversation, the last message id it holds (JSON keys are strings)."""

    after = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[1-9][0-9]{0,11}$")),
        values=fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_ID)),
        load_default=dict, validate=validate.Length(max=200),
    )
