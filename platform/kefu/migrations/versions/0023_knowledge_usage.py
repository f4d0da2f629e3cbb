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
    pass


def downgrade():
    pass
