"""agent statuses, busy reasons, approvals, presence

Revision ID: 0005_presence
Revises: 0004_queue
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_presence'
down_revision = '0004_queue'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
