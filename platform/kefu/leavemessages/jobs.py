"""Jobs of leave messages: uploads nobody submitted are removed after their grace period."""

from __future__ import annotations

from ..jobs import job


@job
def purge_upload(attachment_id: int) -> bool:
    """Delete an upload no submission took within its grace period (idempotent)."""
    from .attachments import do_purge

    return do_purge(attachment_id)
