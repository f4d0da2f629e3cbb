"""quick-reply libraries

Revision ID: 0010_quickreplies
Revises: 0009_blacklist
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_quickreplies'
down_revision = '0009_blacklist'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
