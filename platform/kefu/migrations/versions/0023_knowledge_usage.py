"""knowledge usage log

Revision ID: 0023_knowledge_usage
Revises: 0022_knowledge_panel
Create Date: 2026-11-25 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0023_knowledge_usage'
down_revision = '0022_knowledge_panel'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('knowledge_search_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('top_doc_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    # Searches per day, source and hit over a date range, read from the index alone.
    op.create_index('ix_knowledge_search_log_company_created', 'knowledge_search_log',
                    ['company_id', 'created_at', 'source', 'hits'], unique=False)
    # The no-hit list: hits = 0 within a date range, grouped by query (covering as well).
    op.create_index('ix_knowledge_search_log_company_hits', 'knowledge_search_log',
                    ['company_id', 'hits', 'created_at', 'query'], unique=False)


def downgrade():
    op.drop_index('ix_knowledge_search_log_company_hits', table_name='knowledge_search_log')
    op.drop_index('ix_knowledge_search_log_company_created', table_name='knowledge_search_log')
    op.drop_table('knowledge_search_log')
