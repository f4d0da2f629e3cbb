"""widget style, logo and pre-chat form

Revision ID: 0018_widget_style
Revises: 0017_workbench_lists
Create Date: 2026-11-25 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018_widget_style'
down_revision = '0017_workbench_lists'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
