"""Envelopes of the rule editor's JSON requests; definitions themselves go to validate_ruleset."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from kefu.errors import ValidationFailed

MAX_BODY = 512 * 1024  # a definition of 200 rules of 50 conditions fits well within this


class DefinitionSchema(Schema):
    """A request carrying a (possibly half-built) definition."""

    class Meta:
        unknown = EXCLUDE

    definition = fields.Dict(required=True)


class PublishSchema(DefinitionSchema):
    """Publish: the definition and a note for the history."""

    note = fields.String(load_default="", validate=validate.Length(max=500))


class ExplainSchema(Schema):
    """Sandbox: facts, and whether to decide with the draft or the published version."""

    class Meta:
        unknown = EXCLUDE

    facts = fields.Dict(required=True)
    use = fields.String(load_default="draft", validate=validate.OneOf(["draft", "published"]))
    definition = fields.Dict(load_default=None, allow_none=True)


class DryRunSchema(DefinitionSchema):
    """Dry run: the draft and how many recent decisions to compare."""

    limit = fields.Integer(load_default=200, strict=True, validate=validate.Range(min=1, max=2000))


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Return the loaded envelope, or raise ValidationFailed with per-field errors."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": ["a JSON object is expected"]})
    try:
        out: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(exc.normalized_messages()) from exc
    return out
