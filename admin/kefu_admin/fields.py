"""Form fields for JSON settings, checked server-side before anything is written."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_admin.contrib.sqla.fields import QuerySelectField, QuerySelectMultipleField
from flask_babel import gettext
from marshmallow import ValidationError as MarshmallowError
from marshmallow.validate import Email as MarshmallowEmail
from wtforms import Field, Form, TextAreaField, ValidationError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class JSONTextField(TextAreaField):
    """A textarea holding JSON; `shape` checks the parsed value and returns an error or None."""

    def __init__(
        self, label: Any = None, validators: Any = None,
        shape: Callable[[Any], str | None] | None = None, empty: Any = None, **kwargs: Any,
    ) -> None:
        kwargs.setdefault("render_kw", {"rows": 6, "style": "font-family: monospace"})
        super().__init__(label, validators, **kwargs)
        self.shape = shape
        self.empty = {} if empty is None else empty

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return json.dumps(self.data if self.data is not None else self.empty, ensure_ascii=False)

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the text; blank means the empty value."""
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        if not text:
            self.data = type(self.empty)()
            return
        try:
            self.data = json.loads(text)
        except ValueError as exc:
            self.data = None
            raise ValueError(gettext("Invalid JSON: %(error)s", error=str(exc))) from exc

    def pre_validate(self, form: Form) -> None:
        """Check the shape of the parsed value."""
        if self.data is None or self.shape is None:
            return
        error = self.shape(self.data)
        if error:
            raise ValidationError(error)


def _ranges_error(ranges: Any, where: str) -> str | None:
    if not isinstance(ranges, list):
        return gettext("%(where)s: expected a list of [start, end] pairs", where=where)
    for pair in ranges:
        ok = (
            isinstance(pair, list) and len(pair) == 2
            and all(isinstance(t, str) and _HHMM.match(t) for t in pair)
        )
        if not ok:
            return gettext('%(where)s: each range is ["HH:MM", "HH:MM"]', where=where)
        # An end before the start runs past midnight (["22:00", "02:00"]; see kefu.org.hours).
        if pair[0] == pair[1] or pair[0] == "24:00":
            return gettext("%(where)s: a range must end after it starts", where=where)
    return None


def _iso_date(text: Any) -> bool:
    if not isinstance(text, str):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def weekly_error(value: Any) -> str | None:
    """{"mon": [["09:00", "18:00"]], ...}: weekday keys, HH:MM ranges."""
    if not isinstance(value, dict):
        return gettext('Expected an object like {"mon": [["09:00", "18:00"]]}')
    for day, ranges in value.items():
        if day not in DAYS:
            return gettext("Unknown day %(day)s (use mon … sun)", day=day)
        error = _ranges_error(ranges, day)
        if error:
            return error
    return None


def holidays_error(value: Any) -> str | None:
    """["2026-10-01", ...]: closed days."""
    if not isinstance(value, list) or not all(_iso_date(d) for d in value):
        return gettext('Expected a list of dates like ["2026-10-01"]')
    return None


def workdays_error(value: Any) -> str | None:
    """{"2026-09-27": [["09:00", "18:00"]]}: extra working days."""
    if not isinstance(value, dict):
        return gettext('Expected an object like {"2026-09-27": [["09:00", "18:00"]]}')
    for day, ranges in value.items():
        if not _iso_date(day):
            return gettext("%(day)s is not a date (YYYY-MM-DD)", day=day)
        error = _ranges_error(ranges, day)
        if error:
            return error
    return None


def object_error(value: Any) -> str | None:
    """A JSON object (settings)."""
    if not isinstance(value, dict):
        return gettext("Expected a JSON object {…}")
    return None


def secrets_error(value: Any) -> str | None:
    """A flat JSON object of strings (tokens, app secrets)."""
    if not isinstance(value, dict):
        return gettext("Expected a JSON object {…}")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return gettext("Every secret is a string")
    return None


def valid_timezone(form: Form, field: Field) -> None:
    """An IANA time zone such as Asia/Shanghai."""
    try:
        ZoneInfo(str(field.data or ""))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(gettext("Unknown time zone (e.g. Asia/Shanghai)")) from exc


class SecretJSONField(JSONTextField):
    """Write-only JSON: never rendered back, blank keeps what is stored."""

    def _value(self) -> str:
        return ""


def valid_email(form: Form, field: Field) -> None:
    """The same e-mail check as kefu's schemas (accepts intranet domains such as .local)."""
    try:
        MarshmallowEmail()(str(field.data or ""))
    except MarshmallowError as exc:
        raise ValidationError(gettext("Invalid email address.")) from exc


class StrictQuerySelectField(QuerySelectField):
    """A submitted id that is not among the choices is an error, never a silent blank.

    Flask-Admin's field turns an unknown id into None when blanks are allowed.
    """

    def pre_validate(self, form: Form) -> None:
        """Refuse ids outside the (company-scoped) choices."""
        submitted = self._formdata
        if submitted is not None and self.data is None:
            raise ValidationError(gettext("Not a valid choice"))
        super().pre_validate(form)


class StrictQuerySelectMultipleField(QuerySelectMultipleField):
    """Unknown ids are an error (Flask-Admin checks before resolving them, so drops them)."""

    def pre_validate(self, form: Form) -> None:
        """Resolve the ids first so unknown ones are noticed."""
        _ = self.data
        super().pre_validate(form)
