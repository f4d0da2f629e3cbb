"""message recall, quotes, read receipts, files, sensitive words

Revision ID: 0014_chat_pane
Revises: 0013_integrations
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_chat_pane'
down_revision = '0013_integrations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('read_mark',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('agent_read_id', sa.Integer(), nullable=False),
    sa.Column('visitor_read_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id')
    )
    op.create_table('sensitive_word',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('word', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'scope', 'word', name='uq_sensitive_word')
    )
    with op.batch_alter_table('company_settings') as batch:
        batch.add_column(sa.Column('recall_seconds', sa.Integer(), nullable=False,
                                   server_default='120'))


def downgrade():
    with op.batch_alter_table('company_settings') as batch:
        batch.drop_column('recall_seconds')
    op.drop_table('sensitive_word')
    op.drop_table('read_mark')
