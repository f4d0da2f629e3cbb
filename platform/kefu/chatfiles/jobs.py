"""Chat files nobody will see: the hourly sweep the deadline ticker runs (chatfiles/actions.py
deletes them: uploads never sent, and those of recalled messages, a day after the upload)."""

from __future__ import annotations

from ..jobs import job


@job
def sweep_unshown(limit: int = 500) -> int:
    """Delete up to `limit` chat files no message shows a day after their upload; return how many."""
    from .actions import do_delete_unshown

    return do_delete_unshown(limit)
