"""Marshmallow schemas for people and status input."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from .models import ROLES, STATUSES


class StatusSchema(Schema):
    """An agent changes their own status."""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    reason = fields.String(load_default="", validate=validate.Length(max=50))


class UserSchema(Schema):
    """A new account inside a company."""

    class Meta:
        unknown = EXCLUDE

    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(required=True, validate=validate.Length(min=8, max=200))
    role = fields.String(load_default="agent", validate=validate.OneOf(ROLES))
    max_concurrent = fields.Integer(load_default=5, validate=validate.Range(min=0, max=200))


class CompanySchema(Schema):
    """A new tenant and its first owner."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    slug = fields.String(
        required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$", error="a-z, 0-9, -")
    )
    owner_email = fields.Email(required=True)
    owner_name = fields.String(load_default="Owner", validate=validate.Length(min=1, max=120))
    owner_password = fields.String(required=True, validate=validate.Length(min=8, max=200))
