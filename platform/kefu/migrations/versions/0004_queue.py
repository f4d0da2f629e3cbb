"""queue limits and abandonment

Revision ID: 0004_queue
Revises: 0003_settings
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_queue'
down_revision = '0003_settings'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
