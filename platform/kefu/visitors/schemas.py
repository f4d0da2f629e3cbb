"""Marshmallow schemas for what the widget sends when a visitor opens a chat."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class OpenSessionSchema(Schema):
    """The widget's first call: who the visitor is and where they came from."""

    class Meta:
        unknown = EXCLUDE

    token = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2048))
    # Accepted for compatibility and ignored: identity comes from the signed token only.
    uid = fields.String(
        load_default=None, allow_none=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_\-]{8,64}$", error="8-64 letters, digits, - or _"),
    )
    name = fields.String(load_default="", validate=validate.Length(max=120))
    email = fields.Email(load_default="")
    page_url = fields.String(load_default="", validate=validate.Length(max=2048))
    referrer = fields.String(load_default="", validate=validate.Length(max=2048))
    language = fields.String(load_default="", validate=validate.Length(max=16))
    utm = fields.Dict(
        keys=fields.String(validate=validate.Length(max=32)),
        values=fields.String(validate=validate.Length(max=256)),
        load_default=dict,
    )
