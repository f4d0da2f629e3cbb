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
    pass


def downgrade():
    pass
