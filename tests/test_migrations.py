"""The one Alembic migration builds exactly the schema the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kefu.extensions import db

# Per-dialect search machinery migration 0019 adds beside the models: SQLite's FTS5 table (and
# its shadow tables) and PostgreSQL's GIN index over the generated tsvector.
DIALECT_ONLY = ("knowledge_fts", "ix_knowledge_doc_search")


def _ours(name, type_, parent_names):
    return not (name or "").startswith(DIALECT_ONLY)


def test_migration_matches_models(app, ctx):
    """Upgrading from empty gives the models' tables, columns and indexes, nothing missing."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _ours})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
