"""knowledge console: article attachments, import batches

Revision ID: 0021_knowledge_console
Revises: 0020_robot
Create Date: 2026-11-25 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021_knowledge_console'
down_revision = '0020_robot'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
