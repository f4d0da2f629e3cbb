"""Marshmallow schemas of an agent's edits to their own quick-reply library."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class ReplySchema(Schema):
    """A personal quick reply: lengths are checked by the action so the message can name them."""

    class Meta:
        unknown = EXCLUDE

    title = fields.String(required=True)
    text = fields.String(required=True)
    group_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                              validate=validate.Range(min=1))
    sort_order = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100000))


class GroupSchema(Schema):
    """A personal group of quick replies."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    sort_order = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100000))
