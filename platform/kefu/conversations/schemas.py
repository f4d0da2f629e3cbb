"""Marshmallow schemas for everything a visitor or agent sends about messages."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ..errors import KefuError, ValidationFailed

MAX_CHARS = 5000


class SendMessageSchema(Schema):
    """A text message from a visitor or an agent (or an uploaded file, with an optional caption)."""

    class Meta:
        unknown = EXCLUDE

    text = fields.String(load_default=None)  # required, unless a file is sent (then its caption)
    client_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=64)
    )
    # Quoting (引用): the id of the message this one answers (chatpane.actions checks it).
    reply_to = fields.Integer(load_default=None, allow_none=True, strict=True,
                              validate=validate.Range(min=1))
    # An image or file uploaded first (chatfiles/); the message then carries it.
    file_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=1))

    @validates_schema
    def _text_or_file(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("text") is None and data.get("file_id") is None:
            raise ValidationError("Missing data for required field.", "text")


class AgentSendSchema(SendMessageSchema):
    """An agent's message names the conversation."""

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class SyncSchema(Schema):
    """A reconnecting client asks for what came after the last message id it saw."""

    class Meta:
        unknown = EXCLUDE

    after_id = fields.Integer(load_default=0, validate=validate.Range(min=0))
    # Conversations a workbench shows: their current state comes back (one may have closed).
    conversation_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1)), load_default=list,
        validate=validate.Length(max=200),
    )


class CloseSchema(Schema):
    """An agent closes a conversation."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Validate untrusted input with a schema; raise ValidationFailed with field errors."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": ["expected an object"]})
    try:
        return schema.load(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise ValidationFailed(exc.normalized_messages()) from exc


def clean_text(text: str, limit: int = MAX_CHARS) -> str:
    """Strip a message text and enforce non-empty and the length limit."""
    text = text.strip()
    if not text:
        raise KefuError("empty_message", fields={"text": ["empty"]})
    if len(text) > limit:
        raise KefuError("message_too_long", fields={"text": ["too long"]}, limit=limit)
    return text
