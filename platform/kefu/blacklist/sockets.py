"""The blacklist event of the workbench (/agent): blacklist the visitor of one's chat."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from ..errors import KefuError
from ..realtime.handlers import acked
from .actions import check_blacklist, entry_dict


def _lang() -> str:
    return getattr(current_user, "locale", "zh") or "zh"


def _agent() -> Any:
    if not current_user.is_authenticated or current_user.company_id is None:
        raise KefuError("unauthorized", status=401)
    return current_user._get_current_object()


@acked(_lang)
def on_blacklist(self: Any, data: Any = None) -> dict[str, Any]:
    """Blacklist the visitor of one's chat (ends it as "blacklisted"); a replay changes nothing."""
    entry, created = check_blacklist(_agent(), data)
    return {"entry": entry_dict(entry), "duplicate": not created}


def install(namespace: type) -> None:
    """Add the blacklist event to the /agent namespace class."""
    namespace.on_blacklist = on_blacklist  # type: ignore[attr-defined]
