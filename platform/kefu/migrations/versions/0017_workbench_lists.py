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
    pass


def downgrade():
    pass
