"""Marshmallow schemas of the knowledge panel's socket events."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

# The box takes 200 characters; anything up to this is cut there, longer is refused as not a query.
QUERY_MAX = 10_000
PER_PAGE_MAX = 20
ITEM_KINDS = ("entry", "article")
_ID = fields.Integer(strict=True, validate=validate.Range(min=1))


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class SearchSchema(_Base):
    """A search (q) or a category listing (category_id, null: uncategorised) and a page."""

    q = fields.String(load_default="", validate=validate.Length(max=QUERY_MAX))
    category_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=0))
    browse = fields.Boolean(load_default=False)
    # The composer's "#words" suggestions: typing, not a question asked, so not logged.
    suggest = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=1000))
    per_page = fields.Integer(load_default=10, strict=True,
                              validate=validate.Range(min=1, max=PER_PAGE_MAX))
    conversation_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=1))


class ItemSchema(_Base):
    """One entry or article."""

    kind = fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class FavouriteSchema(ItemSchema):
    """Mark (on) or unmark an item as a favourite."""

    on = fields.Boolean(required=True)
