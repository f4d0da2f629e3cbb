"""The one access decision for quick replies and their groups."""

from __future__ import annotations

from typing import Any, TypeVar

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..org.models import User

Row = TypeVar("Row")


def access_quick_reply(user: User, model: type[Row], row_id: Any, *, write: bool = False) -> Row:
    """Return a reply or group the user may read (or write), else raise.

    Another company's row or another agent's personal row does not exist for the user (404);
    a company row is readable by everyone in the company but written only in the console (403).
    """
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        raise NotFound("not_found")
    row: Any = db.session.get(model, row_id)
    if row is None:
        raise NotFound("not_found")
    if row.company_id != user.company_id:
        raise NotFound("not_found")
    owner = row.owner_id
    if owner is not None and owner != user.id:
        raise NotFound("not_found")
    if owner is None and write:
        raise Forbidden("quick_reply_shared")
    return row  # type: ignore[no-any-return]
