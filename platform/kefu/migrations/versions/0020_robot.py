"""robots, their answers and feedback

Revision ID: 0020_robot
Revises: 0019_knowledge
Create Date: 2026-11-25 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020_robot'
down_revision = '0019_knowledge'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
