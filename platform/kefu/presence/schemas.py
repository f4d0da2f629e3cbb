"""Untrusted input of status changes and approval decisions."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ..org.models import STATUSES


class StatusChangeSchema(Schema):
    """An agent asks for a status, maybe with a busy reason and a free-text reason."""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    busy_reason_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    # The length is checked by the action, so the error says which limit it broke.
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class RequestIdSchema(Schema):
    """A status request named by id."""

    class Meta:
        unknown = EXCLUDE

    request_id = fields.Integer(required=True, strict=True)
