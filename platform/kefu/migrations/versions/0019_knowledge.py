"""knowledge base and search

Revision ID: 0019_knowledge
Revises: 0018_widget_style
Create Date: 2026-11-25 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019_knowledge'
down_revision = '0018_widget_style'
branch_labels = None
depends_on = None

# SQLite: an external-content FTS5 table over knowledge_doc's tokens, kept in step by triggers in
# the writing transaction. The tokens are already segmented, folded and stemmed by
# kefu.knowledge.tokens, so unicode61 only splits them on the spaces between them.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE knowledge_fts USING fts5(title_tokens, body_tokens, "
    "content='knowledge_doc', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER knowledge_doc_ai AFTER INSERT ON knowledge_doc BEGIN "
    "INSERT INTO knowledge_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
    "CREATE TRIGGER knowledge_doc_ad AFTER DELETE ON knowledge_doc BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); END",
    "CREATE TRIGGER knowledge_doc_au AFTER UPDATE OF title_tokens, body_tokens ON knowledge_doc BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); "
    "INSERT INTO knowledge_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
]
# PostgreSQL: the same tokens as a generated tsvector ('simple': no stemming or stop-words of
# its own), title terms weighted A, body terms D, under a GIN index.
PG_VECTOR = (
    "ALTER TABLE knowledge_doc ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_tokens), 'D')) STORED"
)


def upgrade():
    op.create_table('knowledge_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['knowledge_category.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_knowledge_category_company_parent', 'knowledge_category',
                    ['company_id', 'parent_id'], unique=False)
    op.create_table('knowledge_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('skill_group_ids', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['knowledge_category.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_knowledge_article_company_status', 'knowledge_article',
                    ['company_id', 'status'], unique=False)
    op.create_index('ix_knowledge_article_category_id', 'knowledge_article', ['category_id'],
                    unique=False)
    op.create_table('knowledge_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('question', sa.String(length=200), nullable=False),
    sa.Column('similar', sa.JSON(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('related_ids', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('channel_ids', sa.JSON(), nullable=False),
    sa.Column('customer_groups', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['knowledge_category.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_knowledge_entry_company_status', 'knowledge_entry',
                    ['company_id', 'status', 'kind'], unique=False)
    op.create_index('ix_knowledge_entry_category_id', 'knowledge_entry', ['category_id'],
                    unique=False)
    op.create_table('knowledge_doc',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('channels', sa.Text(), nullable=False),
    sa.Column('customer_groups', sa.Text(), nullable=False),
    sa.Column('skill_groups', sa.Text(), nullable=False),
    sa.Column('title_tokens', sa.Text(), nullable=False),
    sa.Column('body_tokens', sa.Text(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_article.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['knowledge_entry.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id'),
    sa.UniqueConstraint('entry_id')
    )
    op.create_index('ix_knowledge_doc_scope', 'knowledge_doc', ['company_id', 'status', 'kind'],
                    unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.add_column('knowledge_doc', sa.Column('search_vector', sa.Text(), nullable=True))
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == 'postgresql':
        op.execute(PG_VECTOR)
        op.execute("CREATE INDEX ix_knowledge_doc_search ON knowledge_doc USING gin (search_vector)")
    else:
        op.add_column('knowledge_doc', sa.Column('search_vector', sa.Text(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('knowledge_doc_au', 'knowledge_doc_ad', 'knowledge_doc_ai'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS knowledge_fts")
    op.drop_table('knowledge_doc')
    op.drop_table('knowledge_entry')
    op.drop_table('knowledge_article')
    op.drop_table('knowledge_category')
