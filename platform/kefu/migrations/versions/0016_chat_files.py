"""files and images in chats

Revision ID: 0016_chat_files
Revises: 0015_workbench_settings
Create Date: 2026-11-25 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_chat_files'
down_revision = '0015_workbench_settings'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
