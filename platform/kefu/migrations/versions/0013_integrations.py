"""integration pages

Revision ID: 0013_integrations
Revises: 0012_summary
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_integrations'
down_revision = '0012_summary'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
