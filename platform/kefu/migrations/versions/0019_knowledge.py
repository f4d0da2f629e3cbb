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


def upgrade():
    pass


def downgrade():
    pass
