"""transfers, invitations, monitoring

Revision ID: 0006_transfers
Revises: 0005_presence
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_transfers'
down_revision = '0005_presence'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
