"""Chat files nobody will see: uploads never sent, and those of recalled messages.

A file is kept while a message of its chat shows it. A day after the upload (recall is possible
for minutes only) one that no message shows is deleted, row and bytes, by a sweep the deadline
ticker runs every hour over the files of the two days before that.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, select

from ..aftercommit import on_commit
from ..conversations.models import Message
from ..extensions import db
from ..jobs import job
from ..timeutil import utcnow
from ..uploads import stored_path
from .models import ChatFile

log = logging.getLogger(__name__)
KEEP_UNSHOWN = timedelta(hours=24)
LOOK_BACK = timedelta(hours=48)  # older ones were swept already (hourly, within this window)
BATCH = 500


@job
def sweep_unshown(limit: int = BATCH) -> int:
    """Delete up to `limit` chat files no message shows a day after their upload; return how many."""
    newest = utcnow() - KEEP_UNSHOWN
    files = list(db.session.scalars(
        select(ChatFile).where(ChatFile.created_at < newest, ChatFile.created_at >= newest - LOOK_BACK)
        .order_by(ChatFile.id).limit(limit)))
    if not files:
        return 0
    chats = {f.conversation_id for f in files}
    shown = {((p or {}).get("file") or {}).get("id") for p in db.session.scalars(
        select(Message.payload).where(Message.conversation_id.in_(chats),
                                      Message.content_type.in_(("image", "file"))))}
    gone = [f for f in files if f.id not in shown]
    if not gone:
        return 0
    paths = [f.path for f in gone]
    db.session.execute(delete(ChatFile).where(ChatFile.id.in_([f.id for f in gone])))

    def unlink() -> None:
        for rel in paths:
            try:
                stored_path(rel).unlink(missing_ok=True)
            except OSError:  # a file left behind is harmless; its row is gone
                log.warning("could not delete chat file %s", rel, exc_info=True)

    on_commit(unlink)
    db.session.commit()
    return len(gone)
