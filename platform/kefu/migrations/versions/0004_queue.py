"""queue limits and abandonment

Revision ID: 0004_queue
Revises: 0003_settings
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_queue'
down_revision = '0003_settings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('skill_group') as batch:
        batch.add_column(sa.Column('queue_max_length', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('queue_max_wait_seconds', sa.Integer(), nullable=True))
    with op.batch_alter_table('conversation') as batch:
        batch.add_column(sa.Column('queue_wait_seconds', sa.Double(), nullable=True))


def downgrade():
    with op.batch_alter_table('conversation') as batch:
        batch.drop_column('queue_wait_seconds')
    with op.batch_alter_table('skill_group') as batch:
        batch.drop_column('queue_max_wait_seconds')
        batch.drop_column('queue_max_length')
