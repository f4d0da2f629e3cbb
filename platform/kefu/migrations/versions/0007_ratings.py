"""satisfaction schemes and ratings

Revision ID: 0007_ratings
Revises: 0006_transfers
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_ratings'
down_revision = '0006_transfers'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
