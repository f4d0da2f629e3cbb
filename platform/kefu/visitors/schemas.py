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


class ProfileSchema(Schema):
    """An agent's edit of a visitor's profile: only the fields sent change."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True)
    name = fields.String(validate=validate.Length(max=120))
    phone = fields.String(
        validate=validate.Regexp(
            r"^$|^\+?[0-9][0-9 ()\-]{3,30}$", error="digits, spaces, - ( ) and a leading +"
        )
    )
    email = fields.String(validate=validate.Length(max=254))
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)), validate=validate.Length(max=20)
    )
    vip_level = fields.Integer(strict=True, validate=validate.Range(min=0, max=10))
    remark = fields.String(validate=validate.Length(max=1000))
    custom = fields.Dict(
        keys=fields.String(validate=validate.Length(max=32)), values=fields.Raw(allow_none=True)
    )


class PageViewSchema(Schema):
    """Pages the widget reports: the host page's recent trail, newest last."""

    class Meta:
        unknown = EXCLUDE

    class _View(Schema):
        class Meta:
            unknown = EXCLUDE

        url = fields.String(required=True, validate=validate.Length(min=1, max=2048))
        title = fields.String(load_default="", validate=validate.Length(max=200))
        at = fields.Integer(load_default=None, allow_none=True, strict=True)  # ms since the epoch

    views = fields.List(fields.Nested(_View), required=True, validate=validate.Length(min=1, max=20))


class PanelSchema(Schema):
    """Which chat's visitor the panel shows."""

    class Meta:
        unknown = EXCLUDE

    conversation_id = fields.Integer(required=True, strict=True)
