"""leave-message forms, attachments and replies

Revision ID: 0008_leave_forms
Revises: 0007_ratings
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_leave_forms'
down_revision = '0007_ratings'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
