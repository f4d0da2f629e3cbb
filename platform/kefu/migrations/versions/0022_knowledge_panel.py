"""internal knowledge panel: favourites

Revision ID: 0022_knowledge_panel
Revises: 0021_knowledge_console
Create Date: 2026-11-25 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_knowledge_panel'
down_revision = '0021_knowledge_console'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
