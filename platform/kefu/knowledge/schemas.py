"""Marshmallow schemas of knowledge-base writes (console, import, API); lengths checked by the actions."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from .models import ENTRY_KINDS, STATUSES

_ID = fields.Integer(strict=True, validate=validate.Range(min=1))


class EntrySchema(Schema):
    """A Q&A entry (standard question, similar questions, answer, audience, validity)."""

    class Meta:
        unknown = EXCLUDE

    kind = fields.String(load_default="qa", validate=validate.OneOf(ENTRY_KINDS))
    question = fields.String(required=True)
    similar = fields.List(fields.String(), load_default=list, validate=validate.Length(max=200))
    answer = fields.String(required=True)
    category_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=1))
    related_ids = fields.List(_ID, load_default=list, validate=validate.Length(max=100))
    valid_from = fields.AwareDateTime(load_default=None, allow_none=True)
    valid_until = fields.AwareDateTime(load_default=None, allow_none=True)
    channel_ids = fields.List(_ID, load_default=list, validate=validate.Length(max=100))
    customer_groups = fields.List(fields.String(), load_default=list, validate=validate.Length(max=100))
    status = fields.String(load_default="draft", validate=validate.OneOf(STATUSES))


class ArticleSchema(Schema):
    """An internal article (title, rich-text body, visibility by skill group)."""

    class Meta:
        unknown = EXCLUDE

    title = fields.String(required=True)
    body = fields.String(load_default="")
    category_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=1))
    skill_group_ids = fields.List(_ID, load_default=list, validate=validate.Length(max=200))
    status = fields.String(load_default="draft", validate=validate.OneOf(STATUSES))


class CategorySchema(Schema):
    """A folder of the knowledge tree."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    name_en = fields.String(load_default="")
    parent_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                               validate=validate.Range(min=1))
    sort_order = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100000))
