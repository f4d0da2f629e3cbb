"""Marshmallow schemas for transfer, invitation and monitoring requests from the workbench."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

REASON_MAX = 200


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    # A client retrying the same request sends the same id; the repeat changes nothing.
    client_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))


class TransferSchema(_Base):
    """Transfer to one agent or one skill group, with an optional reason."""

    agent_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                              validate=validate.Range(min=1))
    group_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                              validate=validate.Range(min=1))
    reason = fields.String(load_default="", allow_none=True)


class InviteSchema(_Base):
    """Invite a colleague into a conversation."""

    agent_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class ConversationRefSchema(_Base):
    """A request about one conversation (leave, watch, stop watching, take over)."""
