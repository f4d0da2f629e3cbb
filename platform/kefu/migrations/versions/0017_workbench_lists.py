"""workbench list tabs, filters and history

Revision ID: 0017_workbench_lists
Revises: 0016_chat_files
Create Date: 2026-11-25 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_workbench_lists'
down_revision = '0016_chat_files'
branch_labels = None
depends_on = None


def upgrade():
    # The history tab: ended chats of a company, newest first, a page at a time.
    op.create_index('ix_conversation_company_closed', 'conversation',
                    ['company_id', 'status', 'closed_at'], unique=False)


def downgrade():
    op.drop_index('ix_conversation_company_closed', table_name='conversation')
