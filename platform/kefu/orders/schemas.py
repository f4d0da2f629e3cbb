"""Marshmallow schema of an order recorded from the workbench."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class OrderSchema(Schema):
    """An order as the workbench sends it; number, amount, currency and status are checked by the action."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    number = fields.String(required=True)
    # A string or a number; the action parses it as an exact Decimal.
    amount = fields.Raw(required=True)
    currency = fields.String(required=True)
    status = fields.String(load_default="pending")
