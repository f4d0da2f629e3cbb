"""blacklist and end of chat

Revision ID: 0009_blacklist
Revises: 0008_leave_forms
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_blacklist'
down_revision = '0008_leave_forms'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
