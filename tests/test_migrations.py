"""The one Alembic migration builds exactly the schema the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kefu.extensions import db


def test_migration_matches_models(app, ctx):
    """Upgrading from empty gives the models' tables, columns and indexes, nothing missing."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []
