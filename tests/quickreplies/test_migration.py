"""Migration 0010: the old free-text categories become groups of the same library, and back."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from ..conftest import PG_ADMIN_URL, _pg_url


@pytest.fixture()
def fresh_app(backend: str, tmp_path: Any) -> Iterator[Any]:
    """An app over an empty database of the backend under test (not the shared test database)."""
    from kefu import create_app
    from kefu.extensions import db

    if backend == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'migrate.sqlite3'}", None
    else:
        name = f"kefu_qr_{os.getpid()}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url, drop = _pg_url(name), (admin, name)
    from kefu.extensions import socketio

    # create_app binds the one Socket.IO object to the new app; the shared test app's live servers
    # must get theirs back afterwards, or their events go nowhere.
    saved_server = socketio.server
    app = create_app({"KEFU_TESTING": True, "SECRET_KEY": uuid.uuid4().hex, "SQLALCHEMY_DATABASE_URI": url,
                      "KEFU_REDIS_URL": "", "KEFU_JOBS": "inprocess"}, instance_path=str(tmp_path))
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        socketio.server = saved_server
    if drop:
        with drop[0].connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)'))
        drop[0].dispose()


def _rows(sql: str) -> list[tuple[Any, ...]]:
    from kefu.extensions import db

    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_categories_become_groups_and_back(fresh_app):
    """Each (company, owner, category) becomes one group its replies point at; uncategorised
    replies stay ungrouped; the downgrade restores the categories."""
    from flask_migrate import downgrade, upgrade

    from kefu.extensions import db

    upgrade(revision="0009_blacklist")
    now = "2026-01-01 00:00:00+00:00"
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO company (id, name, slug, timezone, locale, created_at) "
            "VALUES (1, 'A', 'a', 'Asia/Shanghai', 'zh', :now)"), {"now": now})
        conn.execute(sa.text(
            "INSERT INTO \"user\" (id, company_id, email, name, display_name, password_hash, is_operator, "
            "role, max_concurrent, status, locale, is_active_account, created_at) VALUES "
            "(7, 1, 'a@a.test', 'A', '', 'x', false, 'agent', 5, 'offline', 'zh', true, :now)"), {"now": now})
        for rid, owner, category in [(1, None, "问候"), (2, None, "问候"), (3, 7, "问候"), (4, None, "")]:
            conn.execute(sa.text(
                "INSERT INTO quick_reply (id, company_id, owner_id, category, title, text, sort_order, "
                "created_at) VALUES (:id, 1, :owner, :category, 't', 'x', 0, :now)"),
                {"id": rid, "owner": owner, "category": category, "now": now})
    upgrade(revision="0010_quickreplies")
    groups = {gid: (owner, name) for gid, owner, name in
              _rows("SELECT id, owner_id, name FROM quick_reply_group")}
    assert sorted(groups.values(), key=str) == sorted([(None, "问候"), (7, "问候")], key=str)
    linked = dict(_rows("SELECT id, group_id FROM quick_reply ORDER BY id"))
    assert linked[1] == linked[2] and groups[linked[1]] == (None, "问候")
    assert groups[linked[3]] == (7, "问候")
    assert linked[4] is None
    downgrade(revision="0009_blacklist")
    assert _rows("SELECT id, category FROM quick_reply ORDER BY id") == [
        (1, "问候"), (2, "问候"), (3, "问候"), (4, "")]
