"""Marshmallow schemas for what a queued visitor sends."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class QueueChoiceSchema(Schema):
    """A queued visitor's answer (keep waiting, leave the queue, leave a message) for one chat."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
