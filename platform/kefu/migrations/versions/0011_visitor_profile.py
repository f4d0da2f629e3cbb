"""visitor profile and visit info

Revision ID: 0011_visitor_profile
Revises: 0010_quickreplies
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_visitor_profile'
down_revision = '0010_quickreplies'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
