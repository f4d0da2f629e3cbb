"""service summaries and orders

Revision ID: 0012_summary
Revises: 0011_visitor_profile
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_summary'
down_revision = '0011_visitor_profile'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
